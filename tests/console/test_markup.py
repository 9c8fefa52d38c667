"""Names written as Textual markup are shown as written on every screen and in
notifications: never styled, never a click action, never a crash."""

from __future__ import annotations

import httpx
from textual.widgets import DataTable
from textual.widgets._toast import Toast

from .conftest import burst, console_for, screen_text, until

NAMES = ("[bold red]X[/] [@click=app.quit]Q[/]", "Léa [/]", "[b]Gras[/b] Ana")


def toasts(app) -> str:
    """The notifications' text as their toasts render it."""
    return "\n".join(str(Toast(n).render()) for n in app._notifications)


async def test_markup_in_names_is_shown_as_written_everywhere(server):
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    people = [{**server.register(api, name=n), "name": n} for n in NAMES]
    api.post("/seats/bookings", json={"participant_id": people[0]["id"], "slot_id": "matin",
                                      "space_id": "coworking", "seat": 1})
    httpx.post(server.url + "/api/v1/desk/requests", json={"text": "Une rallonge"},
               headers={"Authorization": f"Bearer {people[1]['token']}"}, timeout=10)
    app = console_for(server)
    async with app.run_test(size=(130, 40)) as pilot:
        await until(pilot, lambda: app.stats)
        burst(app, [p["pass_url"] for p in people])
        await until(pilot, lambda: app.stats.get("checked_in") == 3)
        assert NAMES[2] in screen_text(app)  # the desk's result and the scan panel
        await pilot.press("f2")
        await until(pilot, lambda: all(n in screen_text(app) for n in NAMES), what="arrivals")
        await pilot.press("f5")
        await until(pilot, lambda: NAMES[0] in "".join(
            str(c) for row in range(app.screen.query_one("#seat-list").row_count)
            for c in app.screen.query_one("#seat-list").get_row_at(row)), what="seat")
        await pilot.press("f7")
        await until(pilot, lambda: app.screen.query("#queue")
                    and app.screen.query_one("#queue", DataTable).row_count == 1)
        assert NAMES[1] in [str(c) for c in app.screen.query_one("#queue", DataTable)
                            .get_row_at(0)]
        await pilot.press("f4")
        await until(pilot, lambda: app.screen.query("#workshops")
                    and app.screen.query_one("#workshops").row_count)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query("#confirmed"))
        for name, search in zip(NAMES, ("Q", "Léa", "Gras"), strict=True):
            await pilot.press("ctrl+a")
            await until(pilot, lambda: app.screen.query("#who"))
            await pilot.press(*search, "enter")
            await until(pilot, lambda: app.screen.query("#people")
                        and app.screen.query_one("#people", DataTable).row_count == 1)
            await pilot.press("enter")
            await until(pilot, lambda name=name: name in toasts(app),
                        what=f"toast {name}")
        await until(pilot, lambda: all(n in screen_text(app) for n in NAMES)
                    or app.screen.query_one("#confirmed", DataTable).row_count == 3)
        assert app.is_running
