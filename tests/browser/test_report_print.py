"""The appetite report printed on A4 by headless Chromium, as a carrier prints it for a
mayor: a one-page summary first, then the rest in a few pages."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from popup_tierslieu.report.render import write_report
from popup_tierslieu.report.source import read_event

from .conftest import screenshot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
FESTIVAL = ROOT / "kits" / "festival-3-jours.toml"
ONLY_SUMMARY = "body > :not(#summary) { display: none !important; }"


def bench():
    """The benchmark's generator of realistic event folders."""
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pdf_pages(page) -> list[str]:
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    return [p.extract_text() for p in reader.pages]


@pytest.fixture(scope="module")
def festival(tmp_path_factory) -> Path:
    """The 3-day festival kit with 600 registrations, written by the store as the server
    writes them, then reported in French. Requested before ``browser``: the store commits
    with asyncio.run, which cannot run inside Playwright's event loop."""
    folder = tmp_path_factory.mktemp("festival") / "event"
    bench().build_event(folder, 600, kit_text=FESTIVAL.read_text(encoding="utf-8"))
    write_report([read_event(folder)], folder / "report")
    return folder / "report" / "report.html"


def test_the_festival_prints_under_eight_a4_pages_summary_first(festival, browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(festival.as_uri())
    pages = pdf_pages(page)
    assert len(pages) < 8, f"{len(pages)} A4 pages"
    first = " ".join(pages[0].split())
    assert "L'essentiel" in first and "Notre avis" in first
    assert "Trois prochaines étapes" in first
    assert first.count("→") >= 3  # the three next steps, each on page 1
    assert "sur 600 inscrits" in first  # the verdict says its n
    page.emulate_media(media="print")
    title_share = page.evaluate("""() => {
        const cell = document.querySelector('#workshops-table tbody td');
        return cell.getBoundingClientRect().width / cell.closest('table').offsetWidth; }""")
    assert title_share > 0.35, "the workshop titles are squeezed into a narrow column"

    page.add_style_tag(content=ONLY_SUMMARY)
    assert len(pdf_pages(page)) == 1, "the summary must fit one A4 page"
    context.close()


def test_page_one_for_the_guide(festival, browser):
    """The first A4 page, as the carrier's guide shows it (docs/screenshots/report.png)."""
    context = browser.new_context(viewport={"width": 794, "height": 1123}, locale="fr-FR")
    page = context.new_page()
    page.goto(festival.as_uri())
    page.emulate_media(media="print")
    summary = page.locator("#summary")
    assert "Trois prochaines étapes" in summary.inner_text()
    screenshot(summary, "report")
    context.close()
