"""Hostile text in every text field of every route: a lone surrogate is a 400 field
error, control and bidi-override characters are removed, and the server keeps serving
everyone (the release before this one planted an unsaveable phantom and answered 500)."""

from __future__ import annotations

import json

import httpx

from popup_tierslieu.store import load_tables

SURROGATE = "Evil \ud800 name"
BIDI = "Hé\u202eloc\u2066ne\x07\x1b[31m\u0085 Roux"
CLEAN = "Hélocne[31m Roux"


def hostile_body(schema: dict, spec: dict, text: str) -> dict:
    """Every string field of a JSON body (and every list of strings) set to ``text``."""
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    body: dict = {}
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("type") == "string" and "enum" not in prop:
            body[name] = text
        elif prop.get("type") == "array" and prop.get("items", {}).get("type") == "string":
            body[name] = [text]
        elif prop.get("type") == "object" and name == "answers":
            body[name] = {"q": text}
    return body


def test_surrogates_in_every_text_field_of_every_route_are_refused_never_a_500(server):
    participant = server.register()
    identities = [{}, server.concierge, {"Authorization": f"Bearer {participant['token']}"}]
    spec = httpx.get(server.url + "/api/v1/openapi.json").json()
    answers: list[str] = []
    with httpx.Client(base_url=server.url + "/api/v1", timeout=10) as http:
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                content = (operation.get("requestBody") or {}).get("content", {})
                schema = content.get("application/json", {}).get("schema")
                if method not in ("post", "put", "patch") or not schema:
                    continue
                body = hostile_body(schema, spec, SURROGATE)
                url = path.replace("{", "").replace("}", "")
                url = "/".join("1" if part.endswith("id") else part for part in url.split("/"))
                for headers in identities:
                    # json.dumps escapes the surrogate as \ud800, as a hostile client would.
                    answer = http.request(method, url, content=json.dumps(body), headers={
                        **headers, "Content-Type": "application/json"})
                    answers.append(f"{method} {url}: {answer.status_code}")
                    assert answer.status_code < 500, answers[-1] + " " + answer.text[:200]
    assert len(answers) > 20
    assert any(a.endswith(": 400") for a in answers if a.startswith("post /participants"))
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for page in ("/swap", "/screen", "/notes", f"/pass/{participant['token']}"):
            assert http.get(page).status_code == 200, page
        assert server.register(http, name="Après l'attaque")["id"]
    server.stop()
    names = [p["name"] for p in load_tables(server.data_dir)["participants"]]
    assert "Après l'attaque" in names and not any("Evil" in n for n in names)


def test_control_and_bidi_characters_are_removed_from_what_is_stored(server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        created = http.post("/api/v1/participants", json={
            "name": BIDI, "commune": BIDI, "profile": "Habitant·e", "consent": True,
            "charter": True})
        assert created.status_code == 201, created.text
        me = {"Authorization": f"Bearer {created.json()['token']}"}
        shown = http.get("/api/v1/me", headers=me).json()
        assert shown["name"] == CLEAN and shown["commune"] == CLEAN
        post = http.post("/api/v1/swap", headers=me, json={
            "kind": "offer", "title": BIDI, "description": BIDI + "\nligne 2",
            "category": http.get("/api/v1/event").json()["swap_categories"][0],
            "tags": [BIDI]})
        assert post.status_code == 201, post.text
        stored = http.get(f"/api/v1/swap/{post.json()['id']}").json()
        assert stored["title"] == CLEAN and stored["description"] == CLEAN + "\nligne 2"
