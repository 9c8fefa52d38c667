"""The API as OpenAPI 3.1 JSON at ``/api/v1/openapi.json``, for scripts and fuzzers.

The list of operations is read from the app's router, so a route added under
``/api/v1`` is published the moment it exists and cannot drift from the code; the
bodies of the contract's main routes are described below (DESIGN.md section 4).
Every error answers the contract's shape, ``Error``. No UI is served: nothing from
a CDN.
"""

from __future__ import annotations

import re
from typing import Any

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, json

bp = Blueprint("openapi", url_prefix="/api/v1")
PREFIX = "/api/v1"
_PARAM = re.compile(r"<(\w+)(?::([^>]+))?>")

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["code", "message", "fields"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object",
                                  "additionalProperties": {"type": "string"}}}}},
}
TOKEN = {"type": "string",
         "description": "a check-in code or its /c/ URL, or a pass token or pass URL"}
BODIES: dict[str, dict[str, Any]] = {
    "POST /participants": {
        "type": "object", "required": ["name", "profile", "commune", "consent"],
        "properties": {"name": {"type": "string"}, "email": {"type": "string"},
                       "profile": {"type": "string"}, "commune": {"type": "string"},
                       "consent": {"type": "boolean"}, "charter": {"type": "boolean"},
                       "contact_optin": {"type": "boolean"}, "answers": {"type": "object"}}},
    "POST /checkins": {"type": "object", "required": ["token"],
                       "properties": {"token": TOKEN, "desk": {"type": "string"},
                                      "scanned_at": {"type": "string",
                                                     "format": "date-time"}}},
    "PUT /me/answers": {"type": "object", "properties": {"answers": {"type": "object"}}},
    "POST /seats/bookings": {
        "type": "object", "required": ["slot_id", "space_id"],
        "properties": {"slot_id": {"type": "string"}, "space_id": {"type": "string"},
                       "seat": {"type": "integer"}, "participant_id": {"type": "integer"}}},
    "POST /swap": {
        "type": "object", "required": ["kind", "title"],
        "properties": {"kind": {"enum": ["offer", "request"]}, "title": {"type": "string"},
                       "description": {"type": "string"}, "category": {"type": "string"},
                       "tags": {"type": "array", "items": {"type": "string"}}}},
    "POST /notes": {
        "type": "object", "required": ["title", "body"],
        "properties": {"title": {"type": "string"}, "body": {"type": "string"},
                       "kind": {"type": "string"}, "workshop_id": {"type": "string"}}},
}
STREAMS = {"/stream"}


def _parameter(name: str, kind: str | None) -> dict[str, Any]:
    if kind == "int":
        schema: dict[str, Any] = {"type": "integer"}
    elif kind and "|" in kind:
        schema = {"type": "string", "enum": kind.split("|")}
    else:
        schema = {"type": "string"}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _operation(method: str, path: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    errors = {"description": "an error, in the visitor's language",
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    operation: dict[str, Any] = {
        "operationId": f"{method.lower()}{re.sub(r'[^A-Za-z0-9]+', '_', path)}",
        "parameters": params,
        "security": [{}, {"bearer": []}],
        "responses": {"2XX": {"description": "done"}, "4XX": errors, "503": errors},
    }
    if path in STREAMS:
        operation["responses"]["2XX"] = {"description": "server-sent events",
                                         "content": {"text/event-stream": {}}}
    if method in ("POST", "PUT", "PATCH"):
        schema = BODIES.get(f"{method} {path}", {"type": "object"})
        operation["requestBody"] = {"required": False,
                                    "content": {"application/json": {"schema": schema}}}
    return operation


def build(app: Sanic) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in app.router.routes:
        uri = "/" + route.path.lstrip("/")
        if not uri.startswith(PREFIX + "/") or route.name.endswith(".openapi"):
            continue
        path = _PARAM.sub(lambda m: "{" + m.group(1) + "}", uri[len(PREFIX):])
        params = [_parameter(m.group(1), m.group(2)) for m in _PARAM.finditer(uri)]
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(method, path, params)
    kit = app.ctx.kit
    return {
        "openapi": "3.1.0",
        "info": {"title": f"popup-tierslieu: {kit.event.name.fr}", "version": "1"},
        "servers": [{"url": PREFIX}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {"Error": ERROR},
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "the concierge token, or a participant's pass token"}},
        },
    }


@bp.get("/openapi.json", name="openapi")
async def openapi(request: Request) -> HTTPResponse:
    spec = getattr(request.app.ctx, "openapi", None)
    if spec is None:
        spec = request.app.ctx.openapi = build(request.app)
    return json(spec)
