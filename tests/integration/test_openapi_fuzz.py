"""Every route of the published OpenAPI, fuzzed with schemathesis against a real server:
never a 5xx, every error in the contract's JSON shape."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from popup_tierslieu.store import load_tables

EXAMPLES = 12


def error_shape_problem(response) -> str | None:
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return "not the contract's JSON"
    if not (isinstance(error.get("code"), str) and isinstance(error.get("message"), str)
            and isinstance(error.get("fields"), dict)):
        return "missing code, message or fields"
    return None


def test_every_api_route_is_published(server, tmp_path):
    spec = httpx.get(server.url + "/api/v1/openapi.json").json()
    published = {(method.upper(), path) for path, item in spec["paths"].items()
                 for method in item}
    assert ("POST", "/participants") in published and ("POST", "/checkins") in published
    assert ("GET", "/openapi.json") not in published
    # A route that does not exist is not published either.
    assert all(not path.startswith("/api/") for _, path in published)
    body = spec["paths"]["/participants"]["post"]["requestBody"]
    assert "consent" in body["content"]["application/json"]["schema"]["properties"]
    assert published == routed_api(tmp_path), "every /api/v1 route, and only those"


def routed_api(folder) -> set[tuple[str, str]]:
    """The /api/v1 routes the app really answers, in the spec's notation."""
    import re

    from popup_tierslieu import domain
    from popup_tierslieu.kit import default_kit
    from popup_tierslieu.settings import Settings
    from popup_tierslieu.store import Store
    from popup_tierslieu.web.app import create_app

    with Store.open(folder / "routes", indexes=domain.INDEXES) as store:
        app = create_app(default_kit(), store, Settings(folder / "routes", "http://x"))
        found = set()
        for route in app.router.routes:
            path = "/" + route.path.lstrip("/")
            if not path.startswith("/api/v1/") or path == "/api/v1/openapi.json":
                continue
            path = re.sub(r"<(\w+)(:[^>]*)?>", r"{\1}", path[len("/api/v1"):])
            found |= {(method, path) for method in route.methods
                      if method not in ("HEAD", "OPTIONS")}
        return found


def test_fuzzing_every_route_never_breaks_the_server(make_server, monkeypatch):
    monkeypatch.setenv("POPUP_RATE_REGISTER", "100000/1")
    monkeypatch.setenv("POPUP_RATE_FAILED_TOKENS", "100000/1")
    server = make_server()
    participant = server.register()
    spec = httpx.get(server.url + "/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    identities = [{}, server.concierge, {"Authorization": f"Bearer {participant['token']}"}]
    failures: list[str] = []
    calls = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/stream":
            continue  # an endless stream; tests/integration covers it

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case) -> None:
            nonlocal calls
            for headers in identities:
                calls += 1
                response = case.call(base_url=server.url + "/api/v1",
                                     headers={**(case.headers or {}), **headers}, timeout=10)
                where = f"{case.method} {case.formatted_path} {headers and 'auth'}"
                if response.status_code >= 500 and response.status_code != 503:
                    failures.append(f"{where}: {response.status_code} {response.text[:200]}")
                elif response.status_code >= 400:
                    problem = error_shape_problem(response)
                    if problem:
                        failures.append(f"{where}: {response.status_code} {problem}")

        call()
    assert calls > 200
    assert not failures, "\n".join(failures[:20])
    assert httpx.get(server.url + "/api/v1/health").status_code == 200
    server.stop()
    load_tables(server.data_dir)  # raises if what was acknowledged cannot be read back
    assert server.start() and httpx.get(server.url + "/api/v1/health").status_code == 200


pytestmark = pytest.mark.timeout(240)
