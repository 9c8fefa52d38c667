"""The Sanic application factory: one app per event, services attached to ``app.ctx``."""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

import orjson
from sanic import Request, Sanic
from sanic.response import HTTPResponse

from .. import i18n
from ..kit import Kit
from ..settings import Settings
from ..store import Store
from . import (
    api,
    assets,
    captive,
    compression,
    desk,
    notes,
    openapi,
    portal,
    programme,
    screen,
    security,
    swap,
)
from .errors import PopupErrorHandler
from .events import Broadcaster

log = logging.getLogger("popup.web")
_names = itertools.count(1)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(self), geolocation=(), microphone=()",
}


class PopupRequest(Request):
    """Sanic's request, receiving its body without an async generator: Sanic's own
    ``receive_body`` gathers the body with ``async for``, and asyncio registers, watches
    and finalises that generator on every request that has a body (every desk scan). The
    same reads, in a plain loop."""

    async def receive_body(self) -> None:
        if self.body:
            return
        stream, chunks = self.stream, []
        while stream.request_body:
            data = await stream.read()
            if data:
                chunks.append(data)
        self.body = b"".join(chunks)


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def create_app(kit: Kit, store: Store, settings: Settings, name: str | None = None) -> Sanic:
    app = Sanic(name or f"popup_{next(_names)}", error_handler=PopupErrorHandler(),
                dumps=_dumps, configure_logging=False, request_class=PopupRequest)
    app.config.update(
        REQUEST_MAX_SIZE=settings.max_upload_bytes + 256 * 1024,
        REQUEST_TIMEOUT=settings.request_timeout,
        RESPONSE_TIMEOUT=24 * 3600,  # server-sent event streams stay open all day
        KEEP_ALIVE_TIMEOUT=15,
        GRACEFUL_SHUTDOWN_TIMEOUT=2,
        NOISY_EXCEPTIONS=False,
        FALLBACK_ERROR_FORMAT="json",
        OAS=False,
    )
    app.ctx.kit = kit
    app.ctx.store = store
    app.ctx.settings = settings
    app.ctx.events = Broadcaster()
    app.blueprint(api.bp)
    app.blueprint(openapi.bp)
    app.blueprint(portal.bp)
    app.blueprint(screen.bp)
    app.blueprint(desk.bp)
    app.blueprint(swap.bp)
    app.blueprint(notes.bp)
    app.blueprint(programme.bp)
    app.ctx.assets = assets.Assets()
    app.blueprint(assets.bp)
    captive.install(app)
    answer_head(app)

    @app.on_request
    async def choose_language(request: Request) -> None:
        available = kit.event.languages
        asked = request.args.get("lang")
        if asked in available:
            request.ctx.lang = asked
            request.ctx.remember_lang = True
        else:
            cookie = request.cookies.get("lang")
            request.ctx.lang = cookie if cookie in available else i18n.negotiate(
                request.headers.get("accept-language"), available)
        i18n.current.set(request.ctx.lang)

    @app.on_response
    async def harden(request: Request, response: HTTPResponse) -> None:
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        if getattr(request.ctx, "remember_lang", False):
            response.add_cookie("lang", request.ctx.lang, max_age=30 * 24 * 3600,
                                samesite="Lax", httponly=True, secure=False)

    security.install(app)
    app.register_middleware(compression.compress, "response")

    @app.before_server_start
    async def start_checkpoints(app: Sanic) -> None:
        app.ctx.stopping = False
        app.ctx.checkpoints = asyncio.get_running_loop().create_task(_checkpoints(app))

    @app.before_server_stop
    async def end_streams(app: Sanic) -> None:
        app.ctx.events.close_all()
        # Let a snapshot in progress finish before the store closes (no second writer).
        app.ctx.stopping = True
        await app.ctx.checkpoints
        await app.ctx.store.idle()

    return app


def answer_head(app: Sanic) -> None:
    """``HEAD`` wherever ``GET`` is (Sanic answers 405 otherwise): link checkers, uptime
    probes and some captive-portal detectors ask with it. Sanic sends no body for HEAD.
    Not on event streams, which would stay open for nothing."""
    for route in app.router.routes:
        if "GET" in route.methods and not route.path.endswith("stream"):
            route.methods = route.methods | {"HEAD"}


async def _checkpoints(app: Sanic) -> None:
    """Compact the journal and keep a rotating snapshot every few minutes."""
    # Sleeps in short steps so that shutdown never has to cancel it mid-snapshot.
    waited = 0.0
    while not app.ctx.stopping:
        await asyncio.sleep(0.5)
        waited += 0.5
        if waited < app.ctx.settings.checkpoint_seconds:
            continue
        waited = 0.0
        try:
            await app.ctx.store.checkpoint()
        except Exception as exc:  # a failed snapshot must not stop the event
            log.error("snapshot failed: %s", exc)
