"""The participant's pages: welcome and registration, then the personal pass.

Every page works without JavaScript: forms post, then redirect (303) to a page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from ..domain import participants
from ..errors import InvalidInput, NotFound
from ..kit import Kit
from . import api
from .render import page

bp = Blueprint("portal")
STATIC = Path(__file__).parent / "static"
PASS_COOKIE = "pass"


def form_dict(request: Request, kit: Kit) -> dict[str, Any]:
    """A posted registration form as the domain expects it (answers nested)."""
    form = request.form
    data: dict[str, Any] = {key: form.get(key) for key in (
        "name", "email", "profile", "commune", "consent", "contact_optin", "charter")}
    answers: dict[str, Any] = {}
    for q in kit.survey:
        values = form.getlist(f"answers.{q.id}") or []
        if q.kind == "multiple":
            answers[q.id] = values
        elif values:
            answers[q.id] = values[0]
    data["answers"] = answers
    data["lang"] = request.ctx.lang
    return data


def own_pass(request: Request) -> dict[str, Any] | None:
    token = request.cookies.get(PASS_COOKIE)
    if not token:
        return None
    try:
        return participants.by_token(request.app.ctx.store, token)
    except NotFound:
        return None


@bp.get("/")
async def welcome(request: Request) -> HTTPResponse:
    return page(request, "register.html", form={}, errors={}, mine=own_pass(request))


@bp.post("/register")
async def register(request: Request) -> HTTPResponse:
    kit = request.app.ctx.kit
    data = form_dict(request, kit)
    try:
        participant = participants.register(request.app.ctx.store, kit, data)
    except InvalidInput as exc:
        from .errors import describe

        _, _, message, fields = describe(exc, request.ctx.lang)
        return page(request, "register.html", status=400, form=data, errors=fields,
                    message=message, mine=None)
    await request.app.ctx.store.commit()
    api.publish_figures(request)
    response = redirect(f"/pass/{participant['token']}", status=303)
    response.add_cookie(PASS_COOKIE, participant["token"], max_age=7 * 24 * 3600,
                        samesite="Lax", httponly=True, secure=False)
    return response


@bp.get("/pass/<token:str>")
async def pass_page(request: Request, token: str) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    me = api.me_json(request, participant)
    return page(request, "pass.html", participant=participant, me=me,
                pass_url=request.app.ctx.settings.pass_url(participant["token"]))


@bp.get("/charter")
async def charter(request: Request) -> HTTPResponse:
    return page(request, "charter.html")
