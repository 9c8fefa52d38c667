"""The concierge's queue of desk requests, announcements and moderation, against a real
server: what a participant asks on their phone appears live; the concierge takes it,
closes it, announces and hides, and the participant's side follows."""

from __future__ import annotations

import httpx
from textual.widgets import Button, DataTable, Input

from .conftest import console_for, until


def bearer(person: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {person['token']}"}


def statuses(server, person: dict) -> list[str]:
    mine = httpx.get(server.url + "/api/v1/me/desk/requests", headers=bearer(person), timeout=10)
    return [r["status"] for r in mine.json()["requests"]]


async def test_the_queue_takes_and_closes_requests_announces_and_hides(server):
    ana = server.register(name="Ana [b]Lopez[/b]")
    app = console_for(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.stats, what="first figures")
        await pilot.press("f7")
        queue = app.screen.query_one("#queue", DataTable)
        # Asked on the phone while the console is open: it appears without a key press.
        httpx.post(server.url + "/api/v1/desk/requests", headers=bearer(ana), timeout=10,
                   json={"item": "Multiprise", "text": "<script>x</script>"})
        await until(pilot, lambda: queue.row_count == 1, what="request in the queue")
        row = [str(cell) for cell in queue.get_row_at(0)]
        assert row[2:5] == ["Ana [b]Lopez[/b]", "en attente", "Multiprise · <script>x</script>"]

        queue.focus()
        await pilot.press("ctrl+t")
        await until(pilot, lambda: statuses(server, ana) == ["taken"], what="taken")
        await until(pilot, lambda: str(queue.get_row_at(0)[3]) == "pris en charge")
        await pilot.press("ctrl+d")
        await until(pilot, lambda: statuses(server, ana) == ["done"], what="done")
        await until(pilot, lambda: queue.row_count == 0, what="queue emptied")

        announce = app.screen.query_one("#announce", Input)
        announce.focus()
        await pilot.press(*"Atelier B en salle 2", "enter")
        board = app.screen.query_one("#board", DataTable)
        await until(pilot, lambda: board.row_count == 1, what="announcement listed")
        shown = httpx.get(server.url + "/api/v1/announcements", timeout=10).json()
        assert [a["text"] for a in shown["announcements"]] == ["Atelier B en salle 2"]

        board.focus()
        await pilot.press("ctrl+x")
        await until(pilot, lambda: board.row_count == 0, what="hidden")
        shown = httpx.get(server.url + "/api/v1/announcements", timeout=10).json()
        assert shown["announcements"] == []


async def test_a_popular_offer_becomes_a_workshop_from_the_console(server):
    ana, bruno, chloe = (server.register(name=n) for n in ("Ana", "Bruno", "Chloé"))
    swap = server.url + "/api/v1/swap"
    httpx.post(swap, headers=bearer(ana), timeout=10, json={
        "kind": "offer", "title": "Tenir sa comptabilité", "category": "Gestion et comptabilité"})
    for person in (bruno, chloe):
        httpx.post(swap, headers=bearer(person), timeout=10, json={
            "kind": "request", "title": "Logiciel comptable",
            "category": "Gestion et comptabilité"})
    app = console_for(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.event, what="event loaded")
        await pilot.press("f7")
        await pilot.press("ctrl+w")
        await until(pilot, lambda: app.screen.query("#popular"), what="workshop dialog")
        table = app.screen.query_one("#popular", DataTable)
        assert [str(c) for c in table.get_row_at(0)] == ["Tenir sa comptabilité", "Ana", "2"]
        for field, value in (("#start", "15:00"), ("#end", "14:00"), ("#capacity", "8")):
            app.screen.query_one(field, Input).value = value
        await pilot.click("#create")
        await until(pilot, lambda: "La fin doit suivre le début" in str(
            app.screen.query_one("#problem").content), what="refused: end before start")
        app.screen.query_one("#end", Input).value = "16:00"
        app.screen.query_one("#create", Button).focus()
        await pilot.pause(0.3)  # let the refused attempt's worker and the focus settle
        await pilot.press("enter")
        await until(pilot, lambda: not app.screen.query("#popular"), what="dialog closed")
    me = httpx.get(server.url + "/api/v1/me/swap", headers=bearer(bruno), timeout=10).json()
    assert [(w["title"], w["start"][11:16], w["registered"]) for w in me["workshops"]] == [
        ("Tenir sa comptabilité", "15:00", False)]
