"""Open screens get the latest figures, not one message per request of a rush."""

from __future__ import annotations

import asyncio

import orjson

from popup_tierslieu.web.events import THROTTLE_SECONDS, Broadcaster, for_participant


def received(subscriber) -> list[tuple[str, dict]]:
    out = []
    while not subscriber.queue.empty():
        lines = subscriber.queue.get_nowait().decode().splitlines()
        out.append((lines[1].removeprefix("event: "),
                    orjson.loads(lines[2].removeprefix("data: "))))
    return out


async def test_a_rush_of_figures_reaches_a_screen_as_the_first_and_the_latest():
    events = Broadcaster()
    screen = events.subscribe()
    for n in range(1, 101):
        events.publish("stats", {"registered": n})
        events.publish("checkin", {"participant_id": n}, audience="concierge")
    events.publish("swap", {"id": 7})
    assert received(screen) == [("stats", {"registered": 1}), ("swap", {"id": 7})]
    await asyncio.sleep(THROTTLE_SECONDS * 1.5)
    assert received(screen) == [("stats", {"registered": 100})]
    await asyncio.sleep(THROTTLE_SECONDS * 1.5)
    assert received(screen) == []
    events.publish("stats", {"registered": 101})  # a quiet moment: sent at once
    assert received(screen) == [("stats", {"registered": 101})]


async def test_each_workshop_keeps_its_own_latest_figures():
    events = Broadcaster()
    screen = events.subscribe()
    for n in range(5):
        events.publish("workshop", {"id": "a", "confirmed": n})
        events.publish("workshop", {"id": "b", "confirmed": 10 + n})
    await asyncio.sleep(THROTTLE_SECONDS * 1.5)
    assert received(screen) == [
        ("workshop", {"id": "a", "confirmed": 0}), ("workshop", {"id": "b", "confirmed": 10}),
        ("workshop", {"id": "a", "confirmed": 4}), ("workshop", {"id": "b", "confirmed": 14})]


async def test_figures_are_computed_when_they_go_out_not_per_request():
    """A rush of check-ins asks for the counts 100 times; the screen gets them twice, so
    they are computed twice (and never while no screen is open)."""
    events = Broadcaster()
    computed = []

    def figures() -> dict:
        computed.append(1)
        return {"checked_in": len(computed)}

    for _ in range(100):
        events.publish_latest("stats", figures)
    assert computed == []
    screen, desk = events.subscribe(), events.subscribe(concierge=True)
    for _ in range(100):
        events.publish_latest("stats", figures)
    await asyncio.sleep(THROTTLE_SECONDS * 1.5)
    assert len(computed) == 2
    assert received(screen) == [("stats", {"checked_in": 1}), ("stats", {"checked_in": 2})]
    assert received(desk) == [("stats", {"checked_in": 1}), ("stats", {"checked_in": 2})]


async def test_each_event_reaches_only_the_streams_allowed_to_read_it():
    events = Broadcaster()
    screen, desk = events.subscribe(), events.subscribe(concierge=True)
    ana, bruno = events.subscribe(participant_id=1), events.subscribe(participant_id=2)
    events.publish("checkin", {"name": "Ana"}, audience="concierge")
    events.publish("promoted", {"workshop_id": "visio"}, audience=for_participant(1))
    assert received(screen) == [] and received(bruno) == []
    assert received(desk) == [("checkin", {"name": "Ana"}),
                              ("promoted", {"workshop_id": "visio"})]
    assert received(ana) == [("promoted", {"workshop_id": "visio"})]
    events.unsubscribe(desk)
    events.publish("checkin", {"name": "Bruno"}, audience="concierge")
    assert received(desk) == []
