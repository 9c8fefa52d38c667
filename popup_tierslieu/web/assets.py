"""Static files under names that carry their content's hash, cached for a year.

``style.css`` is linked as ``/static/style.3f2a9c1b0d.css``: a phone keeps it without
asking again (``immutable``), and a changed file gets a new name, so nobody keeps an
old one. The plain name still answers (old pages, bookmarks), revalidated each time.
Templates get the names through one helper, ``static_url``.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from sanic import Blueprint, Request
from sanic.exceptions import NotFound as SanicNotFound
from sanic.exceptions import ServerError
from sanic.response import HTTPResponse, empty, raw

FOLDER = Path(__file__).parent / "static"
FOREVER = "public, max-age=31536000, immutable"
# A plain name may change with the next version: the browser asks each time (a 304).
REVALIDATE = "no-cache"

bp = Blueprint("assets")


@dataclass(frozen=True)
class Asset:
    digest: str
    body: bytes
    mime: str


class Assets:
    """The files of one static folder, read once, each under its plain and hashed name."""

    def __init__(self, folder: Path = FOLDER) -> None:
        self.plain: dict[str, Asset] = {}
        self.hashed: dict[str, Asset] = {}
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            body = path.read_bytes()
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if mime.startswith("text/") or mime.endswith(("javascript", "svg+xml")):
                mime += "; charset=utf-8"
            asset = Asset(hashlib.sha256(body).hexdigest()[:10], body, mime)
            self.plain[path.name] = asset
            self.hashed[hashed_name(path.name, asset.digest)] = asset

    def url(self, name: str) -> str:
        asset = self.plain.get(name)
        return f"/static/{hashed_name(name, asset.digest) if asset else name}"


def hashed_name(name: str, digest: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def _current_assets() -> Assets:
    try:
        return Request.get_current().app.ctx.assets
    except (ServerError, AttributeError):
        return _default()


@functools.cache
def _default() -> Assets:
    """Outside a request (the poster, a report), the package's own files."""
    return Assets()


def static_url(name: str) -> str:
    return _current_assets().url(name)


def answer(request: Request, asset: Asset, cache: str) -> HTTPResponse:
    etag = f'"{asset.digest}"'
    headers = {"Cache-Control": cache, "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return empty(status=304, headers=headers)
    return raw(asset.body, content_type=asset.mime, headers=headers)


@bp.route("/static/<name:str>", methods=["GET", "HEAD"])
async def static_file(request: Request, name: str) -> HTTPResponse:
    assets: Assets = request.app.ctx.assets
    if name in assets.hashed:
        return answer(request, assets.hashed[name], FOREVER)
    if name in assets.plain:
        return answer(request, assets.plain[name], REVALIDATE)
    raise SanicNotFound("No such file.")


@bp.route("/favicon.ico", methods=["GET", "HEAD"])
async def favicon(request: Request) -> HTTPResponse:
    """Browsers ask for it whatever the page links; a day's cache, then a 304."""
    return answer(request, request.app.ctx.assets.plain["favicon.ico"], "public, max-age=86400")
