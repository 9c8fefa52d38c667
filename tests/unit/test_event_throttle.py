"""Open screens get the latest figures, not one message per request of a rush."""

from __future__ import annotations

import asyncio

import orjson

from popup_tierslieu.web.events import THROTTLE_SECONDS, Broadcaster


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
