"""The public programme: a page anyone can read before registering, the same as an
.ics calendar, and a participant's own bookings for their phone's calendar."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw

from ..domain import bookings, participants
from . import calendar
from .portal import programme_view
from .render import page

bp = Blueprint("programme")


def ics_response(body: bytes, name: str) -> HTTPResponse:
    return raw(body, content_type="text/calendar; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store"})


@bp.get("/programme")
async def programme_page(request: Request) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    return page(request, "programme.html", programme=programme_view(store, kit))


@bp.get("/programme.ics")
async def programme_ics(request: Request) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    body = calendar.ics(kit, bookings.programme(store, kit), request.ctx.lang,
                        request.app.ctx.settings.public_url)
    return ics_response(body, f"{kit.event.slug}.ics")


@bp.get("/pass/<token:str>/calendar.ics")
async def my_calendar(request: Request, token: str) -> HTTPResponse:
    """Every workshop the participant holds a place (or a waiting place) in, with alarms."""
    store, kit = request.app.ctx.store, request.app.ctx.kit
    participant = participants.by_token(store, token)
    body = calendar.ics(kit, bookings.workshops_of(store, kit, participant["id"]),
                        request.ctx.lang, request.app.ctx.settings.public_url, alarm=True)
    return ics_response(body, f"{kit.event.slug}-mes-ateliers.ics")


@bp.get("/pass/<token:str>/workshops/<workshop_id:str>/calendar.ics")
async def workshop_calendar(request: Request, token: str, workshop_id: str) -> HTTPResponse:
    """One booked workshop for the phone's calendar, with an alarm before it starts."""
    store, kit = request.app.ctx.store, request.app.ctx.kit
    participant = participants.by_token(store, token)
    held = bookings.held_workshop(store, kit, participant["id"], workshop_id)
    body = calendar.ics(kit, [held], request.ctx.lang, request.app.ctx.settings.public_url,
                        alarm=True)
    return ics_response(body, f"{workshop_id}.ics")
