"""The memory of the activities (F8) against a real server on loopback."""

from __future__ import annotations

import httpx
from textual.widgets import DataTable, Input, TextArea

from .conftest import console_for, until


async def test_log_lines_and_a_desk_note_reach_the_server(server):
    app = console_for(server)
    async with app.run_test(size=(110, 50)) as pilot:
        await until(pilot, lambda: app.stats and app.event)
        await pilot.press("f8")
        await until(pilot, lambda: app.screen.query("#log-line"), what="journal screen")
        table = app.screen.query_one("#journal", DataTable)
        assert app.screen.focused is app.screen.query_one("#log-line", Input)
        await pilot.press(*"Coupure Wi-Fi, relancée", "enter")
        await until(pilot, lambda: table.row_count == 1, what="one log line")
        assert str(table.get_row_at(0)[1]) == "Coupure Wi-Fi, relancée"

        app.screen.query_one("#note-title", Input).value = "Prévoir des multiprises"
        app.screen.query_one("#note-body", TextArea).text = "Au moins **trois**."
        await pilot.press("ctrl+s")

        def published() -> list:
            return httpx.get(server.url + "/api/v1/notes", timeout=5).json()["notes"]

        await until(pilot, lambda: published(), what="the note on the server")
        (note,) = published()
        assert note["title"] == "Prévoir des multiprises"
        assert note["author_kind"] == "concierge" and note["kind"] == "worked"
        assert app.screen.query_one("#note-title", Input).value == ""
    entries = httpx.get(server.url + "/api/v1/journal", headers=server.concierge,
                        timeout=5).json()["entries"]
    assert [e["text"] for e in entries] == ["Coupure Wi-Fi, relancée"]


async def test_ctrl_x_hides_the_highlighted_note_from_the_portal(server):
    me = server.register(name="Hélène Roux")
    response = httpx.post(server.url + "/api/v1/notes", timeout=5,
                          headers={"Authorization": f"Bearer {me['token']}"},
                          json={"title": "Propos déplacés", "body": "…", "kind": "idea"})
    note_id = response.json()["id"]
    app = console_for(server)
    async with app.run_test(size=(110, 50)) as pilot:
        await until(pilot, lambda: app.stats and app.event)
        await pilot.press("f8")
        await until(pilot, lambda: app.screen.query("#notes"), what="journal screen")
        table = app.screen.query_one("#notes", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="the note listed")
        assert str(table.get_row_at(0)[2]) == "Hélène Roux"
        table.focus()
        await pilot.press("ctrl+x")
        await until(pilot, lambda: str(table.get_row_at(0)[3]) == "masquée", what="hidden")
    assert httpx.get(f"{server.url}/notes/{note_id}", timeout=5).status_code == 404
