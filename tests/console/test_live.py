"""Workshops, the live stream, and a server that goes away and comes back."""

from __future__ import annotations

import httpx
from textual.widgets import DataTable

from popup_tierslieu import i18n
from popup_tierslieu.kit import starter_text

from .conftest import console_for, screen_text, text_of, until

_ = i18n.gettext


async def test_opening_a_workshop_shows_who_is_in_and_who_waits(make_server, tmp_path):
    kit = tmp_path / "small.toml"
    kit.write_text(starter_text().replace("capacity = 12", "capacity = 1", 1))
    server = make_server(kit=str(kit))
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    for name in ("Ana Lopez", "Bruno Petit", "Chloé Girard"):
        person = server.register(name=name)
        api.post("/desk/workshops/visio/registrations", json={"participant_id": person["id"]})
    app = console_for(server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.stats)
        await pilot.press("f4")
        table = app.screen.query_one("#workshops", DataTable)
        await until(pilot, lambda: table.row_count == 3, what="workshop list")
        assert str(table.get_row_at(0)[3]) == "1/1"
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query("#waitlisted"))
        waiting = app.screen.query_one("#waitlisted", DataTable)
        await until(pilot, lambda: waiting.row_count == 2, what="waiting list")
        assert [str(waiting.get_row_at(i)[1]) for i in range(2)] == ["Bruno Petit",
                                                                    "Chloé Girard"]
        confirmed = app.screen.query_one("#confirmed", DataTable)
        assert str(confirmed.get_row_at(0)[0]) == "Ana Lopez"
        # At the door: Ana came.
        await pilot.press("space")
        await until(pilot, lambda: str(confirmed.get_row_at(0)[2]) == "✓", what="attended")
        # Ana leaves the workshop: Bruno, first waiting, gets her place.
        await pilot.press("delete")
        await until(pilot, lambda: app.screen.query("#yes"))
        await pilot.press("ctrl+o")
        await until(pilot, lambda: confirmed.row_count == 1
                    and str(confirmed.get_row_at(0)[0]) == "Bruno Petit", what="promotion")
        assert waiting.row_count == 1


async def test_banner_when_the_server_stops_and_recovery_when_it_is_back(server):
    app = console_for(server)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.stats)
        banner = app.screen.query_one(".banner")
        assert not banner.has_class("down")
        server.stop()
        await until(pilot, lambda: banner.has_class("down"), what="banner")
        assert _("Server unreachable, retrying…") in text_of(banner) or _(
            "The server closed the connection, reconnecting…") in text_of(banner)
        server.start()  # same port, same event folder
        await until(pilot, lambda: not banner.has_class("down"), timeout=15, what="recovery")
        person = server.register(name="Après Coupure")
        # The stream is live again: an arrival elsewhere shows up without a key press.
        httpx.post(server.url + "/api/v1/checkins", json={"token": person["token"]},
                   headers=server.concierge, timeout=10)
        await until(pilot, lambda: app.stats.get("checked_in") == 1, what="live update")
        await pilot.press("f2")
        await until(pilot, lambda: "Après Coupure" in screen_text(app), what="arrival")


async def test_a_wrong_token_says_so_in_the_banner(server):
    from popup_tierslieu.console.app import create_app
    from popup_tierslieu.console.client import ApiClient

    app = create_app(ApiClient(server.url, "not-the-token", lang="fr"))
    async with app.run_test(size=(100, 30)) as pilot:
        banner = app.screen.query_one(".banner")
        await until(pilot, lambda: banner.has_class("down"), what="banner")
        assert "HTTP" not in text_of(banner)
        assert "concierge.token" in text_of(banner)
