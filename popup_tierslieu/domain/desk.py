"""What the concierge's desk sees: counts, fill of workshops and seats, arrivals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import NotFound
from ..kit import Kit
from . import bookings, clock, participants


def workshop_figures(store: Any, kit: Kit) -> list[dict[str, Any]]:
    rows = []
    for w in bookings.programme(store, kit):
        confirmed, waitlisted = bookings.counts(store, w.id)
        rows.append({"workshop": w, "capacity": w.capacity, "confirmed": confirmed,
                     "waitlisted": waitlisted, "left": bookings.places_left(w, confirmed)})
    return rows


def stats(store: Any, kit: Kit, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or clock.utcnow()
    today = clock.local_day(now, kit.event.timezone).isoformat()
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


def arrival(store: Any, kit: Kit, participant: dict[str, Any],
            now: dt.datetime | None = None) -> dict[str, Any]:
    """What the desk reads aloud when someone is checked in: who they are and what they
    booked for today. Not their whole programme nor their personal data: this answers
    every scan of the morning queue, so it stays small."""
    day = clock.local_day(now or clock.utcnow(), kit.event.timezone)
    registrations = bookings.registrations_of(store, participant["id"])
    programme = {w.id: w for w in bookings.programme(store, kit)} if registrations else {}
    booked = []
    for r in registrations:
        w = programme.get(r["workshop_id"])
        if w is not None and w.start.date() == day:
            booked.append({"workshop": w, "status": r["status"], "position": r["position"]})
    seats = []
    for b in bookings.seats_of(store, participant["id"]):
        slot = kit.slot(b["slot_id"])
        if slot is not None and slot.start.date() == day:
            seats.append({"id": b["id"], "slot_id": b["slot_id"], "space_id": b["space_id"],
                          "seat": b["seat"]})
    return {"id": participant["id"], "name": participant["name"],
            "profile": participant.get("profile"), "commune": participant.get("commune"),
            "registrations": sorted(booked, key=lambda r: r["workshop"].start),
            "seats": seats}


def latest_arrivals(store: Any, limit: int = 10) -> list[dict[str, Any]]:
    arrivals = sorted(store.scan("checkins"), key=lambda c: c["id"], reverse=True)[:limit]
    rows = []
    for c in arrivals:
        p = store.get("participants", c["participant_id"])
        if p is not None:
            rows.append({"participant_id": p["id"], "name": p["name"], "profile": p["profile"],
                         "at": c["at"]})
    return rows


# ------------------------------------------------------------------ programme
def now_and_next(store: Any, kit: Kit, now: dt.datetime | None = None) -> dict[str, list[Any]]:
    """The workshops running now and those starting next (all that share the earliest
    start still to come); cancelled ones are left out."""
    moment = clock.local(now or clock.utcnow(), kit.event.timezone)
    live = [w for w in bookings.programme(store, kit) if not w.cancelled]
    running = [w for w in live if w.start <= moment < w.end]
    upcoming = [w for w in live if w.start > moment]
    first = min((w.start for w in upcoming), default=None)
    return {"now": running, "next": [w for w in upcoming if w.start == first]}


# -------------------------------------------------------------------- rosters
def _person(store: Any, registration: dict[str, Any], position: int | None) -> dict[str, Any]:
    participant = store.get("participants", registration["participant_id"]) or {}
    return {"participant_id": registration["participant_id"],
            "name": participant.get("name", ""), "profile": participant.get("profile"),
            "attended": bool(registration.get("attended")), "position": position}


def roster(store: Any, kit: Kit, workshop_id: str) -> dict[str, Any]:
    """Who is in and who waits (in order, with their place), by name."""
    target = bookings.workshop(store, kit, workshop_id)
    lists = bookings.roster(store, workshop_id)
    return {"workshop": target,
            "confirmed": [_person(store, r, None) for r in lists["confirmed"]],
            "waitlisted": [_person(store, r, i) for i, r in enumerate(lists["waitlisted"], 1)]}


def add_to_workshop(store: Any, kit: Kit, participant_id: Any, workshop_id: str,
                    now: dt.datetime | None = None) -> dict[str, Any]:
    """The concierge books someone in: same rules as on the portal (capacity, then the
    waiting list; no two workshops at the same time)."""
    person = participants.get(store, participant_id)
    return bookings.register(store, kit, person["id"], workshop_id, now, by_desk=True)


def remove_from_workshop(store: Any, kit: Kit, participant_id: int, workshop_id: str,
                         now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Take someone out; the first people waiting are promoted (returned)."""
    try:
        return bookings.cancel(store, kit, participant_id, workshop_id, now)
    except NotFound:
        bookings.workshop(store, kit, workshop_id)
        raise NotFound("This person is not registered for this workshop.") from None


# ------------------------------------------------------------------ checklist
def _today(kit: Kit, now: dt.datetime | None) -> dt.datetime:
    return clock.local(now or clock.utcnow(), kit.event.timezone)


def checklist(store: Any, kit: Kit, now: dt.datetime | None = None) -> dict[str, Any]:
    """The kit's day checklist with today's ticks.

    ``next`` is the first unticked item in time order: it is either due already
    (its time has come and it is still open) or the next one coming."""
    moment = _today(kit, now)
    day = moment.date().isoformat()
    ticks = {t["index"]: t for t in store.find("checklist_ticks", day=day)}
    order = sorted(range(len(kit.checklist)), key=lambda i: kit.checklist[i].time)
    items = []
    for i in order:
        tick = ticks.get(i, {})
        items.append({"index": i, "time": kit.checklist[i].time,
                      "label": kit.checklist[i].label, "ticked": bool(tick.get("ticked")),
                      "ticked_at": tick.get("at") if tick.get("ticked") else None,
                      "due": kit.checklist[i].time <= moment.strftime("%H:%M")})
    following = next((item["index"] for item in items if not item["ticked"]), None)
    return {"day": day, "items": items, "next": following}


def tick(store: Any, kit: Kit, index: int, ticked: bool,
         now: dt.datetime | None = None) -> dict[str, Any]:
    """Tick (or untick) an item of today's checklist; returns the checklist."""
    if not 0 <= index < len(kit.checklist):
        raise NotFound("Unknown checklist item.")
    moment = now or clock.utcnow()
    day = _today(kit, moment).date().isoformat()
    fields = {"day": day, "index": index, "ticked": bool(ticked), "at": clock.stamp(moment)}
    existing = next((t for t in store.find("checklist_ticks", day=day) if t["index"] == index),
                    None)
    if existing:
        store.update("checklist_ticks", existing["id"], fields)
    else:
        store.insert("checklist_ticks", fields)
    return checklist(store, kit, moment)
