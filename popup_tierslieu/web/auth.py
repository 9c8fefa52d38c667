"""Who is asking: the concierge (its token) or a participant (their pass token)."""

from __future__ import annotations

import secrets
from typing import Any

from sanic import Request

from ..domain import participants
from ..errors import Forbidden, NotFound, Unauthorized


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def is_concierge(request: Request, token: str | None = None) -> bool:
    token = token if token is not None else bearer(request)
    expected = request.app.ctx.settings.concierge_token()
    return bool(token) and secrets.compare_digest(token.encode(), expected.encode())


def require_concierge(request: Request) -> None:
    token = bearer(request)
    if token is None:
        raise Unauthorized("The concierge token is required.")
    if not is_concierge(request, token):
        raise Forbidden("This token does not open the desk.")


def participant_from_token(request: Request, token: str | None) -> dict[str, Any]:
    if not token:
        raise Unauthorized("Your pass token is required.")
    try:
        return participants.by_token(request.app.ctx.store, token)
    except NotFound:
        raise Unauthorized("This pass is not valid.") from None


def require_participant(request: Request) -> dict[str, Any]:
    return participant_from_token(request, bearer(request))
