"""The concierge desk routes against a real server: rosters, attendance, checklist."""

from __future__ import annotations

import httpx


def test_desk_routes_need_the_concierge_token(server):
    assert httpx.get(server.url + "/api/v1/desk/checklist").status_code == 401
    answer = httpx.get(server.url + "/api/v1/desk/checklist",
                       headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 403
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    found = api.get("/desk/programme").json()
    assert set(found) == {"now", "next"}
    for w in found["now"] + found["next"]:
        assert {"title", "capacity", "confirmed", "waitlisted"} <= set(w)


def test_concierge_adds_marks_attendance_and_removes(server):
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    people = [server.register(name=f"Personne {i}") for i in range(3)]
    statuses = [api.post("/desk/workshops/visio/registrations",
                         json={"participant_id": p["id"]}).json()["status"] for p in people]
    assert statuses == ["confirmed"] * 3
    roster = api.get("/desk/workshops/visio").json()
    assert [p["name"] for p in roster["confirmed"]] == ["Personne 0", "Personne 1", "Personne 2"]
    answer = api.put(f"/desk/workshops/visio/attendance/{people[1]['id']}",
                     json={"attended": True})
    assert answer.status_code == 200
    roster = api.get("/desk/workshops/visio").json()
    assert [p["attended"] for p in roster["confirmed"]] == [False, True, False]
    assert api.delete(f"/desk/workshops/visio/registrations/{people[0]['id']}").status_code == 200
    assert len(api.get("/desk/workshops/visio").json()["confirmed"]) == 2
    again = api.delete(f"/desk/workshops/visio/registrations/{people[0]['id']}")
    assert again.status_code == 404
    unknown = api.post("/desk/workshops/visio/registrations", json={"participant_id": 999})
    assert unknown.status_code == 404
    cancelled = api.put("/desk/workshops/visio/cancelled", json={"cancelled": True}).json()
    assert cancelled["cancelled"] is True
    refused = api.post("/desk/workshops/visio/registrations",
                       json={"participant_id": people[0]["id"]})
    assert refused.status_code == 409


def test_waiting_list_is_shown_in_order_and_promoted(make_server, tmp_path):
    kit = tmp_path / "small.toml"
    from popup_tierslieu.kit import starter_text

    kit.write_text(starter_text().replace("capacity = 12", "capacity = 1", 1))
    server = make_server(kit=str(kit))
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    first, second, third = (server.register(name=n) for n in ("Ana", "Bruno", "Chloé"))
    for p in (first, second, third):
        api.post("/desk/workshops/visio/registrations", json={"participant_id": p["id"]})
    roster = api.get("/desk/workshops/visio").json()
    assert [p["name"] for p in roster["confirmed"]] == ["Ana"]
    assert [(p["name"], p["position"]) for p in roster["waitlisted"]] == [("Bruno", 1),
                                                                         ("Chloé", 2)]
    api.delete(f"/desk/workshops/visio/registrations/{first['id']}")
    roster = api.get("/desk/workshops/visio").json()
    assert [p["name"] for p in roster["confirmed"]] == ["Bruno"]
    assert [p["name"] for p in roster["waitlisted"]] == ["Chloé"]


def test_checklist_ticks_persist_across_a_restart(server):
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    sheet = api.get("/desk/checklist").json()
    assert sheet["items"][0]["label"].startswith("Ouverture")
    assert sheet["next"] == sheet["items"][0]["index"]
    ticked = api.put(f"/desk/checklist/{sheet['next']}", json={"ticked": True}).json()
    assert ticked["items"][0]["ticked"] is True
    assert ticked["next"] == sheet["items"][1]["index"]
    server.stop()
    server.start()
    again = api.get("/desk/checklist").json()
    assert again["items"][0]["ticked"] is True
    assert api.put("/desk/checklist/99", json={"ticked": True}).status_code == 404
    assert api.put("/desk/checklist/0", json={"ticked": "maybe"}).status_code == 400
    assert api.put("/desk/checklist/0", json={}).status_code == 400


def test_a_check_in_answers_what_the_desk_shows_and_no_more(server):
    """The answer of every scan of the morning queue: the name, profile and town to greet
    the person, and what they booked today; not their e-mail, survey answers or pass."""
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    person = server.register(name="Hélène Roux", commune="Cucuron",
                             email="helene@example.org")
    api.post("/desk/workshops/visio/registrations", json={"participant_id": person["id"]})
    answer = api.post("/checkins", json={"token": person["pass_url"]}).json()
    assert answer["participant_id"] == person["id"] and answer["already_checked_in"] is False
    shown = answer["participant"]
    assert set(shown) == {"id", "name", "profile", "commune", "registrations", "seats"}
    assert (shown["name"], shown["commune"]) == ("Hélène Roux", "Cucuron")
    assert [(r["workshop_id"], r["status"]) for r in shown["registrations"]] == [
        ("visio", "confirmed")]
    assert shown["registrations"][0]["title"]
