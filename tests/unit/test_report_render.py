"""What the carrier reads in report.html and the report's CSV files, on a hand-built
event whose groups are all big enough to be shown: shares and n on the charts, worded
bands and scales, French dates, the 20-minute line, the one-page verdict."""

from __future__ import annotations

import csv
import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest

from popup_tierslieu import kit as kits
from popup_tierslieu.report.render import write_report
from popup_tierslieu.report.source import EventData

DAY = dt.date(2026, 6, 12)  # a Friday


def make_kit() -> kits.Kit:
    text = kits.starter_text(DAY).replace('commune = "Votre commune"', 'commune = "Lourmarin"')
    kit, problems = kits.parse(text)
    assert kit is not None, problems
    return kit


# Twelve people in three groups of four: every group is shown.
GROUPS = [  # commune, frequency, day price, commute, volunteer, scale, opt-in
    ("Lourmarin", "hebdo", 4, 5, "oui", 1, True),
    ("Cadenet", "parfois", 12, 20, "non", 3, False),
    ("Apt", "quotidien", 25, 50, "oui", 5, False),
]


def event() -> dict[str, list[dict]]:
    people = []
    for g, (commune, frequency, price, commute, volunteer, scale, optin) in enumerate(GROUPS):
        for i in range(4):
            pid = g * 4 + i + 1
            people.append({
                "id": pid, "token": f"token-{pid:04d}-abcdefghij", "name": f"Personne {pid}",
                "email": f"p{pid}@example.org", "profile": "Indépendant·e",
                "commune": commune, "consent": True, "contact_optin": optin,
                "charter_accepted": True, "lang": "fr", "source": "portal",
                "created_at": "2026-06-10T08:00:00+00:00",
                "answers": {"frequence": frequency, "services": ["wifi"] if g else ["visio"],
                            "prix-journee": price, "trajet": commute,
                            "benevole": volunteer, "convivialite": scale}})
    return {"participants": people,
            "checkins": [{"participant_id": p["id"], "day": DAY.isoformat(),
                          "at": "2026-06-12T07:15:00+00:00", "desk": "desk"}
                         for p in people[:9]],
            "notes": [{"id": 1, "kind": "idea", "title": "Un atelier <cuisine> du jeudi"},
                      {"id": 2, "kind": "idea", "title": "Note masquée", "hidden": True},
                      {"id": 3, "kind": "did_not_work", "title": "Le Wi-Fi du samedi"}],
            "registrations": [{"workshop_id": "visio", "participant_id": pid,
                               "status": "confirmed" if pid <= 12 else "waitlisted",
                               "attended": pid <= 6} for pid in range(1, 13)]}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("event")
    kit = make_kit()
    (folder / kits.KIT_COPY).write_text(kit.text, encoding="utf-8")
    write_report([EventData(folder, kit, event())], folder / "report")
    return folder / "report"


def page_text(report: Path) -> str:
    raw = (report / "report.html").read_text(encoding="utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).replace("\xa0", " ").split())


def test_charts_say_their_share_and_n(report):
    text = page_text(report)
    assert "Lourmarin 4 (33 %)" in text  # 4 of 12 registered
    assert "Point de visioconférence 4 (33 %)" in text  # 4 of the 12 who answered
    assert "12 réponses sur 12 inscrits (100 %)" in text
    assert "9 des 12 inscrits sont venus (taux de présence 75 %)" in text


def test_bands_and_scales_are_worded(report):
    text = page_text(report)
    # Day prices 4, 12, 25: bands of 5 euros, "5 to 10" no longer ambiguous.
    assert "moins de 5 € 4 (33 %)" in text and "10 à 14 € 4 (33 %)" in text
    assert "25 € ou plus 4 (33 %)" in text and "0–5" not in text
    assert "1 · pas du tout 4" in text and "5 · énormément 4" in text
    # Commute bands end on the 20-minute criterion, and the line says how many are within.
    assert "10 min ou moins 4 (33 %)" in text and "11 à 20 min 4 (33 %)" in text
    assert "46 à 60 min 4 (33 %)" in text
    assert "8 réponses (67 %) sont en deçà" in text


def test_markdown_checklist_names_the_criteria_with_their_figures(report):
    text = (report / "report.md").read_text(encoding="utf-8")
    assert "Un noyau d'usagers (environ 10 réguliers)" in text
    assert "Un bassin de vie à moins de 20 minutes" in text


def test_dates_are_french(report):
    text = page_text(report)
    assert "vendredi 12 juin 2026" in text and "2026-06-12" not in text


def test_the_verdict_page_counts_and_steps(report):
    text = page_text(report)
    assert "Notre avis : une appétence, encore fragile." in text
    assert "8 des 12 personnes qui ont répondu (sur 12 inscrits, 100 % ont répondu)" in text
    assert "Réunir les 8 bénévoles dans le mois" in text
    # Median day price 12 € against 15 € in the kit: the price step comes second.
    assert "Tester un prix proche de ce que les gens acceptent (12 € pour la formule " \
           "journée, contre 15 € prévus)" in text
    assert "Le prix accepté Jour : médiane 12 € (12 réponses), 15 € au budget" in text
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert summary["commute"]["within_criterion"] == 8


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(),
                               delimiter=";"))


def test_csv_files_speak_the_reports_language(report):
    survey = read_csv(report / "survey.csv")
    assert set(survey[0]) == {"Question de l'enquête", "Réponse", "Personnes",
                              "Réponses à la question", "Part des répondants"}
    prices = [r for r in survey if r["Question de l'enquête"].startswith("Combien paieriez")]
    assert [(r["Réponse"], r["Personnes"], r["Part des répondants"]) for r in prices] == [
        ("moins de 5\xa0€", "4", "0,333"), ("10 à 14\xa0€", "4", "0,333"),
        ("25\xa0€ ou plus", "4", "0,333")]
    seats = read_csv(report / "seats.csv")
    assert {r["Créneau"] for r in seats} == {"Matin", "Après-midi"}
    assert seats[0]["Jour"] == "vendredi 12 juin 2026"
    budget = read_csv(report / "budget.csv")
    assert {r["Scénario"] for r in budget} == {"Scénario prudent", "Scénario central",
                                            "Scénario optimiste"}
    # The four weekly residents of Lourmarin, half of them in the central case.
    assert {"Scénario": "Scénario central", "Formule": "Abonnement mensuel, un jour par semaine",
            "Répondants": "4", "Membres attendus": "2", "Prix": "50", "Par mois": "100",
            "Part": ""} in budget
    assert "month_one_day_a_week" not in str(budget)
    checklist = read_csv(report / "checklist.csv")
    assert {r["État"] for r in checklist} <= {"Rempli", "Non rempli", "Inconnu"}
    assert "Un noyau d'usagers" in {r["Critère"] for r in checklist}
    package = json.loads((report / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [{"name": "CC-BY-SA-4.0"}]
    described = {r["path"]: [f["name"] for f in r["schema"]["fields"]]
                 for r in package["resources"]}
    assert set(described) == {p.name for p in report.glob("*.csv")}
    assert described["survey.csv"] == list(survey[0])


def test_contacts_carry_roles_and_count_the_unreachable(tmp_path):
    kit = make_kit()
    text = kit.text.replace('host = "Animateur·rice de l\'EPN"',
                            'host = "EPN du Luberon — Léa Fournier"', 1)
    kit, problems = kits.parse(text)
    assert kit is not None, problems
    people = [  # name, profile, answers, opt-in
        ("Léa Fournier", "Indépendant·e", {"frequence": "parfois"}, True),
        ("=HYPERLINK(\"http://x\")", "Association", {"frequence": "hebdo",
                                                    "benevole": "oui"}, True),
        *((f"Bénévole {n}", "Habitant·e", {"benevole": "oui"}, False) for n in range(3)),
    ]
    tables = {"participants": [
        {"id": i + 1, "token": f"token-{i:04d}-abcdefghij", "name": name,
         "email": f"p{i}@example.org", "profile": profile, "commune": "Lourmarin",
         "consent": True, "contact_optin": optin, "answers": answers, "lang": "fr",
         "created_at": "2026-06-10T08:00:00+00:00", "source": "portal"}
        for i, (name, profile, answers, optin) in enumerate(people)]}
    (tmp_path / kits.KIT_COPY).write_text(text, encoding="utf-8")
    write_report([EventData(tmp_path, kit, tables)], tmp_path / "report")
    rows = read_csv(tmp_path / "report" / "contacts.csv")
    assert [(r["Nom"], r["Rôles"]) for r in rows] == [
        ("Léa Fournier", "anime un atelier"),
        ("'=HYPERLINK(\"http://x\")",
         "bénévole, viendrait chaque semaine, structure qui peut soutenir")]
    assert all(len(r["Pseudonyme"]) == 16 and "@" not in r["Pseudonyme"] for r in rows)
    summary = json.loads((tmp_path / "report" / "summary.json").read_text("utf-8"))
    assert summary["contacts"] == {"listed": None, "unreachable_volunteers": 3}  # 2: folded
    text = page_text(tmp_path / "report")
    assert "3 bénévoles n'ont pas coché « me recontacter »" in text
    # Two frequency answers: the verdict will not conclude, and asks for more answers first.
    assert "Notre avis : trop tôt pour conclure." in text
    assert "→ Interroger plus de monde : 2 réponses, c'est trop peu" in text


def test_scenarios_behaviour_signals_and_notes_are_shown(report):
    text = page_text(report)
    # Four weekly residents of Lourmarin at 50 € (the one-day pass): 25 / 50 / 75 % of them.
    assert "Membres attendus 1 2 3" in text
    assert "Abonnement mensuel, un jour par semaine" in text  # the budget's formula, in French
    assert "Scénario prudent Scénario central Scénario optimiste" in text
    assert "Rempli" in text or "Inconnu" in text  # the checklist's statuses, in French
    assert "Recettes attendues 50 € 100 € 150 €" in text
    assert "Part des intentions déclarées qui deviennent un usage (abonnements / journées) " \
           "25 % / 12,5 % 50 % / 25 % 75 % / 37,5 %" in text
    assert "Places d'atelier confirmées réellement occupées 12 6 50 %" in text
    assert "Idées Un atelier <cuisine> du jeudi" in text and "Note masquée" not in text
    assert "Le Wi-Fi du samedi" in text
    raw = (report / "report.html").read_text(encoding="utf-8")
    assert "<cuisine>" not in raw  # the title is text, not markup


def test_communes_csv_carries_the_official_codes_when_given(tmp_path):
    from popup_tierslieu.report import territory

    listing = tmp_path / "communes.csv"
    listing.write_text("code;name;epci;population\n99001;Lourmarin;CC du Val;1100\n",
                       encoding="utf-8")
    folder = tmp_path / "event"
    folder.mkdir()
    kit = make_kit()
    (folder / kits.KIT_COPY).write_text(kit.text, encoding="utf-8")
    write_report([EventData(folder, kit, event())], folder / "report",
                 communes=territory.load(listing))
    rows = {r["Commune de résidence"]: r for r in read_csv(folder / "report" / "communes.csv")}
    assert (rows["Lourmarin"]["Code INSEE"], rows["Lourmarin"]["Intercommunalité"],
            " ".join(rows["Lourmarin"]["Tranche de population"].split())) == (
        "99001", "CC du Val", "500 à 1 999 habitants")
    # The organiser's list goes over the shipped one: Lourmarin takes the organiser's
    # code, Apt keeps its official one from the list shipped with the kit.
    assert rows["Apt"]["Code INSEE"] == "84003"


@pytest.mark.parametrize("lang, small, middle, large, column", [
    ("fr", "moins de 500 habitants", "500 à 1 999 habitants", "20 000 habitants et plus",
     "Tranche de population"),
    ("en", "fewer than 500 inhabitants", "500 to 1,999 inhabitants",
     "20,000 inhabitants or more", "Population class")])
def test_population_classes_are_worded_in_the_reports_language(tmp_path, lang, small,
                                                               middle, large, column):
    from popup_tierslieu.report import territory

    listing = tmp_path / "communes.csv"
    listing.write_text("code;name;epci;population\n99001;Lourmarin;CC du Val;320\n"
                       "99002;Cadenet;CC du Val;1100\n99003;Apt;CA du Pays;24000\n",
                       encoding="utf-8")
    kit = make_kit()
    (tmp_path / kits.KIT_COPY).write_text(kit.text, encoding="utf-8")
    write_report([EventData(tmp_path, kit, event())], tmp_path / "report", lang=lang,
                 communes=territory.load(listing))
    text = page_text(tmp_path / "report")
    assert f"{small} 4 (33" in text  # 4 of 12 registered live in Lourmarin
    assert middle in text and large in text
    assert "< 500" not in text and "20000" not in text
    bands = {" ".join(r[column].split()) for r in read_csv(tmp_path / "report" / "communes.csv")}
    assert {small, middle, large} <= bands, bands
