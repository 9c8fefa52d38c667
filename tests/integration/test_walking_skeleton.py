"""The first slice end to end, over real HTTP against `popup up --headless`."""

from __future__ import annotations

import stat

import httpx

from ..qrcodes import decode_qr_in


def test_register_pass_qr_check_in_and_stats(server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        assert http.get("/api/v1/health").json() == {"status": "ok"}
        event = http.get("/api/v1/event").json()
        assert event["workshops"][0]["capacity"] > 0 and "confirmed" in event["workshops"][0]

        created = server.register(http, name="Hélène Roux")
        assert set(created) >= {"id", "token", "pass_url"}
        assert created["pass_url"].endswith("/pass/" + created["token"])

        page = http.get(f"/pass/{created['token']}")
        assert page.status_code == 200 and "Hélène Roux" in page.text
        # The QR shown for scanning only checks in; the pass link stays on the phone.
        scanned = decode_qr_in(page.text)
        assert "/c/" in scanned and created["token"] not in scanned
        code_page = http.get(scanned)
        assert code_page.status_code == 200 and "Hélène" in code_page.text
        assert created["token"] not in code_page.text and "Roux" not in code_page.text

        me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {created['token']}"})
        assert me.json()["name"] == "Hélène Roux" and me.json()["checked_in"] is False

        first = http.post("/api/v1/checkins", json={"token": scanned},
                          headers=server.concierge)
        assert first.status_code == 200
        assert first.json()["participant_id"] == created["id"]
        assert first.json()["already_checked_in"] is False
        again = http.post("/api/v1/checkins", json={"token": created["token"]},
                          headers=server.concierge)
        assert again.json()["already_checked_in"] is True

        stats = http.get("/api/v1/stats", headers=server.concierge).json()
        assert stats["registered"] == 1 and stats["checked_in"] == 1
        assert {"capacity", "confirmed", "waitlisted"} <= set(stats["workshops"][0])


def test_concierge_routes_refuse_missing_or_wrong_tokens(server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        created = server.register(http)
        for method, path, body in (("GET", "/api/v1/stats", None),
                                   ("POST", "/api/v1/checkins", {"token": created["token"]})):
            missing = http.request(method, path, json=body)
            assert missing.status_code == 401
            assert missing.json()["error"]["code"] == "unauthorized"
            wrong = http.request(method, path, json=body,
                                 headers={"Authorization": "Bearer " + "x" * 43})
            assert wrong.status_code == 403
            # A participant's own pass does not open the desk either.
            theirs = http.request(method, path, json=body,
                                  headers={"Authorization": f"Bearer {created['token']}"})
            assert theirs.status_code == 403
        assert http.get("/api/v1/stats", headers=server.concierge).json()["checked_in"] == 0


def test_bad_input_gets_a_clear_4xx_in_the_contract_shape(server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        bad_json = http.post("/api/v1/participants", content=b"{not json",
                             headers={"content-type": "application/json"})
        assert bad_json.status_code == 400 and bad_json.json()["error"]["code"]
        not_object = http.post("/api/v1/participants", json=["a"])
        assert not_object.status_code == 400
        huge = http.post("/api/v1/participants", json={"name": "x" * 10_000, "consent": True})
        assert huge.status_code == 400
        fields = huge.json()["error"]["fields"]
        assert {"name", "profile", "commune"} <= set(fields)
        french = http.post("/api/v1/participants", json={},
                           headers={"Accept-Language": "fr-FR,fr;q=0.9"})
        assert french.json()["error"]["fields"]["name"] == "Ce champ est obligatoire."
        english = http.post("/api/v1/participants", json={},
                            headers={"Accept-Language": "en-GB,en;q=0.9"})
        assert english.json()["error"]["fields"]["name"] == "This field is required."
        unknown = http.post("/api/v1/checkins", json={"token": "nobody-at-all-here"},
                            headers=server.concierge)
        assert unknown.status_code == 404
        assert http.get("/api/v1/nowhere").json()["error"]["code"] == "not_found"
        assert http.get("/api/v1/stats", headers=server.concierge).json()["registered"] == 0


def test_registration_form_without_javascript(server):
    with httpx.Client(base_url=server.url, timeout=10) as http:
        home = http.get("/")
        assert home.status_code == 200 and 'lang="fr"' in home.text
        assert "S'inscrire" in home.text or "S&#39;inscrire" in home.text
        rejected = http.post("/register", data={"name": "", "commune": "Apt",
                                                "csrf": server.csrf(http)})
        assert rejected.status_code == 400
        assert "Ce champ est obligatoire." in rejected.text
        assert 'value="Apt"' in rejected.text  # what was typed is kept
        event = http.get("/api/v1/event").json()
        done = http.post("/register", data={
            "name": "<script>alert(1)</script>", "profile": event["profiles"][0],
            "commune": "Apt", "consent": "on", "charter": "on", "csrf": server.csrf(http)})
        assert done.status_code == 303
        pass_page = http.get(done.headers["location"])
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pass_page.text
        assert "<script>alert(1)" not in pass_page.text
        english = http.get("/?lang=en")
        assert 'lang="en"' in english.text and "Get my pass" in english.text
        assert 'lang="en"' in http.get("/").text  # the choice is remembered


def test_event_folder_and_token_are_private(server):
    assert stat.S_IMODE(server.data_dir.stat().st_mode) == 0o700
    token_file = server.data_dir / "concierge.token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert len(server.token) >= 43  # 256 bits


def test_ctrl_c_loses_nothing(make_server, tmp_path):
    server = make_server()
    ids = [server.register(name=f"Personne {i}")["id"] for i in range(20)]
    assert server.stop() == 0
    again = make_server(data_dir=server.data_dir)
    stats = httpx.get(again.url + "/api/v1/stats", headers=again.concierge).json()
    assert stats["registered"] == len(ids)
