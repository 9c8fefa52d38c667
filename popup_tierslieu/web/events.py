"""Live updates: what changes is published once and fanned out to every open stream.

Each event has an audience: ``public`` (the TV screen, every pass page: counts,
programme, announcements), ``concierge`` (names of arrivals) or one
participant (``participant:<id>``, e.g. "you got a place"). A subscriber sees
what its credentials allow.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
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


# Figures that only matter by their latest value. Under a rush they go out at most once
# per THROTTLE_SECONDS (the first at once, the latest at the end of the interval), not
# once per request: with 200 screens open, each registration or check-in otherwise
# costs 200 stream writes (bench/arrivals.py).
LATEST_ONLY = {"stats", "workshop"}
THROTTLE_SECONDS = 0.5
_NOBODY: frozenset[Any] = frozenset()  # no stream of an audience (never added to)

Figures = Callable[[], dict[str, Any]]


class Broadcaster:
    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()
        # Who may read each audience's events, so that an event walks only its readers
        # (a check-in's name goes to the one or two desks, not past 200 pass pages).
        self._readers: dict[str, set[Subscriber]] = {}
        self._ids = itertools.count(1)
        self._held: dict[tuple[str, str, Any], tuple[str, Figures, str]] = {}
        self._sent_at: dict[tuple[str, str, Any], float] = {}
        self._flush: asyncio.TimerHandle | None = None

    def subscribe(self, concierge: bool = False, participant_id: int | None = None) -> Subscriber:
        subscriber = Subscriber(concierge, participant_id)
        self.subscribers.add(subscriber)
        for audience in self._audiences(subscriber):
            self._readers.setdefault(audience, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
        for audience in self._audiences(subscriber):
            readers = self._readers.get(audience)
            if readers is not None:
                readers.discard(subscriber)
                if not readers:
                    del self._readers[audience]

    @staticmethod
    def _audiences(subscriber: Subscriber) -> list[str]:
        own = [CONCIERGE] if subscriber.concierge else []
        if subscriber.participant_id is not None:
            own.append(for_participant(subscriber.participant_id))
        return own

    def readers(self, audience: str) -> set[Subscriber] | frozenset[Subscriber]:
        """The open streams an event of ``audience`` goes to: public events to every
        stream, a participant's own news to theirs, and everything to the desks."""
        if audience == PUBLIC:
            return self.subscribers
        found = self._readers.get(audience, _NOBODY)
        if audience != CONCIERGE:  # a participant's own news: the desks see it too
            found = found | self._readers.get(CONCIERGE, _NOBODY)
        return found

    def publish(self, kind: str, data: dict[str, Any], audience: str = PUBLIC) -> None:
        if kind in LATEST_ONLY:
            self.publish_latest(kind, lambda: data, audience, key=data.get("id"))
        else:
            self._fan_out(kind, data, audience)

    def publish_latest(self, kind: str, figures: Figures, audience: str = PUBLIC,
                       key: Any = None) -> None:
        """Figures that only matter by their latest value (``kind`` and ``key`` name
        them), computed only when they go out: once per interval however many requests
        changed them, and not at all while no stream would read them."""
        if not self.readers(audience):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or not self._throttled(loop, (kind, audience, key),
                                               (kind, figures, audience)):
            self._fan_out(kind, figures(), audience)

    def _throttled(self, loop: asyncio.AbstractEventLoop, key: tuple[str, str, Any],
                   event: tuple[str, Figures, str]) -> bool:
        """True if the event is held for the end of the interval (a newer one replaces it)."""
        now = loop.time()
        if key not in self._held and now - self._sent_at.get(key, -THROTTLE_SECONDS) >= \
                THROTTLE_SECONDS:
            self._sent_at[key] = now
            return False
        self._held[key] = event
        if self._flush is None:
            self._flush = loop.call_later(THROTTLE_SECONDS, self._send_held)
        return True

    def _send_held(self) -> None:
        self._flush = None
        held, self._held = self._held, {}
        now = asyncio.get_running_loop().time()
        for key, (kind, figures, audience) in held.items():
            self._sent_at[key] = now
            if self.readers(audience):
                self._fan_out(kind, figures(), audience)

    def _fan_out(self, kind: str, data: dict[str, Any], audience: str) -> None:
        readers = self.readers(audience)
        if not readers:
            return
        message = (f"id: {next(self._ids)}\nevent: {kind}\ndata: ".encode()
                   + orjson.dumps(data) + b"\n\n")
        for subscriber in list(readers):
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
        if self._flush is not None:
            self._flush.cancel()
            self._flush = None
        for subscriber in list(self.subscribers):
            self._end(subscriber)
