"""Scans as a USB scanner sends them, on every screen and dialog, against a real server:
bursts, pastes, the wrong keyboard layout, a server that goes away, undo."""

from __future__ import annotations

import datetime as dt

import httpx
from textual import events

from popup_tierslieu import domain, i18n
from popup_tierslieu.console.app import ConsoleApp
from popup_tierslieu.console.scanner import AZERTY_ON_QWERTY
from popup_tierslieu.console.screens.dialogs import PassScreen
from popup_tierslieu.console.screens.printing import PaperChoice
from popup_tierslieu.console.widgets import outcome
from popup_tierslieu.domain import participants
from popup_tierslieu.store import Store

from .conftest import burst, console_for, scan, text_of, until

_ = i18n.gettext


DIALOGS = {"confirm", "help", "portal QR", "pass QR"}


def register_many(server, count: int, prefix: str) -> list[dict]:
    """People registered by the desk (no rate limit), with the name it should show."""
    with httpx.Client(timeout=10, headers=server.concierge) as client:
        names = [f"{prefix} {i:02d}" for i in range(count)]
        return [{**server.register(client, name=name), "name": name} for name in names]


def latest_names(app) -> list[str]:
    return [r.name for r in app.scans.history]


async def handled(pilot, app, people: list[dict], checked_in: int) -> None:
    """All scans answered, in order, each a welcome, and the server's count moved by
    exactly them."""
    await until(pilot, lambda: not len(app.scans.queue) and app.scans.history
                and app.scans.history[0].name == people[-1]["name"], what="all answered")
    shown = min(len(people), len(app.scans.history))
    assert latest_names(app)[:shown] == [p["name"] for p in reversed(people)][:shown]
    assert all(r.seen is outcome.WELCOME for r in list(app.scans.history)[:shown])
    stats = await app.client.stats()
    assert stats["checked_in"] == checked_in


async def test_twenty_scans_in_one_burst_on_every_screen_and_dialog(server):
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    api.post("/desk/workshops/visio/registrations",
             json={"participant_id": server.register(name="Ana Lopez")["id"]})
    app = console_for(server)

    async def roster(pilot):
        await pilot.press("f4")
        await until(pilot, lambda: app.screen.query("#workshops")
                    and app.screen.query_one("#workshops").row_count)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query("#confirmed"))

    async def confirm(pilot):  # "Annuler cet atelier ?" open
        await roster(pilot)
        await until(pilot, lambda: app.screen.roster)
        await pilot.press("ctrl+x")
        await until(pilot, lambda: app.screen.query("#yes"))

    async def pick_person(pilot):
        await roster(pilot)
        await pilot.press("ctrl+a")
        await until(pilot, lambda: app.screen.query("#who"))

    async def walk_in(pilot):
        await pilot.press("f3", "ctrl+n")
        await until(pilot, lambda: app.screen.query("#walk-in"))

    async def pass_qr(pilot):
        app.push_screen(PassScreen("Zoé", server.url + "/pass/" + "A" * 22, 1))
        await until(pilot, lambda: app.screen.query("#pass-qr"))

    async def focus(pilot, key: str, widget: str):
        await pilot.press(key)
        await until(pilot, lambda: app.screen.query(widget))
        app.screen.query_one(widget).focus()

    places = {
        "desk": lambda p: p.press("f3"),
        "dashboard": lambda p: p.press("f2"),
        "workshops": lambda p: p.press("f4"),
        "roster": roster, "confirm": confirm, "pick person": pick_person,
        "seats": lambda p: p.press("f5"), "checklist": lambda p: p.press("f6"),
        "announcement": lambda p: focus(p, "f7", "#announce"),
        "log line": lambda p: focus(p, "f8", "#log-line"),
        "help": lambda p: p.press("f1"), "portal QR": lambda p: p.press("f9"),
        "walk-in form": walk_in, "pass QR": pass_qr,
        "paper choice": lambda p: app.push_screen(PaperChoice("Zoé")),
    }
    async with app.run_test(size=(100, 34)) as pilot:
        await until(pilot, lambda: app.stats and app.event)
        done = 0
        for place, go in places.items():
            await go(pilot)
            screen = app.screen
            people = register_many(server, 20, place.title())
            burst(app, [p["pass_url"] for p in people])
            done += 20
            await handled(pilot, app, people, done)
            if place in DIALOGS:  # a code that is no pass: ignored, Enter included
                burst(app, ["http://example.org/menu", "WIFI:S:Tiers-lieu;;"])
                await pilot.pause()
            assert app.screen is screen, f"{place}: the burst changed the screen"
            while len(app.screen_stack) > 1:
                app.pop_screen()
            await pilot.pause()
        # Pasted all at once (a scanner in "paste" mode), into the log line.
        await focus(pilot, "f8", "#log-line")
        people = register_many(server, 20, "Paste")
        app.post_message(events.Paste("\n".join(p["pass_url"] for p in people) + "\n"))
        await handled(pilot, app, people, done + 20)
        assert app.screen.query_one("#log-line").value == ""
    assert api.get("/announcements").json()["announcements"] == []
    assert api.get("/journal").json()["entries"] == []
    assert not any(item["ticked"] for item in api.get("/desk/checklist").json()["items"])
    assert not any(w["cancelled"] for w in api.get("/stats").json()["workshops"])
    assert [p["name"] for p in api.get("/desk/workshops/visio").json()["confirmed"]] == [
        "Ana Lopez"]
    assert api.get("/stats").json()["registered"] == 1 + 20 * (len(places) + 1)


async def test_a_scan_typed_key_by_key_on_the_announcement_field(server):
    person = {**server.register(name="Hélène Roux"), "name": "Hélène Roux"}
    app = console_for(server)
    async with app.run_test(size=(100, 34)) as pilot:
        await until(pilot, lambda: app.stats)
        await pilot.press("f7")
        await until(pilot, lambda: app.screen.query("#announce"))
        app.screen.query_one("#announce").focus()
        await scan(pilot, person["pass_url"])
        await handled(pilot, app, [person], 1)
        assert app.screen.query_one("#announce").value == ""
        # Typing is still typing: held keys come out in order at the first space, and
        # the rest after a pause (the console's own, not the test's long one).
        app.scan_quiet = ConsoleApp.scan_quiet
        await pilot.press(*"Salle pleine")
        await until(pilot, lambda: app.screen.query_one("#announce").value == "Salle pleine")


async def test_scans_wait_on_the_desk_while_the_server_is_down(server):
    people = register_many(server, 3, "Hors ligne")
    app = console_for(server)
    async with app.run_test(size=(100, 34)) as pilot:
        await until(pilot, lambda: app.stats)
        burst(app, [people[0]["pass_url"]])
        await handled(pilot, app, people[:1], 1)
        server.stop()
        before = dt.datetime.now().astimezone().replace(microsecond=0)
        burst(app, [p["pass_url"] for p in people[1:]])
        latest = app.screen.query_one("#scan-latest")
        await until(pilot, lambda: "wait" in latest.classes, what="waiting")
        assert text_of(latest).strip() == "… en attente, 2 scans à envoyer"
        # Nothing of the previous person on the panel's first line nor the desk's result.
        assert people[0]["name"] not in text_of(latest)
        result = app.screen.query_one("#result")
        assert "wait" in result.classes and people[0]["name"] not in text_of(result)
        queued = app.scans.queue.pending()
        assert [q["text"] for q in queued] == [p["pass_url"] for p in people[1:]]
        assert app.scans.queue.path.read_text().count("scanned_at") == 2
        server.start()
        await handled(pilot, app, people, 3)
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    arrivals = {a["name"]: a["at"] for a in api.get("/stats").json()["arrivals"]}
    for entry, person in zip(queued, people[1:], strict=True):
        at = dt.datetime.fromisoformat(arrivals[person["name"]])
        assert at == dt.datetime.fromisoformat(entry["scanned_at"]) and at >= before


async def test_a_qwerty_scanner_on_azerty_then_undo_the_wrong_namesake(server):
    wrong = server.register(name="Marie Martin", commune="Cucuron")
    server.register(name="Marie Martin", commune="Lourmarin")
    app = console_for(server)
    async with app.run_test(size=(100, 34)) as pilot:
        await until(pilot, lambda: app.stats)
        typed = wrong["pass_url"].translate(AZERTY_ON_QWERTY)
        assert typed.startswith("httpM!!&éè:à:à:&M")
        burst(app, [typed])
        await until(pilot, lambda: app.stats.get("checked_in") == 1)
        result = text_of(app.screen.query_one("#result"))
        assert "Marie Martin" in result and "AZERTY" in result
        await pilot.press("ctrl+z")
        await until(pilot, lambda: app.screen.query("#yes"))
        assert "Cucuron" in text_of(app.screen.query_one(".question"))
        await pilot.press("ctrl+o")
        await until(pilot, lambda: app.stats.get("checked_in") == 0, what="undone")
        assert app.scans.history[0].seen.word == "Check-in undone"
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    assert len(api.get("/journal").json()["entries"]) == 1


async def test_undo_names_someone_without_a_commune_with_no_empty_brackets(make_server):
    server = make_server(start=False)
    code = participants.new_token()
    # Someone registered without a commune (an event folder from before it was asked).
    with Store.open(server.data_dir, indexes=domain.INDEXES) as store:
        store.insert("participants", {
            "name": "Awa Diallo", "profile": "Habitant·e", "consent": True, "lang": "fr",
            "token": participants.new_token(), "checkin_code": code, "source": "portal",
            "created_at": "2030-06-15T08:00:00+00:00"})
        store.commit_sync()
    server.start()
    app = console_for(server)
    async with app.run_test(size=(100, 34)) as pilot:
        await until(pilot, lambda: app.stats)
        burst(app, [code])
        await until(pilot, lambda: app.stats.get("checked_in") == 1)
        await pilot.press("ctrl+z")
        await until(pilot, lambda: app.screen.query("#yes"))
        question = " ".join(text_of(app.screen.query_one(".question")).split())
        assert question == "Annuler l'arrivée de Awa Diallo ?"


async def test_a_scan_reads_out_todays_seat_with_its_slot_and_zone_names(server):
    person = server.register(name="Yanis Morel")
    event = httpx.get(server.url + "/api/v1/event", timeout=10).json()
    slot, space = event["slots"][0], event["spaces"][0]
    booked = httpx.post(server.url + "/api/v1/seats/bookings", json={
        "slot_id": slot["id"], "space_id": space["id"]},
        headers={"Authorization": f"Bearer {person['token']}"}, timeout=10)
    assert booked.status_code == 201, booked.text
    app = console_for(server)
    async with app.run_test(size=(100, 34)) as pilot:
        await until(pilot, lambda: app.stats)
        burst(app, [person["pass_url"]])
        await until(pilot, lambda: app.stats.get("checked_in") == 1)
        result = " ".join(text_of(app.screen.query_one("#result")).split())
        assert f"{slot['label']} : {space['name']}, poste {booked.json()['seat']}" in result
