"""Gzip for text answers, when the client accepts it (Sanic has none built in).

Pages are 10-60 kB of HTML that compresses four to six times: on a crowded hotspot,
that is most of what every phone downloads. Small answers are left alone (gzip
would not pay for its header), so are images, streams and partial content.
"""

from __future__ import annotations

import gzip

from sanic import Request
from sanic.response import HTTPResponse

MIN_BYTES = 1024
TEXT_TYPES = ("text/", "application/json", "application/javascript", "image/svg+xml",
              "application/captive+json")
# Level 5: nearly all of level 9's gain for a third of its CPU.
LEVEL = 5


def accepts_gzip(request: Request) -> bool:
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def compressible(response: HTTPResponse) -> bool:
    body = getattr(response, "body", None)
    content_type = response.content_type or response.headers.get("content-type", "")
    return (isinstance(body, bytes) and len(body) >= MIN_BYTES
            and response.status == 200 and "content-encoding" not in response.headers
            and content_type.startswith(TEXT_TYPES))


async def compress(request: Request, response: HTTPResponse) -> None:
    if response is None or not compressible(response):
        return
    vary = response.headers.get("vary", "")
    if "accept-encoding" not in vary.lower():
        response.headers["vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
    if not accepts_gzip(request):
        return
    response.body = gzip.compress(response.body, compresslevel=LEVEL, mtime=0)
    response.headers["content-encoding"] = "gzip"
    response.headers.pop("content-length", None)
