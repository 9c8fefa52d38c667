"""The room's screen: a TV or projector page that joins people and shows what is on.

It never scrolls (nobody scrolls a TV): the join codes stay on the left, and on the
right panels take turns (now, next, seats, swap board, notes, announcements), each
holding what fits at 40 px and more. Live counters of arrivals and registrations
(counts only, no names). ``/screen/fragment`` is its changing part, re-fetched by
live.js on every server-sent event.
"""

from __future__ import annotations

from typing import Any

from babel.dates import format_date
from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from .. import i18n, qr
from ..domain import bookings, clock, helpdesk, participants
from ..kit import Kit
from .render import page, short_date

bp = Blueprint("screen", url_prefix="/screen")
# Items per panel: what fits under a panel title at 1280x720 with 40 px text, a title
# taking up to two lines (measured by tests/browser/test_screen_browser.py).
PER_PANEL = 2
ZONES_PER_PANEL = 5


def in_panels(items: list[Any], size: int = PER_PANEL) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def screen_context(request: Request) -> dict[str, Any]:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    today = clock.local_day(clock.utcnow(), kit.event.timezone)
    several_days = len(kit.event.days) > 1
    lang = i18n.current.get()
    running, upcoming = bookings.now_and_next(store, kit)

    def rows(items: list) -> list[dict[str, Any]]:
        out = []
        for w in items:
            confirmed, _waitlisted = bookings.counts(store, w.id)
            room = kit.space(w.room)
            # On a multi-day event, a workshop of another day says which day.
            day = (format_date(w.start.date(), "EEE", locale=lang)
                   if several_days and w.start.date() != today else "")
            out.append({"workshop": w, "room": room.name if room else w.room, "day": day,
                        "left": bookings.places_left(w, confirmed)})
        return out

    slot = bookings.current_slot(kit)
    zones = [row for row in bookings.seat_map(store, kit) if slot and row["slot"].id == slot.id]
    now = in_panels(rows(running))
    if not now and not upcoming:
        now = [[]]  # one "no workshop right now" panel, when nothing comes next either
    return {"running": now, "upcoming": in_panels(rows(upcoming)),
            "slot": slot, "zones": in_panels(zones, ZONES_PER_PANEL),
            "announced": in_panels(helpdesk.announcements(store, limit=4)),
            # The day, when the event lasts several: short, so the event's name keeps room.
            "today": short_date(today)
            if several_days and today in kit.event.days else "",
            "registered": store.count("participants"),
            "checked_in": participants.checked_in_count(store)}


def join_codes(kit: Kit, portal_url: str) -> dict[str, str]:
    wifi = kit.wifi
    return {"wifi": qr.wifi_data(wifi.ssid, wifi.password, wifi.security, wifi.hidden),
            "portal": portal_url}


def shown_address(url: str) -> str:
    """The portal's address as people type it: phones add ``http://`` themselves."""
    return url.split("://", 1)[-1].rstrip("/")


@bp.get("")
async def screen(request: Request) -> HTTPResponse:
    kit = request.app.ctx.kit
    portal_url = request.app.ctx.settings.public_url
    return page(request, "screen.html", codes=join_codes(kit, portal_url),
                address=shown_address(portal_url), **screen_context(request))


@bp.get("/fragment")
async def fragment(request: Request) -> HTTPResponse:
    return page(request, "screen_live.html", headers={"Cache-Control": "no-store"},
                address=shown_address(request.app.ctx.settings.public_url),
                **screen_context(request))
