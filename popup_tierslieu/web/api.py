"""The JSON API under /api/v1: the contract of DESIGN.md section 4.

Handlers parse, call one domain function, commit, publish what changed, answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from typing import Any

import orjson
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from .. import i18n
from ..domain import bookings, checkins, desk, docs, participants, survey
from ..errors import N_, InvalidInput
from ..kit import Kit, Workshop
from . import auth, captive
from .events import CONCIERGE, for_participant

bp = Blueprint("api", url_prefix="/api/v1")

KEEPALIVE_SECONDS = 15.0


def body(request: Request) -> dict[str, Any]:
    """The request's JSON object (form fields are accepted too, for simple clients)."""
    if request.content_type.startswith("application/json") or not request.form:
        data = request.json if request.body else {}
    else:
        data = {key: values[0] if len(values) == 1 else values
                for key, values in request.form.items()}
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.")
    return data


def workshop_json(store: Any, w: Workshop, lang: str) -> dict[str, Any]:
    confirmed, waitlisted = bookings.counts(store, w.id)
    return {"id": w.id, "title": w.title.get(lang), "room": w.room, "host": w.host,
            "start": w.start.isoformat(), "end": w.end.isoformat(), "capacity": w.capacity,
            "confirmed": confirmed, "waitlisted": waitlisted,
            "left": bookings.places_left(w, confirmed), "cancelled": w.cancelled}


def seat_rows_json(rows: list[dict[str, Any]], lang: str, names: bool = False,
                   store: Any = None) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        item = {"slot_id": row["slot"].id, "slot": row["slot"].label.get(lang),
                "start": row["slot"].start.isoformat(), "end": row["slot"].end.isoformat(),
                "space_id": row["space"].id, "space": row["space"].name.get(lang),
                "seats": row["seats"], "taken": row["taken"], "free": row["free"]}
        if names:
            item["bookings"] = [
                {"id": b["id"], "seat": b["seat"], "participant_id": b["participant_id"],
                 "name": (store.get("participants", b["participant_id"]) or {}).get("name")}
                for b in row["bookings"]]
        out.append(item)
    return out


def event_json(request: Request) -> dict[str, Any]:
    kit: Kit = request.app.ctx.kit
    store = request.app.ctx.store
    lang = request.ctx.lang
    return {
        "name": kit.event.name.get(lang), "slug": kit.event.slug,
        "description": kit.event.description.get(lang),
        "start_date": kit.event.start_date.isoformat(),
        "end_date": kit.event.end_date.isoformat(), "timezone": kit.event.timezone,
        "languages": list(kit.event.languages), "organiser": kit.event.organiser,
        "venue": {"name": kit.venue.name, "address": kit.venue.address,
                  "commune": kit.venue.commune},
        "portal_url": request.app.ctx.settings.public_url,
        "profiles": list(kit.profiles),
        "spaces": [{"id": s.id, "name": s.name.get(lang), "kind": s.kind, "seats": s.seats}
                   for s in kit.spaces],
        "slots": [{"id": s.id, "label": s.label.get(lang), "start": s.start.isoformat(),
                   "end": s.end.isoformat()} for s in kit.slots],
        "workshops": [workshop_json(store, w, lang) for w in bookings.programme(store, kit)],
        "swap_categories": list(kit.swap_categories),
        "desk_requests": list(kit.desk_requests),
        "survey": [{"id": q.id, "question": q.question.get(lang), "kind": q.kind,
                    "required": q.required, "min": q.min, "max": q.max,
                    "choices": [{"id": c.id, "label": c.label.get(lang)} for c in q.choices]}
                   for q in kit.survey],
        "charter": {"required": kit.charter.required, "text": kit.charter.text.get(lang)},
        "licence": kit.licence,
    }


def me_json(request: Request, participant: dict[str, Any]) -> dict[str, Any]:
    kit: Kit = request.app.ctx.kit
    store = request.app.ctx.store
    lang = request.ctx.lang
    titles = {w.id: w for w in bookings.programme(store, kit)}
    regs = []
    for r in bookings.registrations_of(store, participant["id"]):
        w = titles.get(r["workshop_id"])
        regs.append({"workshop_id": r["workshop_id"], "title": w.title.get(lang) if w else "",
                     "start": w.start.isoformat() if w else None, "status": r["status"],
                     "position": r["position"], "cancelled": bool(w and w.cancelled)})
    return {**participants.public(participant),
            "pass_url": request.app.ctx.settings.pass_url(participant["token"]),
            "checkin_url": request.app.ctx.settings.checkin_url(participant["checkin_code"]),
            "checked_in": participants.is_checked_in(store, participant["id"]),
            "registrations": regs,
            "seats": [{"id": b["id"], "slot_id": b["slot_id"], "space_id": b["space_id"],
                       "seat": b["seat"]} for b in bookings.seats_of(store, participant["id"])]}


def arrival_json(request: Request, participant: dict[str, Any],
                 scanned_at: dt.datetime) -> dict[str, Any]:
    """The check-in answer's person: what the desk shows (the bookings of the scan's day),
    not the whole ``me_json``."""
    found = desk.arrival(request.app.ctx.store, request.app.ctx.kit, participant, scanned_at)
    lang = request.ctx.lang
    return {**found, "registrations": [
        {"workshop_id": r["workshop"].id, "title": r["workshop"].title.get(lang),
         "start": r["workshop"].start.isoformat(), "status": r["status"],
         "position": r["position"], "cancelled": r["workshop"].cancelled}
        for r in found["registrations"]]}


def publish_figures(request: Request, workshop_ids: tuple[str, ...] = ()) -> None:
    """Tell every open screen the counts that changed. They are computed when they go
    out (at most once per interval, see ``Broadcaster.publish_latest``), not per request."""
    store = request.app.ctx.store
    kit = request.app.ctx.kit
    events = request.app.ctx.events
    events.publish_latest("stats", lambda: {
        "registered": store.count("participants"),
        "checked_in": participants.checked_in_count(store)})
    for wid in workshop_ids:
        events.publish_latest("workshop", functools.partial(workshop_figures, store, kit, wid),
                              key=wid)


def workshop_figures(store: Any, kit: Kit, workshop_id: str) -> dict[str, Any]:
    confirmed, waitlisted = bookings.counts(store, workshop_id)
    w = bookings.workshop(store, kit, workshop_id)
    return {"id": workshop_id, "capacity": w.capacity, "confirmed": confirmed,
            "waitlisted": waitlisted, "left": bookings.places_left(w, confirmed)}


def publish_promotions(request: Request, promoted: list[dict[str, Any]]) -> None:
    for r in promoted:
        request.app.ctx.events.publish(
            "promoted", {"workshop_id": r["workshop_id"], "status": "confirmed"},
            audience=for_participant(r["participant_id"]))


# --------------------------------------------------------------------- public
@bp.get("/health")
async def health(request: Request) -> HTTPResponse:
    return json({"status": "ok"})


@bp.get("/event")
async def event(request: Request) -> HTTPResponse:
    return json(event_json(request))


@bp.post("/participants")
async def register(request: Request) -> HTTPResponse:
    form = body(request)
    form.setdefault("lang", request.ctx.lang)
    if auth.is_concierge(request):
        form["source"] = "desk"
    else:
        form.pop("source", None)
    participant = participants.register(request.app.ctx.store, request.app.ctx.kit, form)
    captive.remember(request)
    await request.app.ctx.store.commit()
    publish_figures(request)
    return json({"id": participant["id"], "token": participant["token"],
                 "pass_url": request.app.ctx.settings.pass_url(participant["token"]),
                 "checkin_url": request.app.ctx.settings.checkin_url(
                     participant["checkin_code"])},
                status=201)


# ---------------------------------------------------------------- participant
@bp.get("/me")
async def me(request: Request) -> HTTPResponse:
    return json(me_json(request, auth.require_participant(request)))


@bp.delete("/me")
async def forget_me(request: Request) -> HTTPResponse:
    participant = auth.require_participant(request)
    await forget(request, participant)
    return json({"deleted": True})


async def forget(request: Request, participant: dict[str, Any]) -> None:
    """Erase a participant (GDPR) and tell the screens whose places moved."""
    store = request.app.ctx.store
    held = tuple({r["workshop_id"] for r in bookings.registrations_of(store, participant["id"])})
    had_seats = bool(bookings.seats_of(store, participant["id"]))
    promoted = bookings.release_all(store, request.app.ctx.kit, participant["id"])
    participants.delete(store, request.app.ctx.kit, participant["id"])
    await store.commit()
    docs.remove_orphan_uploads(store, request.app.ctx.settings.data_dir)  # their photos
    publish_promotions(request, promoted)
    publish_figures(request, held)
    if had_seats:
        request.app.ctx.events.publish("seats", {})


@bp.put("/me/answers")
async def answers(request: Request) -> HTTPResponse:
    participant = auth.require_participant(request)
    data = body(request)
    clean = survey.save_answers(request.app.ctx.store, request.app.ctx.kit, participant["id"],
                                data.get("answers", data))
    await request.app.ctx.store.commit()
    return json({"answers": clean})


@bp.post("/workshops/<workshop_id:str>/registrations")
async def workshop_register(request: Request, workshop_id: str) -> HTTPResponse:
    participant = auth.require_participant(request)
    result = bookings.register(request.app.ctx.store, request.app.ctx.kit, participant["id"],
                               workshop_id)
    await request.app.ctx.store.commit()
    publish_figures(request, (workshop_id,))
    return json({"status": result["status"], "position": result["position"]}, status=201)


@bp.delete("/workshops/<workshop_id:str>/registrations")
async def workshop_cancel(request: Request, workshop_id: str) -> HTTPResponse:
    participant = auth.require_participant(request)
    promoted = bookings.cancel(request.app.ctx.store, request.app.ctx.kit, participant["id"],
                               workshop_id)
    await request.app.ctx.store.commit()
    publish_promotions(request, promoted)
    publish_figures(request, (workshop_id,))
    return json({"status": "cancelled", "promoted": len(promoted)})


@bp.get("/seats")
async def seats(request: Request) -> HTTPResponse:
    rows = bookings.seat_map(request.app.ctx.store, request.app.ctx.kit)
    concierge = auth.is_concierge(request)
    return json({"seats": seat_rows_json(rows, request.ctx.lang, names=concierge,
                                         store=request.app.ctx.store)})


@bp.post("/seats/bookings")
async def seat_book(request: Request) -> HTTPResponse:
    data = body(request)
    by_desk = auth.is_concierge(request)
    if by_desk:
        participant = participants.get(request.app.ctx.store, data.get("participant_id"))
    else:
        participant = auth.require_participant(request)
    seat = data.get("seat")
    try:
        seat = int(seat) if seat not in (None, "") else None
    except (TypeError, ValueError):
        raise InvalidInput("This seat does not exist.",
                           fields={"seat": N_("Invalid value.")}) from None
    booking = bookings.book_seat(request.app.ctx.store, request.app.ctx.kit, participant["id"],
                                 str(data.get("slot_id", "")), str(data.get("space_id", "")),
                                 seat, by_desk=by_desk)
    await request.app.ctx.store.commit()
    request.app.ctx.events.publish("seats", {"slot_id": booking["slot_id"],
                                             "space_id": booking["space_id"]})
    return json({"id": booking["id"], "slot_id": booking["slot_id"],
                 "space_id": booking["space_id"], "seat": booking["seat"]}, status=201)


@bp.delete("/seats/bookings/<booking_id:int>")
async def seat_cancel(request: Request, booking_id: int) -> HTTPResponse:
    owner = None if auth.is_concierge(request) else auth.require_participant(request)["id"]
    bookings.cancel_seat(request.app.ctx.store, booking_id, owner)
    await request.app.ctx.store.commit()
    request.app.ctx.events.publish("seats", {"booking_id": booking_id})
    return json({"status": "cancelled"})


# ------------------------------------------------------------------ concierge
@bp.post("/checkins")
async def checkin(request: Request) -> HTTPResponse:
    auth.require_concierge(request)
    data = body(request)
    raw = data.get("token")
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("Scan or type a pass.", fields={"token": N_("This field is required.")})
    store, kit = request.app.ctx.store, request.app.ctx.kit
    # A desk that lost the server sends its queued scans later, with their own time.
    scanned_at = checkins.scan_time(kit, data.get("scanned_at"))
    participant, already = participants.check_in(store, kit, raw,
                                                 desk=str(data.get("desk", "desk"))[:40],
                                                 now=scanned_at)
    await store.commit()
    if not already:
        events = request.app.ctx.events
        if events.readers(CONCIERGE):  # no desk stream open: no message to build
            events.publish("checkin", {"participant_id": participant["id"],
                                       "name": participant["name"],
                                       "profile": participant["profile"]},
                           audience=CONCIERGE)
        publish_figures(request)
    # Encoded once, to bytes (Sanic's json() makes a str, then bytes): every scan of
    # the morning queue gets this answer.
    return HTTPResponse(orjson.dumps({
        "participant_id": participant["id"], "already_checked_in": already,
        "participant": arrival_json(request, participant, scanned_at)}),
        content_type="application/json")


@bp.delete("/checkins/<participant_id:int>")
async def checkin_undo(request: Request, participant_id: int) -> HTTPResponse:
    auth.require_concierge(request)
    participant = checkins.undo(request.app.ctx.store, request.app.ctx.kit, participant_id)
    await request.app.ctx.store.commit()
    request.app.ctx.events.publish("journal", {}, audience=CONCIERGE)
    publish_figures(request)
    return json({"participant_id": participant["id"],
                 "checked_in": participants.is_checked_in(request.app.ctx.store,
                                                          participant["id"])})


@bp.get("/participants/<participant_id:int>/pass")
async def resend_pass(request: Request, participant_id: int) -> HTTPResponse:
    """"Renvoyer mon pass": the desk shows or prints the pass link of someone who lost it."""
    auth.require_concierge(request)
    participant = participants.get(request.app.ctx.store, participant_id)
    settings = request.app.ctx.settings
    return json({"participant_id": participant["id"], "name": participant["name"],
                 "pass_url": settings.pass_url(participant["token"]),
                 "checkin_url": settings.checkin_url(participant["checkin_code"])},
                headers={"Cache-Control": "no-store"})


@bp.get("/stats")
async def stats(request: Request) -> HTTPResponse:
    auth.require_concierge(request)
    lang = request.ctx.lang
    figures = desk.stats(request.app.ctx.store, request.app.ctx.kit)
    return json({
        "registered": figures["registered"], "checked_in": figures["checked_in"],
        "checked_in_today": figures["checked_in_today"], "show_rate": figures["show_rate"],
        "workshops": [{**workshop_json(request.app.ctx.store, row["workshop"], lang)}
                      for row in figures["workshops"]],
        "seats": seat_rows_json(figures["seats"], lang),
        "arrivals": desk.latest_arrivals(request.app.ctx.store),
        # A snapshot the disk refused, or a store gone read-only: the console's banner.
        "storage_problem": i18n.translate(problem, lang=lang)
        if (problem := request.app.ctx.store.problem) else None,
    })


@bp.get("/participants")
async def search(request: Request) -> HTTPResponse:
    auth.require_concierge(request)
    found = participants.search(request.app.ctx.store, request.args.get("q", ""))
    return json({"participants": [participants.public(p) for p in found]})


@bp.get("/participants/<participant_id:int>")
async def participant_detail(request: Request, participant_id: int) -> HTTPResponse:
    auth.require_concierge(request)
    return json(me_json(request, participants.get(request.app.ctx.store, participant_id)))


# --------------------------------------------------------------------- stream
@bp.get("/stream")
async def stream(request: Request) -> None:
    """Server-sent events. Concierge: bearer or ``?token=`` with the concierge token;
    a participant: ``?token=`` with their pass; anyone else: public events."""
    token = auth.bearer(request) or request.args.get("token")
    concierge = bool(token) and auth.is_concierge(request, token)
    participant_id = None
    if token and not concierge:
        participant_id = auth.participant_from_token(request, token)["id"]
    events = request.app.ctx.events
    subscriber = events.subscribe(concierge=concierge, participant_id=participant_id)
    response = await request.respond(content_type="text/event-stream; charset=utf-8",
                                     headers={"Cache-Control": "no-store",
                                              "X-Accel-Buffering": "no"})
    try:
        await response.send(b"retry: 3000\nevent: hello\ndata: {}\n\n")
        while True:
            try:
                message = await asyncio.wait_for(subscriber.queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                message = b": keep-alive\n\n"
            if message is None:
                break
            await response.send(message)
    finally:
        events.unsubscribe(subscriber)
        await response.eof()
