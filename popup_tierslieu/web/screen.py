"""The room's screen: a TV or projector page that joins people and shows what is on.

Big QR codes (join the Wi-Fi, open the portal), the programme now and next with
places left, free seats per zone. ``/screen/fragment`` is its changing part,
re-fetched by live.js on every server-sent event.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse

from .. import qr
from ..domain import bookings
from ..kit import Kit
from .render import page

bp = Blueprint("screen", url_prefix="/screen")


def screen_context(request: Request) -> dict[str, Any]:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    running, upcoming = bookings.now_and_next(store, kit)

    def rows(items: list) -> list[dict[str, Any]]:
        out = []
        for w in items:
            confirmed, waitlisted = bookings.counts(store, w.id)
            room = kit.space(w.room)
            out.append({"workshop": w, "room": room.name if room else w.room,
                        "left": max(0, w.capacity - confirmed), "waitlisted": waitlisted})
        return out

    slot = bookings.current_slot(kit)
    zones = [row for row in bookings.seat_map(store, kit) if slot and row["slot"].id == slot.id]
    return {"running": rows(running), "upcoming": rows(upcoming), "slot": slot, "zones": zones}


def join_codes(kit: Kit, portal_url: str) -> dict[str, str]:
    wifi = kit.wifi
    return {"wifi": qr.wifi_data(wifi.ssid, wifi.password, wifi.security, wifi.hidden),
            "portal": portal_url}


@bp.get("")
async def screen(request: Request) -> HTTPResponse:
    kit = request.app.ctx.kit
    portal_url = request.app.ctx.settings.public_url
    return page(request, "screen.html", codes=join_codes(kit, portal_url),
                portal_url=portal_url, **screen_context(request))


@bp.get("/fragment")
async def fragment(request: Request) -> HTTPResponse:
    return page(request, "screen_live.html", headers={"Cache-Control": "no-store"},
                **screen_context(request))
