"""The one place where errors become HTTP answers.

API paths answer JSON in the contract's shape
``{"error": {"code", "message", "fields"}}``; pages answer a readable HTML page.
Nothing a visitor sends can produce a 5xx: unexpected exceptions are logged with
their traceback and answered with a plain 500 message, never the traceback.
"""

from __future__ import annotations

import logging

from sanic import Request
from sanic.exceptions import SanicException
from sanic.handlers import ErrorHandler
from sanic.response import HTTPResponse, json

from .. import errors, i18n
from ..errors import N_

log = logging.getLogger("popup.web")

STATUS: dict[type[errors.PopupError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.TooLarge: 413,
    errors.UnsupportedMedia: 415,
    errors.RateLimited: 429,
    errors.StoreUnavailable: 503,
    errors.StoreCorrupted: 503,
    errors.KitError: 400,
}

# Sanic's own refusals, in words a visitor understands.
SANIC_MESSAGES = {
    400: ("invalid", N_("The request could not be read.")),
    404: ("not_found", N_("This page does not exist.")),
    405: ("method_not_allowed", N_("This action is not allowed here.")),
    408: ("timeout", N_("The request took too long.")),
    413: ("too_large", N_("The request is too large.")),
    415: ("unsupported_media", N_("This type of content is not accepted.")),
    416: ("invalid_range", N_("The requested range is not available.")),
    503: ("unavailable", N_("The service is briefly unavailable. Try again in a moment.")),
}


def status_of(exc: errors.PopupError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def describe(exc: Exception, lang: str) -> tuple[int, str, str, dict[str, str]]:
    """(status, code, translated message, translated per-field messages)."""
    if isinstance(exc, errors.PopupError):
        fields = {}
        for name, message in exc.fields.items():
            message, params = message if isinstance(message, tuple) else (message, None)
            fields[name] = i18n.translate(message, params, lang)
        return (status_of(exc), exc.code, i18n.translate(exc.message, exc.params, lang),
                fields)
    if isinstance(exc, SanicException) and (exc.status_code < 500 or exc.status_code == 503):
        code, message = SANIC_MESSAGES.get(exc.status_code,
                                           ("error", N_("The request was refused.")))
        return exc.status_code, code, i18n.translate(message, lang=lang), {}
    return 500, "internal", i18n.translate(
        "Something went wrong on our side; the desk can help.", lang=lang), {}


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def wants_json(request: Request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", "")


class PopupErrorHandler(ErrorHandler):
    def default(self, request: Request, exception: Exception) -> HTTPResponse:
        lang = getattr(request.ctx, "lang", None) or i18n.DEFAULT if request else i18n.DEFAULT
        if request is not None:
            # A request that fails after a first write keeps none of its writes.
            request.app.ctx.store.discard()
        status, code, message, fields = describe(exception, lang)
        if status >= 500 and status != 503:
            log.error("unhandled error on %s %s", request.method if request else "?",
                      request.path if request else "?", exc_info=exception)
        headers = {}
        if isinstance(exception, errors.RateLimited) and "retry_after" in exception.params:
            headers["Retry-After"] = str(exception.params["retry_after"])
        if request is None or wants_json(request):
            return json(error_body(code, message, fields), status=status, headers=headers)
        from .render import page

        return page(request, "error.html", status=status, headers=headers,
                    message=message, fields=fields, code=code)
