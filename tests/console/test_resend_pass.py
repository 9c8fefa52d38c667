"""'Renvoyer mon pass' at the desk: the pass link (bookings, data) shown again as a QR
for the person's own phone, against a real server."""

from __future__ import annotations

from textual.widgets import DataTable

from ..qrcodes import decode_terminal_qr
from .conftest import burst, console_for, scan, text_of, toasts, until
from .test_french_console import cut_footer_keys
from .test_scans import handled, register_many


async def test_the_highlighted_person_gets_their_pass_link_back_as_a_private_qr(server):
    server.register(name="Hélène Roux")
    zoe = server.register(name="[b]Zoé[/b] Roux")
    app = console_for(server)
    async with app.run_test(size=(120, 50), notifications=True) as pilot:
        await until(pilot, lambda: app.stats and app.event)
        await pilot.resize_terminal(80, 50)
        assert not cut_footer_keys(app), cut_footer_keys(app)
        await scan(pilot, "roux")
        table = app.screen.query_one("#found", DataTable)
        await until(pilot, lambda: table.display and table.row_count == 2, what="two Roux")
        await pilot.press("down")
        row = next(i for i in range(2) if "Zoé" in str(table.get_row_at(i)[0]))
        table.move_cursor(row=row)
        await pilot.press("ctrl+l")
        await until(pilot, lambda: app.screen.query("#pass-qr"), what="pass dialog")
        assert text_of(app.screen.query_one(".heading")).strip() == "Pass de [b]Zoé[/b] Roux"
        assert text_of(app.screen.query_one("#pass-why")).split() == (
            "Scannez ce QR avec votre téléphone : il ouvre votre pass (réservations, "
            "données). Ne le montrez à personne.").split()
        qr = decode_terminal_qr(text_of(app.screen.query_one("#pass-qr")))
        assert qr == zoe["pass_url"] and "/pass/" in qr
        # The person at the desk may be in front of the queue: scans still check in.
        dialog = app.screen
        people = register_many(server, 5, "File")
        burst(app, [p["pass_url"] for p in people])
        await handled(pilot, app, people, 5)
        assert app.screen is dialog
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is not dialog)
        server.stop()
        await pilot.press("ctrl+l")
        await until(pilot, lambda: "Le serveur ne répond pas" in toasts(app),
                    what="French unreachable message")
        assert not app.screen.query("#pass-qr")
