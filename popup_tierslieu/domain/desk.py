"""What the concierge's desk sees: counts, fill of workshops and seats, arrivals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..kit import Kit
from . import bookings, clock


def workshop_figures(store: Any, kit: Kit) -> list[dict[str, Any]]:
    rows = []
    for w in bookings.programme(store, kit):
        confirmed, waitlisted = bookings.counts(store, w.id)
        rows.append({"workshop": w, "capacity": w.capacity, "confirmed": confirmed,
                     "waitlisted": waitlisted, "left": max(0, w.capacity - confirmed)})
    return rows


def stats(store: Any, kit: Kit, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or clock.utcnow()
    today = clock.local(now, kit.event.timezone).date().isoformat()
    checked_in: set[int] = set()
    today_ids: set[int] = set()
    for c in store.scan("checkins"):
        checked_in.add(c["participant_id"])
        if c["day"] == today:
            today_ids.add(c["participant_id"])
    registered = store.count("participants")
    return {
        "registered": registered,
        "checked_in": len(checked_in),
        "checked_in_today": len(today_ids),
        "show_rate": round(len(checked_in) / registered, 3) if registered else None,
        "workshops": workshop_figures(store, kit),
        "seats": bookings.seat_map(store, kit),
    }


def latest_arrivals(store: Any, limit: int = 10) -> list[dict[str, Any]]:
    arrivals = sorted(store.scan("checkins"), key=lambda c: c["id"], reverse=True)[:limit]
    rows = []
    for c in arrivals:
        p = store.get("participants", c["participant_id"])
        if p is not None:
            rows.append({"participant_id": p["id"], "name": p["name"], "profile": p["profile"],
                         "at": c["at"]})
    return rows
