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
                         for p in people[:9]]}


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
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    assert summary["commute"]["within_criterion"] == 8


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(),
                               delimiter=";"))
