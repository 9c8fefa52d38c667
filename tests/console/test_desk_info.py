"""What the concierge sees wherever they are: new participant requests, room names and
days on a multi-day event, and how to open a second desk (F9)."""

from __future__ import annotations

import datetime as dt

import httpx
from textual.widgets import DataTable

from popup_tierslieu.kit import starter_text

from .conftest import console_for, screen_text, text_of, until


async def test_new_requests_show_on_every_screen_and_f9_tells_the_second_desk(server):
    person = server.register(name="Bruno Petit")
    app = console_for(server)
    app.token_file = server.data_dir / "concierge.token"
    async with app.run_test(size=(120, 50)) as pilot:
        await until(pilot, lambda: app.stats)
        await pilot.press("f5")
        await until(pilot, lambda: app.screen.query("#seat-list"))
        figures = app.screen.query_one(".figures")
        assert "F7" not in text_of(figures)
        sent = httpx.post(server.url + "/api/v1/desk/requests", json={"text": "Une rallonge"},
                          headers={"Authorization": f"Bearer {person['token']}"}, timeout=10)
        assert sent.status_code == 201
        await until(pilot, lambda: "1 demande(s) nouvelle(s) (F7)" in text_of(figures),
                    what="request counter")
        await pilot.press("f2")
        await until(pilot, lambda: "1 demande(s) nouvelle(s) (F7)" in text_of(
            app.screen.query_one(".figures")), what="counter on the dashboard")
        await pilot.press("f9")
        await until(pilot, lambda: app.screen.query("#second-desk"))
        shown = screen_text(app)
        assert f'popup console --url {server.url} --token "$(cat concierge.token)"' in shown
        assert str(server.data_dir / "concierge.token") in shown.replace("\n", "")


async def test_workshops_name_their_room_and_day_on_a_two_day_event(make_server, tmp_path):
    kit = tmp_path / "two-days.toml"
    text = starter_text(dt.date(2030, 6, 15)).replace("end_date = 2030-06-15",
                                                      "end_date = 2030-06-16")
    kit.write_text(text.replace("start = 2030-06-15T16:00:00\nend = 2030-06-15T17:00:00",
                                "start = 2030-06-16T16:00:00\nend = 2030-06-16T17:00:00"))
    server = make_server(kit=str(kit))
    app = console_for(server)
    async with app.run_test(size=(120, 34)) as pilot:
        await until(pilot, lambda: app.stats and app.event)
        await pilot.press("f4")
        table = app.screen.query_one("#workshops", DataTable)
        await until(pilot, lambda: table.row_count == 3)
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(3)]
        assert [row[0] for row in rows] == ["15/06 10:30", "15/06 14:00", "16/06 16:00"]
        assert {row[2] for row in rows} == {"Salle de réunion"}
