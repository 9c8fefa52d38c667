"""Keys: every action is in the help screen and the command palette; a scanner firing
while the results list has the focus still checks the right pass in; seats and the
checklist change on the server."""

from __future__ import annotations

import httpx
from textual.binding import Binding
from textual.widgets import DataTable, Input

from popup_tierslieu import i18n
from popup_tierslieu.console.app import SECTIONS
from popup_tierslieu.console.screens.help import key_label

from .conftest import console_for, text_of, until

_ = i18n.gettext


async def test_help_and_palette_list_every_key_and_section(server):
    app = console_for(server)
    async with app.run_test(size=(110, 40)) as pilot:
        await until(pilot, lambda: app.stats)
        desk = app.screen
        titles = {c.title for c in app.get_system_commands(desk)}
        for entry in SECTIONS:
            assert _(entry.title) in titles
        for binding in type(desk).BINDINGS:
            assert binding.description in titles
        await pilot.press("f1")
        await until(pilot, lambda: app.screen.query("#keys"))
        shown = text_of(app.screen.query_one("#keys"))
        for binding in [*app.BINDINGS, *type(desk).BINDINGS]:
            assert isinstance(binding, Binding)
            assert key_label(binding.key) in shown and binding.description in shown
        await pilot.press("escape")
        assert app.screen is desk
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*_("Day checklist"))
        await pilot.pause(0.3)
        await pilot.press("enter")
        await until(pilot, lambda: app.current_mode == "checklist", what="palette")


async def test_a_scan_while_the_results_have_the_focus_checks_in_the_scanned_pass(server):
    server.register(name="Hélène Roux")
    other = server.register(name="Hélène Blanc")
    app = console_for(server)
    async with app.run_test(size=(110, 36)) as pilot:
        await until(pilot, lambda: app.stats)
        await pilot.press(*"helene", "enter")
        table = app.screen.query_one("#found", DataTable)
        await until(pilot, lambda: table.row_count == 2)
        await pilot.press("down")
        assert app.screen.focused is table
        await pilot.press(*other["token"], "enter")
        await until(pilot, lambda: "good" in app.screen.query_one("#result").classes)
        assert "Hélène Blanc" in text_of(app.screen.query_one("#result"))
        assert app.screen.focused is app.screen.query_one("#scan", Input)


async def test_assign_and_free_a_seat_and_tick_the_checklist(server):
    person = server.register(name="Hélène Roux")
    app = console_for(server)
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    async with app.run_test(size=(110, 40)) as pilot:
        await until(pilot, lambda: app.stats)
        await pilot.press("f5")
        seats = app.screen.query_one("#seat-list", DataTable)
        await until(pilot, lambda: seats.row_count == 24)
        await pilot.press("down", "enter")  # seat 2 of the morning, free
        await until(pilot, lambda: app.screen.query("#who"))
        await pilot.press(*"helene", "enter")
        await until(pilot, lambda: app.screen.query_one("#people", DataTable).row_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: str(seats.get_row_at(1)[3]) == "Hélène Roux", what="seat")
        booked = api.get("/seats").json()["seats"][0]["bookings"]
        assert [(b["seat"], b["participant_id"]) for b in booked] == [(2, person["id"])]
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query("#yes"))
        await pilot.press("escape")  # changed their mind: nothing freed
        await pilot.pause(0.2)
        assert str(seats.get_row_at(1)[3]) == "Hélène Roux"
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query("#yes"))
        await pilot.press("ctrl+o")
        await until(pilot, lambda: str(seats.get_row_at(1)[3]) == _("free"), what="freed")
        await pilot.press("f6")
        checklist = app.screen.query_one("#checklist", DataTable)
        await until(pilot, lambda: checklist.row_count == 6)
        await pilot.press("space")
        await until(pilot, lambda: str(checklist.get_row_at(0)[0]) == "[x]", what="tick")
        assert api.get("/desk/checklist").json()["items"][0]["ticked"] is True
