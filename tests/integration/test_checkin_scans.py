"""Check-in details the arrivals desk relies on, over real HTTP: the time of a scan sent
late, undoing a check-in, and scans that land in a text field are not published."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import zoneinfo

import httpx

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def concierge_api(server) -> httpx.Client:
    return httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)


def test_a_late_scan_is_recorded_at_its_scan_time_and_the_report_uses_it(server, tmp_path):
    api = concierge_api(server)
    person = server.register(name="Inès Morel")
    # Half a minute after midnight today (the default kit's only day), in the event's zone.
    scanned = dt.datetime.now(PARIS).replace(hour=0, minute=0, second=30, microsecond=0)
    answer = api.post("/checkins", json={"token": person["pass_url"],
                                         "scanned_at": scanned.isoformat()})
    assert answer.status_code == 200, answer.text
    arrival = api.get("/stats").json()["arrivals"][0]
    assert dt.datetime.fromisoformat(arrival["at"]) == scanned
    out = tmp_path / "report"
    subprocess.run([sys.executable, "-m", "popup_tierslieu", "report", str(server.data_dir),
                    "--out", str(out)], check=True, capture_output=True, timeout=60)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [(a["hour"], a["count"]) for a in summary["arrivals_by_hour"]] == [(0, 1)]


def test_a_scan_time_in_the_future_or_before_the_event_is_a_field_error(server):
    api = concierge_api(server)
    person = server.register(name="Inès Morel")
    now = dt.datetime.now(PARIS)
    for when in (now + dt.timedelta(minutes=10), now - dt.timedelta(days=2),
                 now.replace(tzinfo=None), "hier", "0001-01-01T00:00:00+14:00"):
        answer = api.post("/checkins", json={
            "token": person["pass_url"],
            "scanned_at": when if isinstance(when, str) else when.isoformat()})
        assert answer.status_code == 400, when
        assert "scanned_at" in answer.json()["error"]["fields"]
    assert api.get("/stats").json()["checked_in"] == 0


def test_undoing_a_check_in_counts_right_and_is_logged(server):
    api = concierge_api(server)
    wrong = server.register(name="Marie Martin", commune="Cucuron")
    right = server.register(name="Marie Martin", commune="Lourmarin")
    assert api.post("/checkins", json={"token": wrong["pass_url"]}).status_code == 200
    assert api.get("/stats").json()["checked_in"] == 1
    answer = api.delete(f"/checkins/{wrong['id']}")
    assert answer.status_code == 200 and answer.json()["checked_in"] is False
    assert api.get("/stats").json()["checked_in"] == 0
    log = [e["text"] for e in api.get("/journal").json()["entries"]]
    # Written in the event's first language, naming the number, not the person.
    assert log == [f"Arrivée annulée à l'accueil (participant nº {wrong['id']})."]
    assert api.delete(f"/checkins/{wrong['id']}").status_code == 404
    assert api.post("/checkins", json={"token": right["pass_url"]}).status_code == 200
    stats = api.get("/stats").json()
    assert stats["checked_in"] == 1 and stats["arrivals"][0]["participant_id"] == right["id"]
    assert httpx.delete(server.url + f"/api/v1/checkins/{right['id']}").status_code == 401


def test_a_scanned_pass_is_never_published_as_an_announcement_or_a_log_line(server):
    api = concierge_api(server)
    person = server.register(name="Hélène Roux")
    token = person["token"]
    for path, text in (("/announcements", person["pass_url"]),
                       ("/announcements", f"Bienvenue {token}"),
                       ("/journal", "scan " + person["pass_url"].replace("/pass/", "/c/")),
                       ("/journal", token)):
        answer = api.post(path, json={"text": text})
        assert answer.status_code == 400, (path, text)
        assert "text" in answer.json()["error"]["fields"]
    assert api.get("/announcements").json()["announcements"] == []
    assert api.get("/journal").json()["entries"] == []
    note = api.post("/notes", json={"title": "Accueil", "body": person["pass_url"],
                                    "kind": "worked"})
    assert note.status_code == 400 and "body" in note.json()["error"]["fields"]
    # A long ordinary word is not a token.
    assert api.post("/journal", json={"text": "Anticonstitutionnellement_"}).status_code == 201
