"""Workshops with capacity and a waiting list, and coworking seats by slot.

The server runs these functions one at a time on its event loop, so a check
("is there a place left?") and the write that follows cannot interleave with
another request: capacity is never exceeded, however many phones press at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from ..errors import N_, Conflict, InvalidInput, NotFound
from ..kit import Kit, Localized, Slot, Workshop
from . import clock

ACTIVE = ("confirmed", "waitlisted")


# ----------------------------------------------------------------- programme
def programme(store: Any, kit: Kit) -> list[Workshop]:
    """The kit's workshops plus those added during the event, with cancellations."""
    changes = {doc["key"]: doc for doc in store.scan("workshops")}
    items = []
    for w in kit.workshops:
        change = changes.pop(w.id, None)
        if change is not None:
            w = dataclasses.replace(w, cancelled=bool(change.get("cancelled")),
                                    capacity=int(change.get("capacity", w.capacity)))
        items.append(w)
    for doc in changes.values():
        if "title" in doc:
            items.append(Workshop(
                doc["key"], Localized(doc["title"], doc.get("title_en")), doc["room"],
                doc.get("host", ""), int(doc["capacity"]), dt.datetime.fromisoformat(doc["start"]),
                dt.datetime.fromisoformat(doc["end"]), Localized(doc.get("description", "")),
                cancelled=bool(doc.get("cancelled"))))
    return sorted(items, key=lambda w: (w.start, w.room, w.id))


def workshop(store: Any, kit: Kit, workshop_id: str) -> Workshop:
    for w in programme(store, kit):
        if w.id == workshop_id:
            return w
    raise NotFound("Unknown workshop.")


def set_cancelled(store: Any, kit: Kit, workshop_id: str, cancelled: bool = True) -> Workshop:
    """Cancel (or restore) a workshop; its bookings stay for the record."""
    workshop(store, kit, workshop_id)
    existing = store.find_one("workshops", key=workshop_id)
    if existing:
        store.update("workshops", existing["id"], {"cancelled": cancelled})
    else:
        store.insert("workshops", {"key": workshop_id, "cancelled": cancelled})
    return workshop(store, kit, workshop_id)


def restore(store: Any, kit: Kit, workshop_id: str,
            now: dt.datetime | None = None) -> tuple[Workshop, list[dict[str, Any]]]:
    """Bring back a cancelled workshop: places freed meanwhile go to those waiting, in
    order. Returns the workshop and the promoted registrations."""
    set_cancelled(store, kit, workshop_id, False)
    promoted = promote(store, kit, workshop_id, now)
    return workshop(store, kit, workshop_id), promoted


def add_workshop(store: Any, kit: Kit, fields: dict[str, Any]) -> Workshop:
    """A workshop created during the event (for example from a popular swap offer)."""
    key = str(fields.get("key") or "")
    if not key or any(w.id == key for w in programme(store, kit)):
        raise InvalidInput("This workshop id is empty or already used.",
                           fields={"key": N_("Choose another id.")})
    if kit.space(fields.get("room", "")) is None:
        raise InvalidInput("Unknown room.", fields={"room": N_("Choose a room from the kit.")})
    try:
        start = dt.datetime.fromisoformat(str(fields["start"]))
        end = dt.datetime.fromisoformat(str(fields["end"]))
        capacity = int(fields["capacity"])
    except (KeyError, ValueError, TypeError):
        raise InvalidInput("Give a start, an end and a capacity.",
                           fields={"start": N_("This field is required."),
                                   "capacity": N_("This field is required.")}) from None
    if end <= start or not 1 <= capacity <= 1000:
        raise InvalidInput("The end must follow the start and the capacity be 1 to 1000.",
                           fields={"end": N_("Invalid value."), "capacity": N_("Invalid value.")})
    title = str(fields.get("title") or "").strip()[:200]
    if not title:
        raise InvalidInput("A title is required.", fields={"title": N_("This field is required.")})
    store.insert("workshops", {
        "key": key, "title": title, "room": fields["room"], "host": str(fields.get("host", "")),
        "capacity": capacity, "start": start.isoformat(), "end": end.isoformat(),
        "origin": fields.get("origin"), "cancelled": False})
    return workshop(store, kit, key)


# ------------------------------------------------------------- registrations
def _active(store: Any, **criteria: Any) -> list[dict[str, Any]]:
    return [r for r in store.find("registrations", **criteria) if r["status"] in ACTIVE]


def counts(store: Any, workshop_id: str) -> tuple[int, int]:
    """(confirmed, waitlisted) for a workshop, from the store's index: it costs the same
    with 10 or 5,000 people registered."""
    return (store.count("registrations", workshop_id=workshop_id, status="confirmed"),
            store.count("registrations", workshop_id=workshop_id, status="waitlisted"))


def places_left(w: Workshop, confirmed: int) -> int:
    """The places still free in a workshop with ``confirmed`` people: never below zero,
    since the desk may confirm someone over capacity."""
    return max(0, w.capacity - confirmed)


def position(store: Any, registration: dict[str, Any]) -> int | None:
    """1-based place on the waiting list (None when confirmed)."""
    if registration["status"] != "waitlisted":
        return None
    # Ids grow with arrival, so the place is the number of waiting ids below this one.
    waiting = store.ids("registrations", workshop_id=registration["workshop_id"],
                        status="waitlisted")
    return 1 + sum(1 for other in waiting if other < registration["id"])


def _overlaps(a: Workshop, b: Workshop) -> bool:
    return a.start < b.end and b.start < a.end


# ------------------------------------------------------------- the event's clock
def event_now(kit: Kit, now: dt.datetime | None = None) -> dt.datetime:
    """The venue's wall-clock time (naive, like the kit's times)."""
    return clock.local(now or clock.utcnow(), kit.event.timezone)


def phase(start: dt.datetime, end: dt.datetime, local_now: dt.datetime) -> str:
    """"past", "now" or "future": what the programme shows as terminé, en cours, à venir."""
    if local_now >= end:
        return "past"
    return "now" if local_now >= start else "future"


def closes_at(kit: Kit, w: Workshop) -> dt.datetime:
    """When a workshop stops taking bookings: its end, or the kit's minutes after start."""
    minutes = kit.rules.closes_after_start
    if minutes is None:
        return w.end
    return min(w.end, w.start + dt.timedelta(minutes=minutes))


def is_open(kit: Kit, w: Workshop, local_now: dt.datetime) -> bool:
    return not w.cancelled and local_now < closes_at(kit, w)


def register(store: Any, kit: Kit, participant_id: int, workshop_id: str,
             now: dt.datetime | None = None, by_desk: bool = False) -> dict[str, Any]:
    """Confirm a place, or put the participant on the waiting list in arrival order.
    Registering twice returns the existing registration (a double submit is harmless).
    Bookings close at the workshop's end (or the kit's closing time); the desk may still
    add someone afterwards, to record who came."""
    target = workshop(store, kit, workshop_id)
    if target.cancelled:
        raise Conflict("This workshop is cancelled.")
    mine = _active(store, participant_id=participant_id)
    for r in mine:
        if r["workshop_id"] == workshop_id:
            return {**r, "position": position(store, r)}
    if not by_desk and not is_open(kit, target, event_now(kit, now)):
        raise Conflict("Bookings for this workshop are closed.")
    by_id = {w.id: w for w in programme(store, kit)}
    for r in mine:
        other = by_id.get(r["workshop_id"])
        # A cancelled workshop no longer takes the participant's time.
        if other is None or other.cancelled or not _overlaps(other, target):
            continue
        if r["status"] == "waitlisted":
            raise Conflict("You are on the waiting list of “%(title)s” at the same time: "
                           "leave it first to sign up here.", params={"title": other.title})
        raise Conflict("You are already registered for “%(title)s” at the same time.",
                       params={"title": other.title})
    # Places freed without a promotion (a capacity raised at the desk) go to those
    # already waiting before a newcomer can take them.
    promote(store, kit, workshop_id, now)
    confirmed, waitlisted = counts(store, workshop_id)
    status = "confirmed" if confirmed < target.capacity and not waitlisted else "waitlisted"
    record = {"workshop_id": workshop_id, "participant_id": participant_id, "status": status,
              "created_at": clock.stamp(now or clock.utcnow()), "attended": False}
    record["id"] = store.insert("registrations", record)
    return {**record, "position": position(store, record)}


def promote(store: Any, kit: Kit, workshop_id: str,
            now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Fill free places from the head of the waiting list; returns who was promoted."""
    target = workshop(store, kit, workshop_id)
    if target.cancelled:
        return []
    confirmed, _ = counts(store, workshop_id)
    waiting = sorted((r for r in store.find("registrations", workshop_id=workshop_id)
                      if r["status"] == "waitlisted"), key=lambda r: r["id"])
    promoted = []
    for r in waiting[:places_left(target, confirmed)]:
        promoted.append(store.update("registrations", r["id"], {
            "status": "confirmed", "promoted_at": clock.stamp(now or clock.utcnow())}))
    return promoted


def cancel(store: Any, kit: Kit, participant_id: int, workshop_id: str,
           now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Cancel a registration; the first people waiting take the freed place.
    Returns the registrations that were promoted."""
    workshop(store, kit, workshop_id)
    mine = [r for r in _active(store, participant_id=participant_id)
            if r["workshop_id"] == workshop_id]
    if not mine:
        raise NotFound("You are not registered for this workshop.")
    for r in mine:
        store.update("registrations", r["id"], {
            "status": "cancelled", "cancelled_at": clock.stamp(now or clock.utcnow())})
    return promote(store, kit, workshop_id, now)


def mark_attended(store: Any, kit: Kit, participant_id: int, workshop_id: str,
                  attended: bool = True) -> dict[str, Any]:
    workshop(store, kit, workshop_id)
    mine = [r for r in _active(store, participant_id=participant_id)
            if r["workshop_id"] == workshop_id]
    if not mine:
        raise NotFound("This person is not registered for this workshop.")
    return store.update("registrations", mine[0]["id"], {"attended": attended})


def registrations_of(store: Any, participant_id: int) -> list[dict[str, Any]]:
    if not store.ids("registrations", participant_id=participant_id):
        return []  # most people at the desk booked nothing: one index look-up says so
    return [{**r, "position": position(store, r)}
            for r in _active(store, participant_id=participant_id)]


def workshops_of(store: Any, kit: Kit, participant_id: int) -> list[Workshop]:
    """The workshops a participant holds a place or a waiting place in, in time order."""
    held = {r["workshop_id"] for r in _active(store, participant_id=participant_id)}
    return [w for w in programme(store, kit) if w.id in held]


def held_workshop(store: Any, kit: Kit, participant_id: int, workshop_id: str) -> Workshop:
    """One workshop the participant holds a place or a waiting place in."""
    for w in workshops_of(store, kit, participant_id):
        if w.id == workshop_id:
            return w
    raise NotFound("You are not registered for this workshop.")


def roster(store: Any, workshop_id: str) -> dict[str, list[dict[str, Any]]]:
    """Who is in and who waits, in order."""
    regs = sorted(store.find("registrations", workshop_id=workshop_id), key=lambda r: r["id"])
    return {"confirmed": [r for r in regs if r["status"] == "confirmed"],
            "waitlisted": [r for r in regs if r["status"] == "waitlisted"]}


def now_and_next(store: Any, kit: Kit, now: dt.datetime | None = None,
                 upcoming: int = 4) -> tuple[list[Workshop], list[Workshop]]:
    """What runs now and the next workshops to start, for the room's screen."""
    local = event_now(kit, now)
    items = [w for w in programme(store, kit) if not w.cancelled]
    running = [w for w in items if w.start <= local < w.end]
    return running, [w for w in items if w.start > local][:upcoming]


# --------------------------------------------------------------------- seats
def current_slot(kit: Kit, now: dt.datetime | None = None) -> Slot | None:
    """The slot under way, else the next one today or later (None once all are over)."""
    local = event_now(kit, now)
    for slot in sorted(kit.slots, key=lambda s: s.start):
        if local < slot.end:
            return slot
    return None


def _active_seats(store: Any, **criteria: Any) -> list[dict[str, Any]]:
    return [b for b in store.find("seat_bookings", **criteria) if b["status"] == "active"]


def seat_map(store: Any, kit: Kit) -> list[dict[str, Any]]:
    """For every coworking zone and slot: seats, taken, free and who sits where."""
    rows = []
    for slot in kit.slots:
        taken_by_space: dict[str, list[dict[str, Any]]] = {}
        for b in _active_seats(store, slot_id=slot.id):
            taken_by_space.setdefault(b["space_id"], []).append(b)
        for space in kit.coworking_spaces:
            taken = taken_by_space.get(space.id, [])
            rows.append({"slot": slot, "space": space, "seats": space.seats,
                         "taken": len(taken), "free": max(0, space.seats - len(taken)),
                         "bookings": sorted(taken, key=lambda b: b["seat"])})
    return rows


def book_seat(store: Any, kit: Kit, participant_id: int, slot_id: str, space_id: str,
              seat: int | None = None, now: dt.datetime | None = None,
              by_desk: bool = False) -> dict[str, Any]:
    """Give the participant a seat in a zone for a slot (the lowest free one unless a seat
    is named). One seat per participant and slot, until the slot ends (the desk may still
    place someone afterwards)."""
    slot = kit.slot(slot_id)
    if slot is None:
        raise NotFound("Unknown slot.")
    if not by_desk and event_now(kit, now) >= slot.end:
        raise Conflict("This slot is over: its seats can no longer be booked.")
    space = kit.space(space_id)
    if space is None or space.kind != "coworking":
        raise NotFound("Unknown coworking zone.")
    for b in _active_seats(store, participant_id=participant_id):
        if b["slot_id"] == slot_id:
            if b["space_id"] == space_id and seat in (None, b["seat"]):
                return b
            raise Conflict("You already have a seat for this slot.")
    taken = {b["seat"] for b in _active_seats(store, slot_id=slot_id)
             if b["space_id"] == space_id}
    if seat is None:
        free = [n for n in range(1, space.seats + 1) if n not in taken]
        if not free:
            raise Conflict("No seat left in this zone for this slot.")
        seat = free[0]
    elif not 1 <= seat <= space.seats:
        raise InvalidInput("This seat does not exist.", fields={"seat": N_("Invalid value.")})
    elif seat in taken:
        raise Conflict("This seat is already taken.")
    record = {"participant_id": participant_id, "slot_id": slot_id, "space_id": space_id,
              "seat": seat, "status": "active", "created_at": clock.stamp(now or clock.utcnow())}
    record["id"] = store.insert("seat_bookings", record)
    return record


def cancel_seat(store: Any, booking_id: int, participant_id: int | None = None) -> None:
    """Free a seat; with ``participant_id``, only that participant's own booking."""
    booking = store.get("seat_bookings", booking_id)
    if booking is None or booking["status"] != "active" or (
            participant_id is not None and booking["participant_id"] != participant_id):
        raise NotFound("Unknown seat booking.")
    store.update("seat_bookings", booking_id, {"status": "cancelled"})


def seats_of(store: Any, participant_id: int) -> list[dict[str, Any]]:
    if not store.ids("seat_bookings", participant_id=participant_id):
        return []
    return _active_seats(store, participant_id=participant_id)


def release_all(store: Any, kit: Kit, participant_id: int) -> list[dict[str, Any]]:
    """Cancel everything a participant holds (before erasing them), promoting whoever
    waits; returns the promoted registrations."""
    for b in _active_seats(store, participant_id=participant_id):
        store.update("seat_bookings", b["id"], {"status": "cancelled"})
    promoted = []
    for r in _active(store, participant_id=participant_id):
        promoted += cancel(store, kit, participant_id, r["workshop_id"])
    return promoted
