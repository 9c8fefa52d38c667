"""The paper route: a participant's pass and a workshop's sign-in sheet printed from the
desk. The PDF is rendered like a printer would (pdfium) and its QR read back (zxing)."""

from __future__ import annotations

import os
import stat

import httpx
import pypdfium2
import zxingcpp

from popup_tierslieu.console.app import create_app
from popup_tierslieu.console.client import ApiClient

from .conftest import toasts, until


def read_pdf(path) -> tuple[str, list[str]]:
    """The text of the first page and the QR codes a scanner reads on it at 200 dpi."""
    page = pypdfium2.PdfDocument(str(path))[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=200 / 72).to_pil()
    return text, [code.text for code in zxingcpp.read_barcodes(image)]


def console(server, folder):
    return create_app(ApiClient(server.url, server.token, lang="fr"), paper_dir=folder)


async def test_a_pass_printed_from_the_desk_carries_the_check_in_qr_and_bookings(
        server, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-printer"))  # no lp: the PDF is kept
    person = server.register(name="Ayşe Yılmaz")
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    api.post("/desk/workshops/visio/registrations", json={"participant_id": person["id"]})
    detail = api.get(f"/participants/{person['id']}").json()
    prints = tmp_path / "prints"
    app = console(server, prints)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await until(pilot, lambda: app.stats and app.event)
        app.screen.query_one("#scan").value = person["pass_url"]
        await pilot.press("enter")
        await until(pilot, lambda: "good" in app.screen.query_one("#result").classes)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: app.screen.query("#paper-a6"), what="paper choice")
        await pilot.press("enter")
        pdf = prints / f"pass-{person['id']}.pdf"
        await until(pilot, lambda: f"Pas d'imprimante par défaut : le PDF est dans {pdf}"
                    in toasts(app), what="the notice naming the PDF")
    assert stat.S_IMODE(os.stat(pdf).st_mode) == 0o600
    text, codes = read_pdf(pdf)
    assert codes == [detail["checkin_url"]] and "/c/" in codes[0]
    assert person["token"] not in text and all(person["token"] not in c for c in codes)
    for words in ("Ayşe Yılmaz", "Bien travailler à distance", "(confirmé)",
                  "Présentez ce code à l'accueil."):
        assert words in text, text


async def test_a_sign_in_sheet_lists_the_confirmed_and_the_waiting_with_a_queue(
        server, tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    spool = tmp_path / "spool"
    # The system's print queue is CUPS, which cannot run here: two scripts stand in for
    # its commands and keep what lp was given.
    (bin_dir / "lpstat").write_text("#!/bin/sh\necho 'system default destination: desk'\n")
    (bin_dir / "lp").write_text(f'#!/bin/sh\necho "$@" > {spool}.args\n'
                                f'for last; do :; done\n/bin/cp "$last" {spool}.pdf\n')
    for script in bin_dir.iterdir():
        script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    capacity = api.get("/event").json()["workshops"][0]["capacity"]
    names = [f"Personne {i:02d}" for i in range(capacity)] + ["Œuvre Łukasz"]
    for name in names:
        person = server.register(name=name)
        api.post("/desk/workshops/visio/registrations", json={"participant_id": person["id"]})
    app = console(server, tmp_path / "prints")
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await until(pilot, lambda: app.stats)
        await pilot.press("f4")
        await until(pilot, lambda: app.screen.query_one("#workshops").row_count)
        await pilot.press("ctrl+e")
        await until(pilot, lambda: "Envoyé à l'imprimante" in toasts(app), what="queued")
    assert "media=A4" in (tmp_path / "spool.args").read_text()
    text, _codes = read_pdf(tmp_path / "spool.pdf")
    assert "Feuille d'émargement" in text and "Liste d'attente" in text
    assert all(name in text for name in names)
    assert text.index("Personne 11") < text.index("Liste d'attente") < text.index("Œuvre Łukasz")
