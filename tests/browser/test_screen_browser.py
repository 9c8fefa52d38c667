"""The room's screen on a TV (1920x1080) and a projector (1280x720) in Chromium: it fits
without scrolling, reads from afar, takes turns between its panels and counts arrivals
live."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator

import httpx
import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from ..conftest import Server, module_server
from ..portal_kit import write_portal_kit

pytestmark = pytest.mark.browser

TV, PROJECTOR = {"width": 1920, "height": 1080}, {"width": 1280, "height": 720}
LONG = "Réparer, détourner et partager : un atelier ouvert de fabrication pour tout le village"

# Every text the page shows, with its computed size, in the panel shown now.
VISIBLE_TEXT = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || !el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    found.push([parseFloat(getComputedStyle(el).fontSize), node.textContent.trim()]);
  }
  return found;
}"""


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def busy_portal(tmp_path_factory) -> Iterator[Server]:
    """A screen with something in every panel: announcements, long titles, notes, posts.
    One for the module: the tests compare counts before and after."""
    folder = tmp_path_factory.mktemp("screen")
    with module_server(folder, write_portal_kit(folder)) as server:
        fill(server)
        yield server


def fill(server: Server) -> None:
    people = [server.register(name=f"Habitant·e {n}") for n in range(3)]
    for text in ("Les commandes de repas ferment à 12h, pensez-y avant l'atelier", "Café offert"):
        httpx.post(server.url + "/api/v1/announcements", json={"text": text},
                   headers=server.concierge, timeout=10)
    for n, person in enumerate(people):
        answer = httpx.post(server.url + "/api/v1/swap", headers=bearer(person["token"]),
                            json={"kind": "offer", "title": f"{LONG} {n}",
                                  "category": "Numérique"}, timeout=10)
        assert answer.status_code == 201, answer.text
        answer = httpx.post(server.url + "/api/v1/notes", headers=bearer(person["token"]),
                            json={"title": f"{LONG} (note {n})", "body": "Compte rendu.",
                                  "kind": "worked"}, timeout=10)
        assert answer.status_code == 201, answer.text


def each_panel(page):
    """Show the panels one by one as screen.js does, yielding the panel's number."""
    count = page.locator("#live .panel").count()
    for index in range(count):
        page.evaluate("""(i) => document.querySelectorAll('#live .panel')
            .forEach((p, n) => { p.hidden = n !== i; })""", index)
        yield index


# The characters of the password after which its line breaks.
LINE_ENDS = """() => {
  const node = document.querySelector('.join-details .secret').firstChild;
  const top = (i) => { const r = document.createRange(); r.setStart(node, i);
    r.setEnd(node, i + 1); return r.getBoundingClientRect().top; };
  const ends = [];
  for (let i = 0; i + 1 < node.length; i++) {
    if (top(i + 1) > top(i) + 1) ends.push(node.data[i]);
  }
  return ends;
}"""


def check_fits_and_reads_from_afar(page) -> None:
    assert page.evaluate("document.documentElement.scrollHeight") <= page.viewport_size["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    # Nothing cut at the bottom of the panel area, whichever panel has its turn.
    area = page.evaluate("""() => { const a = document.querySelector('#live .panels');
        const shown = a.querySelector('.panel:not([hidden])');
        return [a.scrollHeight, a.clientHeight, shown.className]; }""")
    assert area[0] <= area[1] + 1, area
    sizes = page.evaluate(VISIBLE_TEXT)
    smallest = min(sizes)
    assert smallest[0] >= 40, smallest
    for caption in page.locator(".code figcaption").all():
        assert caption.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 64
    # The password is never cut at a hyphen, never out of the screen.
    password = page.locator(".join-details .secret")
    assert not {"-", "\u2011"} & set(page.evaluate(LINE_ENDS))
    box = password.bounding_box()
    assert box["x"] + box["width"] <= page.viewport_size["width"]


@pytest.mark.parametrize("size", [TV, PROJECTOR], ids=["1920x1080", "1280x720"])
def test_the_screen_fits_reads_from_afar_and_counts_arrivals_live(browser, busy_portal, size):
    context = browser.new_context(viewport=size, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(busy_portal.url + "/screen")
        page.wait_for_selector("#live[data-updated]", state="attached")
        panels = list(each_panel(page))
        assert len(panels) >= 5  # announcements, now, notes and swap board take turns
        for _ in each_panel(page):
            check_fits_and_reads_from_afar(page)
        shown = page.locator(".join-details").inner_text().replace("\u2011", "-")
        assert "changez-moi-2026" in shown
        assert page.locator(".programme-link").inner_text().endswith("/programme")

        arrivals = page.locator("[data-count='checked_in']")
        registered = page.locator("[data-count='registered']")
        before = int(arrivals.inner_text()), int(registered.inner_text())
        assert before[1] >= 3
        someone = busy_portal.register(name="Nadia Benali")
        answer = httpx.post(busy_portal.url + "/api/v1/checkins", json={"token": someone["token"]},
                            headers=busy_portal.concierge, timeout=10)
        assert answer.status_code == 200
        expect(arrivals).to_have_text(str(before[0] + 1), timeout=10_000)
        expect(registered).to_have_text(str(before[1] + 1))
        assert "Nadia" not in page.locator("body").inner_text()  # counts, never names
    finally:
        context.close()


def test_the_panels_take_turns(browser, busy_portal):
    context = browser.new_context(viewport=PROJECTOR, locale="fr-FR")
    try:
        page = context.new_page()
        page.clock.install()
        page.goto(busy_portal.url + "/screen")
        shown = "() => [...document.querySelectorAll('#live .panel')].findIndex(p => !p.hidden)"
        assert page.evaluate("document.querySelectorAll('#live .panel:not([hidden])').length") == 1
        first = page.evaluate(shown)
        page.clock.run_for(10_500)
        assert page.evaluate(shown) == first + 1
    finally:
        context.close()


def long_password_kit(folder) -> str:
    """The portal kit (today and tomorrow, the workshops tomorrow but the all-day one)
    with a Wi-Fi password longer than a line of the screen."""
    path = write_portal_kit(folder)
    text = path.read_text(encoding="utf-8").replace(
        'password = "changez-moi-2026"',
        'password = "une-phrase-de-passe-bien-plus-longue-que-la-ligne"')
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_multi_day_event_shows_the_day(browser, make_server, tmp_path):
    server = make_server(kit=long_password_kit(tmp_path))
    context = browser.new_context(viewport=PROJECTOR, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(server.url + "/screen")
        today = dt.datetime.now(zoneinfo.ZoneInfo("Europe/Paris")).date()
        assert len(page.evaluate(LINE_ENDS)) >= 1  # the long password did break
        assert page.locator("#live .day").inner_text() == format_date(today, "EEE d MMM",
                                                                      locale="fr")
        tomorrow = format_date(today + dt.timedelta(days=1), "EEE", locale="fr")
        whens = page.locator("#live .panel.next .what").all_text_contents()
        assert whens and all(when.startswith(tomorrow + " ") for when in whens), whens
        assert not page.locator("#live .panel.now .what").first.text_content().startswith(
            tomorrow)
        for _ in each_panel(page):
            check_fits_and_reads_from_afar(page)
    finally:
        context.close()
