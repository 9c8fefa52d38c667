"""Requests to the desk (a power strip, printing, a meal order...) and announcements.

A request goes ``open`` -> ``taken`` (the concierge is on it) -> ``done``; the
participant may cancel it while it is open. Announcements are short notices the
concierge posts for everyone; moderation hides one without erasing it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import N_, Conflict, InvalidInput, NotFound
from ..kit import Kit
from . import clock, records, swap
from .checkins import refuse_scan_text
from .participants import text_field

TEXT_MAX = 300
ANNOUNCEMENT_MAX = 300
REQUEST_LIMIT = 5
# Which status each concierge action moves a request to, and from which.
MOVES = {"take": ({"open"}, "taken"), "done": ({"open", "taken"}, "done"),
         "reopen": ({"taken", "done"}, "open")}


# ------------------------------------------------------------- desk requests
def send(store: Any, kit: Kit, participant_id: int, item: Any = None, text: Any = None,
         now: dt.datetime | None = None) -> dict[str, Any]:
    """A participant asks the desk for something from the kit's list, or in their words."""
    now = now or clock.utcnow()
    item = item or None
    if item is not None and item not in kit.desk_requests:
        raise InvalidInput("Some fields need your attention.",
                           fields={"item": N_("Choose a request from the list.")})
    words = refuse_scan_text(store, text_field(text, TEXT_MAX, "text"), "text")
    if item is None and not words:
        raise InvalidInput("Choose a request from the list or write what you need.",
                           fields={"text": N_("This field is required.")})
    swap.check_rate((r["created_at"] for r in store.find("desk_requests",
                                                          participant_id=participant_id)),
                     REQUEST_LIMIT, now)
    record = {"participant_id": participant_id, "item": item, "text": words, "status": "open",
              "created_at": clock.stamp(now), "updated_at": clock.stamp(now)}
    record["id"] = store.insert("desk_requests", record)
    return record


def _request(store: Any, request_id: Any) -> dict[str, Any]:
    found = records.by_id(store, "desk_requests", request_id)
    if found is None:
        raise NotFound("Unknown request.")
    return found


def move(store: Any, request_id: Any, action: str,
         now: dt.datetime | None = None) -> dict[str, Any]:
    """The concierge takes a request, marks it done, or reopens it."""
    if action not in MOVES:
        raise InvalidInput("Unknown action.")
    found = _request(store, request_id)
    allowed, status = MOVES[action]
    if found["status"] not in allowed:
        raise Conflict("This request is already %(status)s.", params={"status": found["status"]})
    return store.update("desk_requests", found["id"], {
        "status": status, "updated_at": clock.stamp(now or clock.utcnow())})


def cancel(store: Any, participant_id: int, request_id: Any,
           now: dt.datetime | None = None) -> dict[str, Any]:
    found = _request(store, request_id)
    if found["participant_id"] != participant_id:
        raise NotFound("Unknown request.")
    if found["status"] != "open":
        raise Conflict("The desk is already on it; ask at the desk.")
    return store.update("desk_requests", found["id"], {
        "status": "cancelled", "updated_at": clock.stamp(now or clock.utcnow())})


def queue(store: Any, include_closed: bool = False) -> list[dict[str, Any]]:
    """The desk's queue, oldest first, with who asked."""
    rows = []
    for found in store.scan("desk_requests"):
        if not include_closed and found["status"] not in ("open", "taken"):
            continue
        person = store.get("participants", found["participant_id"]) or {}
        rows.append({**found, "name": person.get("name", "")})
    return sorted(rows, key=lambda r: r["id"])


def requests_of(store: Any, participant_id: int) -> list[dict[str, Any]]:
    return sorted(store.find("desk_requests", participant_id=participant_id),
                  key=lambda r: r["id"], reverse=True)


# ------------------------------------------------------------- announcements
def announce(store: Any, text: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    words = refuse_scan_text(store, text_field(text, ANNOUNCEMENT_MAX, "text"), "text")
    if not words:
        raise InvalidInput("Write the announcement.",
                           fields={"text": N_("This field is required.")})
    record = {"text": words, "hidden": False, "created_at": clock.stamp(now or clock.utcnow())}
    record["id"] = store.insert("announcements", record)
    return record


def announcements(store: Any, limit: int = 5) -> list[dict[str, Any]]:
    """The current announcements, newest first; hidden ones are not shown."""
    shown = [a for a in store.scan("announcements") if not a.get("hidden")]
    return [dict(a) for a in sorted(shown, key=lambda a: a["id"], reverse=True)[:limit]]


def hide_announcement(store: Any, announcement_id: Any, hidden: bool = True) -> dict[str, Any]:
    found = records.by_id(store, "announcements", announcement_id)
    if found is None:
        raise NotFound("Unknown announcement.")
    return store.update("announcements", found["id"], {"hidden": hidden})
