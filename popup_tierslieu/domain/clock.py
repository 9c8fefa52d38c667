"""Time in the event's own zone: stored instants are UTC, rules think in local time."""

from __future__ import annotations

import datetime as dt
import zoneinfo


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def stamp(moment: dt.datetime) -> str:
    """How instants are stored: ISO 8601 in UTC, to the second."""
    if moment.tzinfo is not dt.UTC:  # the server's own clock already is (no conversion)
        moment = moment.astimezone(dt.UTC)
    return moment.isoformat(timespec="seconds")


def parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def local(moment: dt.datetime, timezone: str) -> dt.datetime:
    """An aware instant as the naive local time the kit is written in."""
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).replace(tzinfo=None)


def local_day(moment: dt.datetime, timezone: str) -> dt.date:
    """The day an aware instant falls on in the event's zone (what ``local(...).date()``
    gives, without building the naive time: every check-in asks it)."""
    return moment.astimezone(zoneinfo.ZoneInfo(timezone)).date()
