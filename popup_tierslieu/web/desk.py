"""Concierge desk routes under /api/v1/desk: rosters, attendance, the day checklist.

Every route needs the concierge token. Handlers parse, call one domain function,
commit, publish what changed, answer.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from ..domain import bookings, desk, participants
from ..errors import N_, InvalidInput
from . import auth
from .api import body, publish_figures, publish_promotions, workshop_json
from .events import CONCIERGE

bp = Blueprint("desk", url_prefix="/api/v1")


@bp.on_request
async def concierge_only(request: Request) -> None:
    auth.require_concierge(request)


def flag(data: dict[str, Any], name: str) -> bool:
    """A yes/no field of the body; anything else is a 400 naming the field."""
    value = data.get(name)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return participants.truthy(value)
    raise InvalidInput("Some fields need your attention.",
                       fields={name: N_("Invalid value.")})


def checklist_json(request: Request, sheet: dict[str, Any]) -> dict[str, Any]:
    lang = request.ctx.lang
    return {**sheet, "items": [{**item, "label": item["label"].get(lang)}
                               for item in sheet["items"]]}


@bp.get("/desk/programme")
async def programme(request: Request) -> HTTPResponse:
    store, lang = request.app.ctx.store, request.ctx.lang
    found = desk.now_and_next(store, request.app.ctx.kit)
    return json({key: [workshop_json(store, w, lang) for w in items]
                 for key, items in found.items()})


@bp.get("/desk/workshops/<workshop_id:str>")
async def roster(request: Request, workshop_id: str) -> HTTPResponse:
    store = request.app.ctx.store
    lists = desk.roster(store, request.app.ctx.kit, workshop_id)
    return json({**lists, "workshop": workshop_json(store, lists["workshop"], request.ctx.lang)})


@bp.post("/desk/workshops/<workshop_id:str>/registrations")
async def add(request: Request, workshop_id: str) -> HTTPResponse:
    data = body(request)
    result = desk.add_to_workshop(request.app.ctx.store, request.app.ctx.kit,
                                  data.get("participant_id"), workshop_id)
    await request.app.ctx.store.commit()
    publish_figures(request, (workshop_id,))
    return json({"status": result["status"], "position": result["position"]}, status=201)


@bp.delete("/desk/workshops/<workshop_id:str>/registrations/<participant_id:int>")
async def remove(request: Request, workshop_id: str, participant_id: int) -> HTTPResponse:
    promoted = desk.remove_from_workshop(request.app.ctx.store, request.app.ctx.kit,
                                         participant_id, workshop_id)
    await request.app.ctx.store.commit()
    publish_promotions(request, promoted)
    publish_figures(request, (workshop_id,))
    return json({"status": "cancelled", "promoted": len(promoted)})


@bp.put("/desk/workshops/<workshop_id:str>/attendance/<participant_id:int>")
async def attendance(request: Request, workshop_id: str, participant_id: int) -> HTTPResponse:
    attended = flag(body(request), "attended")
    bookings.mark_attended(request.app.ctx.store, request.app.ctx.kit, participant_id,
                           workshop_id, attended)
    await request.app.ctx.store.commit()
    request.app.ctx.events.publish("attendance", {"workshop_id": workshop_id,
                                                  "participant_id": participant_id,
                                                  "attended": attended}, audience=CONCIERGE)
    return json({"attended": attended})


@bp.put("/desk/workshops/<workshop_id:str>/cancelled")
async def cancel(request: Request, workshop_id: str) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    if flag(body(request), "cancelled"):
        w, promoted = bookings.set_cancelled(store, kit, workshop_id, True), []
    else:
        w, promoted = bookings.restore(store, kit, workshop_id)
    await store.commit()
    publish_promotions(request, promoted)
    publish_figures(request, (workshop_id,))
    return json(workshop_json(request.app.ctx.store, w, request.ctx.lang))


@bp.get("/desk/checklist")
async def checklist(request: Request) -> HTTPResponse:
    return json(checklist_json(request, desk.checklist(request.app.ctx.store,
                                                       request.app.ctx.kit)))


@bp.put("/desk/checklist/<index:int>")
async def tick(request: Request, index: int) -> HTTPResponse:
    sheet = desk.tick(request.app.ctx.store, request.app.ctx.kit, index,
                      flag(body(request), "ticked"))
    await request.app.ctx.store.commit()
    request.app.ctx.events.publish("checklist", {"index": index}, audience=CONCIERGE)
    return json(checklist_json(request, sheet))
