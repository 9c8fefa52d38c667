"""A scripted event over real HTTP, then ``popup report`` and ``popup export`` as a user
runs them: while the server runs and after it stops."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import httpx

from popup_tierslieu import domain
from popup_tierslieu import kit as kits
from popup_tierslieu.store import Store

ROOT = Path(__file__).resolve().parents[2]

PEOPLE = [  # name, email, opt-in, commune, profile, answers
    ("Inès Garnier", "ines@example.org", True, "Lourmarin", "Indépendant·e",
     {"frequence": "quotidien", "services": ["wifi", "visio"], "prix-journee": 15,
      "benevole": "oui"}),
    ("Marc Olivier", "", True, "Lourmarin", "Indépendant·e",
     {"frequence": "hebdo", "services": ["wifi"], "prix-journee": 12, "benevole": "oui"}),
    ("Nadia Ferrand", "nadia@example.org", False, "Lourmarin", "Indépendant·e",
     {"frequence": "plusieurs", "services": ["wifi"], "prix-journee": 18, "benevole": "oui"}),
    ("Paul Girard", "paul@example.org", True, "Zzyzxville", "Touriste",
     {"frequence": "hebdo", "benevole": "oui"}),
    ("Rose Blanc", "", False, "Cadenet", "Salarié·e en télétravail",
     {"frequence": "parfois"}),
    ("Simon Noir", "simon@example.org", False, "Cadenet", "Salarié·e en télétravail",
     {"frequence": "jamais"}),
]
DELETED = PEOPLE[3]


def popup(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "popup_tierslieu", *args], text=True,
                          capture_output=True, timeout=60)


def small_workshop_kit(folder: Path) -> Path:
    """The default kit with only two places in the first workshop, to fill a waiting list.
    The event starts today; its slots and workshops are tomorrow, so they can still be
    booked whatever the hour the test runs at (bookings close when they end)."""
    path = folder / "kit.toml"
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    text = kits.starter_text(tomorrow).replace("capacity = 12", "capacity = 2", 1).replace(
        f"start_date = {tomorrow}", f"start_date = {today}", 1)
    path.write_text(text, encoding="utf-8")
    return path


def run_event(server) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as http:
        tokens = {}
        for name, email, optin, commune, profile, answers in PEOPLE:
            response = http.post("/api/v1/participants", headers=server.concierge, json={
                "name": name, "email": email, "contact_optin": optin, "commune": commune,
                "profile": profile, "consent": True, "charter": True, "answers": answers})
            assert response.status_code == 201, response.text
            tokens[name] = response.json()["token"]

        def me(name: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {tokens[name]}"}

        for name in ("Inès Garnier", "Marc Olivier", "Nadia Ferrand", "Paul Girard",
                     "Rose Blanc"):
            assert http.post("/api/v1/checkins", json={"token": tokens[name]},
                             headers=server.concierge).status_code == 200
        statuses = [http.post("/api/v1/workshops/visio/registrations", headers=me(name)).json()
                    ["status"] for name in ("Paul Girard", "Inès Garnier", "Nadia Ferrand",
                                             "Rose Blanc")]
        assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
        assert http.post("/api/v1/seats/bookings", headers=me("Inès Garnier"), json={
            "slot_id": "matin", "space_id": "coworking"}).status_code == 201
        for name, kind, title in (
                ("Inès Garnier", "offer", "Tenir sa comptabilité d'indépendant"),
                ("Marc Olivier", "request", "Apprendre la comptabilité"),
                ("Paul Girard", "offer", "Cours de comptabilité pour débuter")):
            posted = http.post("/api/v1/swap", headers=me(name), json={
                "kind": kind, "title": title, "description": "Recettes, URSSAF, logiciel.",
                "category": "Gestion et comptabilité", "tags": ["compta"]})
            assert posted.status_code == 201, posted.text
        noted = http.post("/api/v1/notes", headers=me("Marc Olivier"), json={
            "title": "Le coin café a tout changé", "kind": "worked", "attribution": "anonymous",
            "body": "Les gens sont restés discuter."})
        assert noted.status_code == 201, noted.text
        # Paul erases his data: his place goes to Nadia, first on the waiting list.
        assert http.delete("/api/v1/me", headers=me("Paul Girard")).status_code == 200


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no UTF-8 byte-order mark"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))


def parses_as(value: str, field: dict) -> bool:
    if value == "":
        return True
    kind = field["type"]
    try:
        if kind == "integer":
            int(value)
        elif kind == "number":
            float(value.replace(field.get("decimalChar", "."), "."))
        elif kind == "boolean":
            return value in ("true", "false")
        elif kind == "date":
            dt.date.fromisoformat(value)
        elif kind == "datetime":
            dt.datetime.strptime(value, field.get("format", "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        return False
    return True


def check_datapackage(folder: Path) -> None:
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert package["profile"] == "tabular-data-package" and package["resources"]
    for resource in package["resources"]:
        assert resource["dialect"]["delimiter"] == ";"
        path = folder / resource["path"]
        fields = resource["schema"]["fields"]
        header = path.read_text(encoding="utf-8-sig").splitlines()[0].split(";")
        assert header == [f["name"] for f in fields], resource["name"]
        for row in read_csv(path):
            for f in fields:
                assert parses_as(row[f["name"]], f), (resource["name"], f, row[f["name"]])
    assert {r["path"] for r in package["resources"]} == {p.name for p in folder.glob("*.csv")}


def everything_in(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8-sig") for p in sorted(folder.rglob("*"))
                     if p.suffix in (".csv", ".json", ".html", ".md"))


def check_report(out: Path) -> None:
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    check_datapackage(out)
    assert summary["registered"] == 5 and summary["checked_in"] == 4
    assert summary["show_rate"] == 0.8
    visio = next(w for w in summary["workshops"] if w["id"] == "visio")
    assert (visio["capacity"], visio["confirmed"], visio["waitlisted"]) == (2, 2, 1)
    # Two people agreed to be contacted: a group under 3, not shown on its own.
    assert summary["contact_optins"] is None and summary["volunteers"] == 3
    assert summary["weekly_core"] == 3  # quotidien, hebdo, plusieurs
    assert summary["prices_asked"]["day"]["median"] == 15  # 12, 15, 18
    assert [(c["key"], c["count"]) for c in summary["communes"]] == [("Lourmarin", 3),
                                                                     ("other", 2)]
    assert next(s for s in summary["seats"] if s["slot_id"] == "matin")["booked"] == 1
    # Paul's offer left with him: one offer, one request, and the board pairs them.
    assert (summary["swap"]["offers"], summary["swap"]["requests"]) == (1, 1)
    assert summary["swap"]["matches"] == 1 and summary["notes"]["notes"] == 1
    assert {"profiles", "survey"} <= set(summary)

    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") >= 5
    assert not re.search(r"https?:|//[a-z]", html, re.I), "report.html must not fetch anything"
    assert "Rapport d'appétence" in html

    contacts = read_csv(out / "contacts.csv")
    assert [{k: v for k, v in row.items() if k != "Pseudonyme"} for row in contacts] == [
        {"Événement": "Tiers-lieu éphémère", "Nom": "Inès Garnier",
         "Adresse e-mail": "ines@example.org", "Commune de résidence": "Lourmarin",
         "Profil": "Indépendant·e", "Rôles": "bénévole, viendrait chaque semaine",
         "Événements": "Tiers-lieu éphémère"},
        {"Événement": "Tiers-lieu éphémère", "Nom": "Marc Olivier", "Adresse e-mail": "",
         "Commune de résidence": "Lourmarin", "Profil": "Indépendant·e",
         "Rôles": "bénévole, viendrait chaque semaine", "Événements": "Tiers-lieu éphémère"}]
    # Two listed, Nadia a volunteer who did not agree: groups of 1 or 2 are not told.
    assert summary["contacts"] == {"listed": None, "unreachable_volunteers": None}
    others = everything_in(out).replace((out / "contacts.csv").read_text("utf-8-sig"), "")
    for name, email, *_ in PEOPLE:
        assert name not in others and (not email or email not in others)


def check_export(folder: Path) -> None:
    check_datapackage(folder)
    participants = read_csv(folder / "participants.csv")
    assert len(participants) == 5
    assert sum(row["checked_in"] == "true" for row in participants) == 4
    registrations = read_csv(folder / "workshop_registrations.csv")
    assert sorted(r["status"] for r in registrations if r["workshop_id"] == "visio") == [
        "confirmed", "confirmed", "waitlisted"]
    assert len(read_csv(folder / "swap_posts.csv")) == 2
    answers = read_csv(folder / "survey_answers.csv")
    assert {r["participant"] for r in answers} <= {r["participant"] for r in participants}
    text = everything_in(folder)
    for name, email, *_ in PEOPLE:
        assert name not in text and (not email or email not in text)


def test_report_and_export_of_a_scripted_event(make_server, tmp_path):
    server = make_server(kit=str(small_workshop_kit(tmp_path)))
    run_event(server)

    live = popup("report", str(server.data_dir), "--out", str(tmp_path / "live"))
    assert live.returncode == 0, live.stderr
    check_report(tmp_path / "live")
    exported = popup("export", str(server.data_dir), "--format", "csv", "--out",
                     str(tmp_path / "csv"))
    assert exported.returncode == 0, exported.stderr
    check_export(tmp_path / "csv")
    # contacts.csv joins the open-data export by its pseudonym, which hides the e-mail.
    exported_people = {r["participant"]: r for r in read_csv(tmp_path / "csv" /
                                                             "participants.csv")}
    for row in read_csv(tmp_path / "live" / "contacts.csv"):
        assert exported_people[row["Pseudonyme"]]["contact_optin"] == "true"
        assert row["Pseudonyme"] not in (row["Adresse e-mail"], row["Nom"])

    server.stop()
    after = popup("report", str(server.data_dir))
    assert after.returncode == 0, after.stderr
    check_report(server.data_dir / "report")
    as_json = popup("export", str(server.data_dir), "--format", "json", "--out",
                    str(tmp_path / "json"))
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads((tmp_path / "json" / "export.json").read_text(encoding="utf-8"))
    assert len(data["participants"]) == 5 and DELETED[1] not in json.dumps(data)

    english = popup("report", str(server.data_dir), "--lang", "en", "--out",
                    str(tmp_path / "en"))
    assert english.returncode == 0
    assert "Appetite report" in (tmp_path / "en" / "report.html").read_text(encoding="utf-8")



def bench():
    """The benchmark's generator of realistic event folders."""
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_territory_report_of_two_villages(tmp_path):
    generator = bench()
    generator.build_event(tmp_path / "apt", 120, seed=1, day=dt.date(2026, 9, 20), slug="apt")
    generator.build_event(tmp_path / "lauris", 150, seed=2, slug="lauris")
    done = popup("report", str(tmp_path / "apt"), str(tmp_path / "lauris"), "--out",
                 str(tmp_path / "territory"))
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "territory" / "summary.json").read_text("utf-8"))
    # Events in date order, whatever the order of the folders: Lauris (June), then Apt.
    assert [e["slug"] for e in summary["events"]] == ["lauris", "apt"]
    assert summary["registrations"] == 270
    # Lauris came first, so all its people are new; some of Apt's were met there.
    lauris, apt = summary["people"]["by_event"]
    assert (lauris["event"], lauris["new"], lauris["known"]) == ("lauris", 150, 0)
    assert apt["event"] == "apt" and apt["new"] + apt["known"] == 120 and apt["known"] > 0
    # The headline counts each person once.
    assert summary["registered"] == summary["people"]["distinct"] == 150 + apt["new"]
    assert summary["checked_in"] < sum(e["checked_in"] for e in summary["events"])
    html = (tmp_path / "territory" / "report.html").read_text(encoding="utf-8")
    assert "Rapport de territoire : 2 tiers-lieux éphémères" in html
    assert "Nouveaux visages et visages connus" in html
    # Slots and workshops of two events are told apart by date and by event name.
    assert "20 sept. 2026 · Matin" in html and "12 juin 2026 · Matin" in html
    assert "Tiers-lieu éphémère · ven. 12 juin 2026 · 14h00 ·" in html
    assert "Tiers-lieu éphémère · dim. 20 sept. 2026 · 14h00 ·" in html


def test_errors_are_one_line_with_a_fix(tmp_path):
    missing = popup("report", str(tmp_path / "nowhere"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1 and "popup-data/" in missing.stderr
    not_event = popup("export", str(tmp_path), "--format", "csv")
    assert not_event.returncode == 1 and "Traceback" not in not_event.stderr
    assert len(not_event.stderr.strip().splitlines()) == 1
    (tmp_path / "kit.toml").write_text(kits.starter_text(), encoding="utf-8")
    (tmp_path / "db.json").write_text('{"participants": {"1": [', encoding="utf-8")
    damaged = popup("report", str(tmp_path))
    assert damaged.returncode == 1 and "Traceback" not in damaged.stderr
    assert len(damaged.stderr.strip().splitlines()) == 1


def small_event(tmp_path: Path) -> Path:
    event = tmp_path / "evenement"
    with Store.open(event, indexes=domain.INDEXES) as store:
        store.insert("participants", {"name": "Inès Garnier", "commune": "Apt"})
        store.commit_sync()
    (event / "kit.toml").write_text(kits.starter_text(), encoding="utf-8")
    return event


def test_an_out_folder_with_a_file_in_its_way_is_one_line_with_the_fix(tmp_path):
    event = small_event(tmp_path)
    in_the_way = tmp_path / "rapport.html"
    in_the_way.write_text("un fichier")
    for out, command in ((in_the_way, ("report", str(event))),
                         (in_the_way / "csv", ("export", str(event), "--format", "csv"))):
        answer = popup(*command, "--out", str(out))
        assert answer.returncode == 1 and "Traceback" not in answer.stderr, answer.stderr
        assert answer.stderr.strip() == (
            f"popup: Impossible de créer le dossier {out} : un fichier est sur le chemin. "
            "Solution : choisissez un autre dossier avec --out DOSSIER.")
    assert in_the_way.read_text() == "un fichier"


def test_a_file_of_the_report_or_export_that_cannot_be_written_is_one_line_with_the_fix(
        tmp_path):
    event = small_event(tmp_path)
    for name, command in (("report.html", ("report", str(event))),
                          ("participants.csv", ("export", str(event), "--format", "csv"))):
        out = tmp_path / name.replace(".", "-")
        (out / name).mkdir(parents=True)  # a folder where the file goes
        answer = popup(*command, "--out", str(out))
        assert answer.returncode == 1 and "Traceback" not in answer.stderr, answer.stderr
        line = answer.stderr.strip()
        assert line.startswith(f"popup: Impossible d'écrire {out / name} : "), line
        assert line.endswith(" Solution : choisissez un autre dossier avec --out DOSSIER."), line
        assert len(line.splitlines()) == 1
