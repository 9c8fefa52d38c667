"""The captive portal on the web side: answers the OS probes, sends every other name
to the portal, and the welcome page whose "continue" lets a phone call itself online.

Only with ``popup up --captive``: a request middleware recognises probes by Host
header and path (rules in ``domain/captive.py``); a catch-all route lets probe paths
that no page has (``/generate_204``...) reach that middleware instead of a 404.
``GET /api/v1/captive`` (RFC 8908) is always there.
"""

from __future__ import annotations

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, json, redirect

from ..domain import captive
from ..errors import NotFound
from ..net import lan
from ..net.mdns import host_name
from .render import page

bp = Blueprint("captive")
CAPTIVE_JSON = "application/captive+json"


def own_names(request: Request) -> tuple[str, ...]:
    """The names phones use for the portal itself (mDNS), never captured."""
    return (f"{host_name(request.app.ctx.kit.event.slug)}.local", f"{lan.hostname()}.local")


def client_online(request: Request) -> bool:
    return captive.is_online(request.app.ctx.store, request.ip)


def remember(request: Request) -> None:
    """Called by the registration handlers before they commit: this phone went through
    the portal, so its next probes get the "online" answers."""
    if request.app.ctx.settings.captive:
        captive.mark_online(request.app.ctx.store, request.ip, "register")


@bp.get("/api/v1/captive")
async def captive_api(request: Request) -> HTTPResponse:
    document = captive.api_document(client_online(request),
                                    request.app.ctx.settings.public_url)
    return json(document, content_type=CAPTIVE_JSON, headers={"Cache-Control": "private"})


@bp.get(captive.WELCOME_PATH)
async def welcome(request: Request) -> HTTPResponse:
    return page(request, "captive_welcome.html", online=client_online(request),
                portal_url=request.app.ctx.settings.public_url)


@bp.post(captive.WELCOME_PATH)
async def carry_on(request: Request) -> HTTPResponse:
    captive.mark_online(request.app.ctx.store, request.ip, "continue")
    await request.app.ctx.store.commit()
    return redirect("/", status=303)


async def probe_middleware(request: Request) -> HTTPResponse | None:
    answer = captive.answer(request.headers.get("host", ""), request.path,
                            client_online(request), request.app.ctx.settings.public_url,
                            own_names(request))
    if answer is None:
        return None
    return HTTPResponse(answer.body if request.method != "HEAD" else "", status=answer.status,
                        headers=answer.headers, content_type=answer.content_type)


async def unknown_path(request: Request, rest: str) -> HTTPResponse:
    """Reached only for the portal's own host (probes were answered by the middleware)."""
    raise NotFound("This page does not exist.")


def install(app: Sanic) -> None:
    """Register the blueprint; in captive mode, the probe middleware and catch-all."""
    app.blueprint(bp)
    if app.ctx.settings.captive:
        app.register_middleware(probe_middleware, "request")
        app.add_route(unknown_path, "/<rest:path>", methods=["GET", "HEAD", "POST"],
                      name="captive_catch_all")
