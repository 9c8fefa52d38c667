"""What keeps a curious or careless visitor of an open Wi-Fi out.

* CSRF: a double-submit cookie. Every visitor gets a random ``csrf`` cookie; the
  forms carry the same value in a hidden field (``render.page`` fills it); a
  form-encoded or multipart POST outside ``/api/`` must bring both, equal. Another
  site can make a phone post a form here, but it can neither read nor set our
  cookie. The API is not concerned: it authenticates with a bearer header, which a
  foreign page cannot make a browser send.
* Rate limits per client address, as token buckets: registrations (a script
  filling the event with fake people), and failed token look-ups (someone trying
  pass URLs until one opens). The concierge's own requests are never limited.
* Slow clients: Sanic's request timeout restarts with every byte received, so a
  client dripping one byte a second would hold a connection for ever;
  ``GuardedProtocol`` bounds the whole time a request may take to arrive.
"""

from __future__ import annotations

import math
import resource
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from time import monotonic as _now

from sanic import Request, Sanic
from sanic.exceptions import RequestTimeout
from sanic.headers import parse_content_header
from sanic.http import Stage
from sanic.response import HTTPResponse
from sanic.server.protocols.http_protocol import HttpProtocol

from ..errors import Forbidden, RateLimited
from . import auth

CSRF_COOKIE = "csrf"
CSRF_FIELD = "csrf"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# A bucket that has been full this long is forgotten, so memory stays bounded.
IDLE_FORGET = 3600.0

def parse_rate(text: str) -> tuple[int, float]:
    """``"30/60"``: 30 requests per 60 seconds (a burst of 30, refilled evenly)."""
    count, _, seconds = text.partition("/")
    return max(1, int(count)), max(0.001, float(seconds or 60))


@dataclass
class Bucket:
    tokens: float
    stamp: float


@dataclass
class RateLimit:
    """A token bucket per client address: ``burst`` requests at once, then one every
    ``period / burst`` seconds."""

    burst: int
    period: float
    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, Bucket] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, clock: Callable[[], float] = time.monotonic) -> RateLimit:
        burst, period = parse_rate(text)
        return cls(burst, period, clock)

    @property
    def rate(self) -> float:
        return self.burst / self.period

    def _refilled(self, key: str) -> Bucket:
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) > 10_000:
                self._forget(now)
            bucket = self.buckets[key] = Bucket(float(self.burst), now)
        else:
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.stamp) * self.rate)
            bucket.stamp = now
        return bucket

    def _forget(self, now: float) -> None:
        for key, bucket in list(self.buckets.items()):
            if now - bucket.stamp > IDLE_FORGET:
                del self.buckets[key]

    def retry_after(self, key: str) -> int:
        """0 if ``key`` may go on, else the seconds to wait for the next token."""
        if key not in self.buckets:  # nothing spent yet: a full bucket (every desk scan asks)
            return 0
        return self._wait(self._refilled(key))

    def _wait(self, bucket: Bucket) -> int:
        if bucket.tokens >= 1:
            return 0
        return max(1, math.ceil((1 - bucket.tokens) / self.rate))

    def take(self, key: str) -> int:
        """Spend one token; returns 0, or the seconds to wait when none is left."""
        bucket = self._refilled(key)
        wait = self._wait(bucket)
        if not wait:
            bucket.tokens -= 1
        return wait


def client_address(request: Request) -> str:
    """The socket's peer: phones reach the laptop directly, with no proxy whose
    forwarded-for header we could trust."""
    return request.ip or "?"


def looks_up_a_token(request: Request) -> bool:
    """A request that presents a pass or a token: these are what a brute force tries."""
    return (request.path.startswith("/pass/") or "authorization" in request.headers
            or "token" in request.args)


def is_form_post(request: Request) -> bool:
    return (request.method in UNSAFE and not request.path.startswith("/api/")
            and request.content_type.split(";")[0].strip().lower() in FORM_TYPES)


def multipart_boundary(request: Request) -> bytes:
    _, parameters = parse_content_header(request.headers.get("content-type", ""))
    return str(parameters.get("boundary", "")).encode()


def streamed(request: Request) -> bool:
    """A route that receives its body itself (the note form with its photo): the body is
    not there yet when the request's middleware runs, so the route checks its form."""
    route = getattr(request, "route", None)
    return bool(route is not None and getattr(route.handler, "is_stream", False))


def too_large(request: Request) -> bool:
    """A body Sanic refuses (413) before reading it: there is no form to check."""
    try:
        declared = int(request.headers.get("content-length", 0))
    except ValueError:
        return False
    return declared > request.app.config.REQUEST_MAX_SIZE


def check_csrf(request: Request) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = request.form.get(CSRF_FIELD, "") if request.form else ""
    if not (cookie and sent and secrets.compare_digest(cookie.encode(), sent.encode())):
        raise Forbidden("This form has expired or did not come from this site. Reload the "
                        "page and send it again.")


def install(app: Sanic) -> None:
    """Attach the checks to an app built by ``create_app`` (its settings on ``app.ctx``)."""
    settings = app.ctx.settings
    registrations = RateLimit.parse(settings.rate_register)
    failures = RateLimit.parse(settings.rate_failed_tokens)
    app.ctx.rate_limits = {"register": registrations, "failed_tokens": failures}

    @app.on_request
    async def guard(request: Request) -> None:
        if request.path.startswith("/api/"):
            request.ctx.csrf, request.ctx.new_csrf = "", False  # bearer tokens, no forms
        else:
            request.ctx.csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(16)
            request.ctx.new_csrf = CSRF_COOKIE not in request.cookies
        if is_form_post(request) and not streamed(request) and not too_large(request):
            check_csrf(request)
        address = client_address(request)
        # The concierge check reads the token file: ask it only when a limit would bite.
        if looks_up_a_token(request) and (wait := failures.retry_after(address)):
            if not auth.is_concierge(request):
                raise RateLimited("Too many wrong passes from this device. Try again in "
                                  "%(retry_after)s seconds.", params={"retry_after": wait})
        if (request.method == "POST" and request.path in ("/register", "/api/v1/participants")
                and not ("authorization" in request.headers and auth.is_concierge(request))):
            wait = registrations.take(address)
            if wait:
                raise RateLimited("Too many registrations from this device. Try again in "
                                  "%(retry_after)s seconds, or ask the desk.",
                                  params={"retry_after": wait})

    @app.on_response
    async def count_failures(request: Request, response: HTTPResponse) -> None:
        failed_lookup(request, response, failures)
        if getattr(request.ctx, "new_csrf", False) and not request.path.startswith("/api/"):
            response.add_cookie(CSRF_COOKIE, request.ctx.csrf, samesite="Strict",
                                httponly=True, secure=False, max_age=7 * 24 * 3600)


def token_refused(request: Request, response: HTTPResponse) -> bool:
    """The token itself was refused: an unknown pass page, or a token the API did not
    accept (a missing post or workshop, asked with a good token, is not a guess)."""
    if request.path.startswith("/pass/"):
        return response.status == 404
    return response.status in (401, 403) and looks_up_a_token(request)


def failed_lookup(request: Request, response: HTTPResponse, failures: RateLimit) -> None:
    """A wrong pass or token costs one token of the address's bucket."""
    if token_refused(request, response) and not auth.is_concierge(request):
        failures.take(client_address(request))


# A photo upload may take longer than the request timeout on a crowded Wi-Fi: every
# byte received at this rate earns its time. A client dripping bytes earns nothing.
MIN_UPLOAD_RATE = 16 * 1024


REFUSED = (b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 10\r\nContent-Length: 0\r\n"
           b"Connection: close\r\n\r\n")


def raise_open_files_limit() -> None:
    """Each phone holds a connection or two (its pass page's live stream): lift the
    usual soft limit of 1,024 open files to what the system allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else min(hard, 65536)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


class GuardedProtocol(HttpProtocol):
    """Sanic's HTTP/1.1 protocol with two more limits:

    * the whole time a request may take to arrive (headers and body), counted from its
      first byte: the request timeout, plus one second per MIN_UPLOAD_RATE bytes of body
      received;
    * open connections per client address (``max_connections_per_client``): one device
      cannot take every socket of the laptop; the next one is answered 429 and closed.
    """

    __slots__ = ("_arrival", "_peer")

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._arrival = 0.0
        self._peer: str | None = None

    def _open_per_client(self) -> Counter[str]:
        ctx = self.app.ctx
        if not hasattr(ctx, "open_per_client"):
            ctx.open_per_client = Counter()
        return ctx.open_per_client

    def connection_made(self, transport) -> None:  # type: ignore[no-untyped-def]
        peer = (transport.get_extra_info("peername") or ("?",))[0]
        counts = self._open_per_client()
        if counts[peer] >= self.app.ctx.settings.max_connections_per_client:
            transport.write(REFUSED)
            transport.close()
            return
        counts[peer] += 1
        self._peer = peer
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._peer is None:
            return  # refused before it was a connection
        counts = self._open_per_client()
        counts[self._peer] -= 1
        if counts[self._peer] <= 0:
            del counts[self._peer]
        self._peer = None
        super().connection_lost(exc)

    def _arriving(self) -> bool:
        http = getattr(self, "_http", None)
        return http is not None and (http.stage is Stage.REQUEST or (
            http.stage is Stage.HANDLER and bool(http.request_body)))

    def data_received(self, data: bytes) -> None:
        http = getattr(self, "_http", None)
        if http is None or http.stage in (Stage.IDLE, Stage.RESPONSE):
            self._arrival = _now()
        super().data_received(data)

    def _allowed(self) -> float:
        http = self._http
        received = 0
        if http.stage is Stage.HANDLER and http.request_bytes:
            received = http.request_bytes - (http.request_bytes_left or 0)
        return self.request_timeout + received / MIN_UPLOAD_RATE

    def check_timeouts(self) -> None:
        if (self._task and self._arriving() and self._arrival
                and _now() - self._arrival > self._allowed()):
            self._http.exception = RequestTimeout("Request Timeout")
            self._task.cancel("The request took too long to arrive")
            return
        super().check_timeouts()
