"""Every figure of the appetite report on a hand-built event whose right answers are
worked out by hand below; the merge of two events; empty parts that must not fail."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from popup_tierslieu import kit as kits
from popup_tierslieu.report import compute
from popup_tierslieu.report.render import write_report
from popup_tierslieu.report.source import EventData

SECRET = b"k" * 32
DAY = dt.date(2026, 6, 12)


def make_kit(slug: str = "forum-lourmarin", day: dt.date = DAY) -> kits.Kit:
    text = kits.starter_text(day).replace('commune = "Votre commune"', 'commune = "Lourmarin"')
    text = text.replace('slug = "tiers-lieu-ephemere"', f'slug = "{slug}"')
    kit, problems = kits.parse(text)
    assert kit is not None, problems
    return kit


def person(pid, name, commune, profile, answers=None, email="", optin=False):
    return {"id": pid, "token": f"token-{pid:04d}-abcdefghij", "name": name, "email": email,
            "profile": profile, "commune": commune, "consent": True, "contact_optin": optin,
            "charter_accepted": True, "answers": answers or {}, "lang": "fr",
            "created_at": "2026-06-10T08:00:00+00:00", "source": "portal"}


INDEP, SALARIE = "Indépendant·e", "Salarié·e en télétravail"


def checkin(pid, at):
    return {"participant_id": pid, "day": "2026-06-12", "at": at, "desk": "desk"}


def event_a() -> dict[str, list[dict]]:
    participants = [
        person(1, "Alice Vernet", "Lourmarin", INDEP, {
            "frequence": "quotidien", "services": ["wifi", "visio"], "prix-journee": 10,
            "prix-mois": 150, "trajet": 40, "benevole": "oui"}, email="alice@example.org",
            optin=True),
        person(2, "Bruno Asse", " lourmarin ", INDEP, {
            "frequence": "plusieurs", "services": ["wifi"], "prix-journee": 12,
            "prix-mois": 100, "trajet": 5, "benevole": "oui"}),
        person(3, "Chloé Brun", "Lourmarin", INDEP, {
            "frequence": "hebdo", "services": ["wifi", "salon"], "prix-journee": 15,
            "trajet": 25, "benevole": "non"}),
        person(4, "David Roc", "Cadenet", SALARIE, {
            "frequence": "parfois", "services": ["visio"], "prix-journee": 20,
            "benevole": "oui"}, email="david@example.org", optin=True),
        person(5, "Emma Sol", "Cadenet", SALARIE, {"frequence": "jamais",
                                                   "benevole": "peut-etre"}),
        person(6, "Farid Lune", "Cadenet", SALARIE),
        person(7, "Gaëlle Pin", "Vaugines", "Étudiant·e", {"frequence": "hebdo"}),
        person(8, "Hugo Cap", "Apt", "Touriste"),
    ]
    return {
        "participants": participants,
        "checkins": [
            # Paris is UTC+2 in June: 07:15Z is 9h local.
            checkin(1, "2026-06-12T07:15:00+00:00"), checkin(2, "2026-06-12T07:40:00+00:00"),
            checkin(3, "2026-06-12T08:05:00+00:00"), checkin(4, "2026-06-12T08:30:00+00:00"),
            checkin(5, "2026-06-12T12:00:00+00:00"), checkin(7, "2026-06-12T12:10:00+00:00"),
            checkin(1, "2026-06-12T13:00:00+00:00"),  # back after lunch: same day, once
            checkin(99, "2026-06-12T09:00:00+00:00"),  # someone who deleted their data
        ],
        "registrations": [
            {"workshop_id": "visio", "participant_id": 1, "status": "confirmed",
             "attended": True},
            {"workshop_id": "visio", "participant_id": 2, "status": "confirmed",
             "attended": False},
            {"workshop_id": "visio", "participant_id": 3, "status": "waitlisted",
             "attended": False},
            {"workshop_id": "visio", "participant_id": 4, "status": "cancelled",
             "attended": False},
            {"workshop_id": "visio", "participant_id": 99, "status": "confirmed",
             "attended": True},
        ],
        "workshops": [{"id": 1, "key": "plateau", "cancelled": True}],
        "seat_bookings": [
            {"participant_id": 1, "slot_id": "matin", "space_id": "coworking", "seat": 1,
             "status": "active"},
            {"participant_id": 2, "slot_id": "matin", "space_id": "coworking", "seat": 2,
             "status": "active"},
            {"participant_id": 3, "slot_id": "matin", "space_id": "coworking", "seat": 3,
             "status": "cancelled"},
            {"participant_id": 4, "slot_id": "apres-midi", "space_id": "coworking", "seat": 1,
             "status": "active"},
        ],
        "desk_requests": [{"participant_id": 1, "item": "Multiprise"},
                          {"participant_id": 2, "item": "Multiprise"},
                          {"participant_id": 5, "item": "Multiprise"},
                          {"participant_id": 7, "item": "Impression"},
                          {"participant_id": 3, "item": None, "text": "Un câble USB-C"}],
        "swap_posts": [
            {"id": 1, "participant_id": 1, "kind": "offer", "title": "Initiation à Python",
             "category": "Numérique", "tags": ["python"], "status": "open", "hidden": False},
            {"id": 2, "participant_id": 2, "kind": "request", "title": "Apprendre Python",
             "category": "Numérique", "tags": ["python"], "status": "open", "hidden": False},
            {"id": 3, "participant_id": 3, "kind": "offer", "title": "Conversation anglaise",
             "category": "Langues", "tags": [], "status": "open", "hidden": True},
        ],
        "swap_meetings": [{"id": 1, "participant_id": 2, "other_id": 1, "post_id": 1,
                           "status": "accepted"},
                          {"id": 2, "participant_id": 4, "other_id": 1, "post_id": 1,
                           "status": "proposed"}],
        "notes": [{"id": 1, "kind": "lesson"}, {"id": 2, "kind": "lesson"}],
        "photos": [{"id": 1, "note_id": 1}],
    }


@pytest.fixture
def summary():
    raw = compute.gather(make_kit(), event_a(), SECRET)
    return compute.summarize([raw], make_kit().budget)


def test_who_came_show_rate_and_arrivals(summary):
    assert summary["registered"] == 8
    assert summary["checked_in"] == 6  # 1, 2, 3, 4, 5, 7; Alice's second visit counts once
    assert summary["show_rate"] == 0.75  # 6 / 8
    assert summary["checkins_by_day"] == [{"day": "2026-06-12", "count": 6}]
    assert summary["arrivals_by_hour"] == [{"day": "2026-06-12", "hour": h, "count": 2}
                                           for h in (9, 10, 14)]


def test_groups_under_three_people_are_folded_into_other(summary):
    # Indépendant·e 3, Salarié·e 3; Étudiant·e 1 and Touriste 1 together: other 2.
    assert [(r["key"], r["count"]) for r in summary["profiles"]] == [
        (INDEP, 3), (SALARIE, 3), ("other", 2)]
    # " lourmarin " is Lourmarin; Vaugines 1 and Apt 1 fold.
    assert [(r["key"], r["count"]) for r in summary["communes"]] == [
        ("Cadenet", 3), ("Lourmarin", 3), ("other", 2)]
    # Services: wifi 3; visio 2 and salon 1 fold into other 3.
    assert [(r["key"], r["count"]) for r in summary["services"]] == [("wifi", 3), ("other", 3)]
    text = json.dumps(summary, ensure_ascii=False)
    for singled_out in ("Vaugines", "Apt", "Touriste", "Étudiant·e", "Alice", "alice@"):
        assert singled_out not in text


def test_prices_median_and_spread_and_commute(summary):
    day = summary["prices_asked"]["day"]
    # 10, 12, 15, 20: median (12 + 15) / 2; quartiles at positions 0.75 and 2.25 of 0..3.
    assert (day["n"], day["median"], day["q1"], day["q3"]) == (4, 13.5, 11.5, 16.25)
    # Two answers only: a median would be someone's own answer, so none is published.
    month = summary["prices_asked"]["month"]
    assert (month["n"], month["median"], month["q1"]) == (2, None, None)
    # 5, 25, 40: median 25; q1 = 5 + 0.5 × 20; q3 = 25 + 0.5 × 15.
    # One of the three within 20 minutes: a group under 3, so neither it nor the bands show.
    assert summary["commute"] == {"n": 3, "median": 25, "q1": 15, "q3": 32.5,
                                  "bands": [{"key": "other", "label": "other", "count": 3}],
                                  "within_criterion": None, "criterion_minutes": 20}


def test_weekly_core_contacts_and_volunteers(summary):
    # per month: quotidien 20, plusieurs 10, hebdo 4, hebdo 4, parfois 1, jamais 0.
    assert summary["weekly_core"] == 4
    # Alice, Bruno, Chloé live in Lourmarin (the catchment); Gaëlle in Vaugines.
    assert summary["core"] == {"weekly": 4, "residents": 3}
    # Every answer in one band; a band of 1 or 2 people is not shown on its own.
    assert summary["frequency"] == {"answered": 6, "weekly": 4, "occasional": None,
                                    "rare": 0, "never": None}
    assert summary["contact_optins"] is None  # 2 people: folded like any group under 3
    assert summary["volunteers"] == 3  # Alice, Bruno, David said "oui"


def test_workshops_seats_and_desk(summary):
    visio = next(w for w in summary["workshops"] if w["id"] == "visio")
    # The deleted participant's place and the cancelled one do not count.
    assert (visio["capacity"], visio["confirmed"], visio["waitlisted"], visio["attended"]) == (
        12, 2, 1, 1)
    assert visio["fill_rate"] == 0.167  # 2 / 12
    assert next(w for w in summary["workshops"] if w["id"] == "plateau")["cancelled"] is True
    seats = {s["slot_id"]: (s["booked"], s["seats"], s["occupancy"]) for s in summary["seats"]}
    assert seats == {"matin": (2, 12, 0.167), "apres-midi": (1, 12, 0.083)}
    # Multiprise 3; one printout and one request in their own words fold into other 2.
    assert [(r["key"], r["count"]) for r in summary["desk_requests"]] == [
        ("Multiprise", 3), ("other", 2)]


def test_swap_and_notes(summary):
    swap = summary["swap"]
    assert (swap["offers"], swap["requests"]) == (1, 1)  # the hidden offer is not counted
    assert swap["categories"] == [{"category": "Numérique", "offered": 1, "wanted": 1}]
    assert swap["matches"] == 1 and swap["meetings"] == 1  # only the accepted meeting
    assert summary["notes"]["notes"] == 2 and summary["notes"]["photos"] == 1


def test_budget_counts_residents_at_the_central_share(summary):
    budget = summary["budget"]
    # Lourmarin (the venue, the default catchment): Alice 20, Bruno 10, Chloé 4 days a
    # month; David, Emma (Cadenet) and Gaëlle (Vaugines) live outside it.
    assert (budget["respondents"], budget["residents"], budget["outside_catchment"]) == (6, 3, 3)
    # Central: half of the intentions; no month price had 3 answers, so the kit's prices:
    # 0.5 × 160 + 0.5 × 80 + 0.5 × 50 = 145, one line per person, folded into "other".
    assert budget["lines"] == [{"formula": "other", "respondents": 3, "users": 1.5,
                                "price": None, "amount": 145}]
    assert budget["revenue"] == 145 and budget["charges"] == 1500
    assert budget["balance"] == -1355
    # (20 + 10 + 4) × 0.5 = 17 desk-days over 21 days at 70 %: 17 / 14.7 = 1.16, so 2.
    assert budget["desk_days_per_month"] == 17 and budget["seats_needed"] == 2


def test_budget_follows_the_prices_of_the_kit():
    raw = compute.gather(make_kit(), event_a(), SECRET)
    prices = {**make_kit().budget, "price_month_full_time": 200.0, "monthly_charges": 300.0}
    budget = compute.summarize([raw], prices)["budget"]
    # 0.5 × 200 + 0.5 × 80 + 0.5 × 50
    assert budget["revenue"] == 165 and budget["balance"] == -135


def test_budget_scenarios_reproduced_by_hand():
    """Twelve residents of Lourmarin, three at each frequency, and three visitors from
    Apt who would come every day; prices asked: 10, 12, 14 a day, 100, 120, 140 a month."""
    answers = [("quotidien", 10, 100), ("plusieurs", 12, 120), ("hebdo", 14, 140),
               ("parfois", None, None)]
    people = [person(i * 3 + j + 1, f"Résident {i}-{j}", "Lourmarin", INDEP, {
        "frequence": freq, **({"prix-journee": day, "prix-mois": month} if day else {})})
        for i, (freq, day, month) in enumerate(answers) for j in range(3)]
    people += [person(20 + j, f"Visiteur {j}", "Apt", "Touriste", {"frequence": "quotidien"})
               for j in range(3)]
    kit = make_kit()
    prices = {**kit.budget, "facilitator_monthly": 1000.0}
    budget = compute.summarize([compute.gather(kit, {"participants": people}, SECRET)],
                               prices)["budget"]
    assert (budget["respondents"], budget["residents"], budget["outside_catchment"]) == (
        15, 12, 3)
    assert budget["charges"] == 2500  # 1500 of charges + 1000 for a facilitator
    scenarios = {s["name"]: s for s in budget["scenarios"]}
    assert list(scenarios) == ["prudent", "central", "optimiste"]

    def by_hand(weekly, occasional, day, full, two, one):
        # 3 full-time, 3 two days, 3 one day (monthly passes), 3 × 1 day a month (day passes)
        revenue = 3 * weekly * (full + two + one) + 3 * 1 * occasional * day
        members = 3 * 3 * weekly + 3 * occasional
        return revenue, members

    # Median accepted: 12 a day, 120 a month = 0.75 × the kit's 160, applied to each pass.
    accepted = (12, 120, 60, 37.5)
    kit_prices = (15, 160, 80, 50)
    expected = {"prudent": (0.25, 0.125, accepted), "central": (0.5, 0.25, accepted),
                "optimiste": (0.75, 0.375, kit_prices)}
    for name, (weekly, occasional, price) in expected.items():
        s = scenarios[name]
        revenue, members = by_hand(weekly, occasional, *price)
        assert s["assumptions"]["uptake"] == {"weekly": weekly, "occasional": occasional}
        assert s["assumptions"]["prices"]["price_day"] == price[0]
        assert s["revenue"] == pytest.approx(revenue, abs=0.01)
        assert s["members"] == pytest.approx(members, abs=0.01)
        assert s["balance"] == pytest.approx(revenue - 2500, abs=0.01)
        assert s["members_to_break_even"] == math.ceil(2500 / (revenue / members))
        assert s["subsidy_share"] == round((2500 - revenue) / 2500, 3)
    # The figures themselves, for the reader: central 335.25 € a month, 40 members needed,
    # 86.6 % of the charges to find in subsidies.
    assert scenarios["central"]["revenue"] == 335.25
    assert scenarios["central"]["members_to_break_even"] == 40
    assert budget["subsidy_share"] == 0.866
    assert scenarios["optimiste"]["members_to_break_even"] == 30
    # Every line stands for 3 respondents: none is folded.
    assert [line["formula"] for line in scenarios["central"]["lines"]] == [
        "month_full_time", "month_two_days_a_week", "month_one_day_a_week", "day"]


def test_site_checklist_met_unknown_not_met(summary):
    status = {item["key"]: item["status"] for item in summary["checklist"]}
    assert status == {
        "core_of_users": "not_met",  # 4 weekly, the study asks about ten
        "survey_need": "unknown",  # 6 answers: too few to tell
        "catchment": "unknown",  # 3 of 8 live in Lourmarin; the others' distance unknown
        "founding_community": "met",  # 3 volunteers
        "supporting_structure": "unknown", "connectivity": "unknown", "access": "unknown"}


def test_site_checklist_when_the_data_speaks():
    keen = [person(i, f"Habitant {i}", "Lourmarin", INDEP,
                   {"frequence": "hebdo", "benevole": "non"}) for i in range(1, 13)]
    status = {i["key"]: i["status"] for i in compute.summarize(
        [compute.gather(make_kit(), {"participants": keen}, SECRET)], {})["checklist"]}
    assert status["core_of_users"] == "met"  # 12 weekly
    assert status["survey_need"] == "met"  # 12 of 12 would come
    assert status["catchment"] == "met"  # all live in the venue's commune
    assert status["founding_community"] == "not_met"  # 12 answers, nobody volunteers
    cold = [person(i, f"Passant {i}", "Apt", "Touriste", {"frequence": "jamais"})
            for i in range(1, 11)]
    status = {i["key"]: i["status"] for i in compute.summarize(
        [compute.gather(make_kit(), {"participants": cold}, SECRET)], {})["checklist"]}
    assert status["survey_need"] == "not_met" and status["core_of_users"] == "not_met"
    assert status["catchment"] == "unknown"


def event_b() -> dict[str, list[dict]]:
    return {"participants": [
        # The same Alice (same e-mail), the same Bruno (name and commune), one newcomer.
        person(1, "alice VERNET", "Lourmarin", INDEP, {"frequence": "hebdo"},
               email="Alice@Example.org"),
        person(2, "BRUNO  Asse", "Lourmarin", "Touriste"),
        person(3, "Zoé Mas", "Apt", "Touriste", {"frequence": "hebdo"}),
    ], "checkins": [checkin(3, "2026-09-20T08:00:00+00:00")]}


def test_merge_of_two_events_adds_up_and_recognises_faces():
    a = compute.gather(make_kit(), event_a(), SECRET)
    b = compute.gather(make_kit("fete-apt", dt.date(2026, 9, 20)), event_b(), SECRET)
    summary = compute.summarize([b, a], {})
    # Alice and Bruno came to both: 11 registrations, 9 people, 7 of whom checked in.
    assert summary["registrations"] == 11
    assert summary["registered"] == 9 and summary["checked_in"] == 7
    assert summary["show_rate"] == round(7 / 9, 3)
    # In date order, whatever the order the folders were given in.
    assert [e["slug"] for e in summary["events"]] == ["forum-lourmarin", "fete-apt"]
    assert summary["people"]["distinct"] == 9 and summary["people"]["at_several_events"] == 2
    # In date order: the forum first, all new; then the fête, 2 known faces and 1 new.
    assert summary["people"]["by_event"] == [
        {"event": "forum-lourmarin", "new": 8, "known": 0},
        {"event": "fete-apt", "new": 1, "known": 2}]
    # Added up before folding: Touriste 1 + 2 = 3 is now a group of its own.
    assert ("Touriste", 3) in [(r["key"], r["count"]) for r in summary["profiles"]]
    # Alice answered twice (every day, then weekly): counted once, as she last said.
    assert summary["weekly_core"] == 5  # Alice, Bruno, Chloé, Gaëlle, Zoé
    assert len(summary["workshops"]) == 6 and len(summary["seats"]) == 4


def test_a_part_with_no_data_does_not_fail(tmp_path):
    kit = make_kit()
    summary = compute.summarize([compute.gather(kit, {}, SECRET)], kit.budget)
    assert summary["registered"] == 0 and summary["show_rate"] is None
    assert summary["profiles"] == [] and summary["swap"]["offers"] == 0
    assert summary["budget"]["revenue"] == 0
    assert {i["status"] for i in summary["checklist"]} == {"unknown"}
    (tmp_path / kits.KIT_COPY).write_text(kit.text, encoding="utf-8")
    written = write_report([EventData(tmp_path, kit, {})], tmp_path / "report")
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "Rapport d'appétence" in html and "Pas de données." in html
    assert {p.name for p in written} >= {"report.html", "report.md", "summary.json",
                                         "contacts.csv"}


def test_every_key_of_summary_json_is_documented(tmp_path):
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "report.md").read_text("utf-8")
    kit = make_kit()
    (tmp_path / kits.KIT_COPY).write_text(kit.text, encoding="utf-8")
    write_report([EventData(tmp_path, kit, event_a())], tmp_path / "report")
    summary = json.loads((tmp_path / "report" / "summary.json").read_text("utf-8"))

    def keys(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield key
                yield from keys(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from keys(inner)

    # The bundles map is keyed by event slug, not by a fixed name.
    summary["notes"].pop("bundles")
    missing = {key for key in keys(summary) if f"`{key}`" not in docs}
    assert not missing, f"document these summary.json keys in docs/report.md: {missing}"


def test_single_choice_answers_keep_the_kits_order(summary):
    frequency = next(q for q in summary["survey"] if q["id"] == "frequence")
    # jamais 1, parfois 1 fold; hebdo 2 folds too: fewer than 3 people each.
    assert [c["key"] for c in frequency["choices"]] == ["other"]
    keen = [person(i, f"P{i}", "Lourmarin", INDEP, {"frequence": choice})
            for i, choice in enumerate(["quotidien"] * 3 + ["jamais"] * 4 + ["hebdo"] * 3)]
    raw = compute.gather(make_kit(), {"participants": keen}, SECRET)
    frequency = next(q for q in compute.summarize([raw], {})["survey"] if q["id"] == "frequence")
    assert [(c["key"], c["count"]) for c in frequency["choices"]] == [
        ("jamais", 4), ("hebdo", 3), ("quotidien", 3)]
    assert frequency["choices"][0]["label"] == "Jamais"


def test_people_whose_names_were_purged_stay_distinct():
    from popup_tierslieu.report.compute import person_key

    secret = b"k" * 32
    purged = [{"id": 1, "name": None, "email": None, "commune": "Vire"},
              {"id": 2, "name": None, "email": None, "commune": "Vire"}]
    keys = {person_key(p, secret, "forum") for p in purged}
    assert len(keys) == 2
    assert person_key(purged[0], secret, "forum") != person_key(purged[0], secret, "festival")
    named = {"id": 9, "name": "Hélène", "email": "", "commune": "Vire"}
    assert person_key(named, secret, "forum") == person_key({**named, "id": 3}, secret, "fete")
