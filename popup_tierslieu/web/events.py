"""Live updates: what changes is published once and fanned out to every open stream.

Each event has an audience: ``public`` (the TV screen, every pass page: counts,
programme, announcements), ``concierge`` (names of arrivals) or one
participant (``participant:<id>``, e.g. "you got a place"). A subscriber sees
what its credentials allow.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

import orjson

PUBLIC = "public"
CONCIERGE = "concierge"


def for_participant(participant_id: int) -> str:
    return f"participant:{participant_id}"


@dataclass(eq=False)  # subscribers live in a set: hashed by identity
class Subscriber:
    concierge: bool = False
    participant_id: int | None = None
    queue: asyncio.Queue[bytes | None] = field(default_factory=lambda: asyncio.Queue(256))

    def allows(self, audience: str) -> bool:
        return (audience == PUBLIC or self.concierge
                or (self.participant_id is not None
                    and audience == for_participant(self.participant_id)))


class Broadcaster:
    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()
        self._ids = itertools.count(1)

    def subscribe(self, concierge: bool = False, participant_id: int | None = None) -> Subscriber:
        subscriber = Subscriber(concierge, participant_id)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def publish(self, kind: str, data: dict[str, Any], audience: str = PUBLIC) -> None:
        message = (f"id: {next(self._ids)}\nevent: {kind}\ndata: ".encode()
                   + orjson.dumps(data) + b"\n\n")
        for subscriber in list(self.subscribers):
            if not subscriber.allows(audience):
                continue
            try:
                subscriber.queue.put_nowait(message)
            except asyncio.QueueFull:
                # A stream that cannot keep up is closed; its client reconnects and
                # reloads the state, rather than slowing everyone down.
                self._end(subscriber)

    def _end(self, subscriber: Subscriber) -> None:
        self.unsubscribe(subscriber)
        while not subscriber.queue.empty():
            subscriber.queue.get_nowait()
        subscriber.queue.put_nowait(None)

    def close_all(self) -> None:
        """End every stream (server shutting down) so shutdown does not wait on them."""
        for subscriber in list(self.subscribers):
            self._end(subscriber)
