"""Figures a funder can trust across several events (issue 14): people counted once,
also after ``popup purge``; answers merged only by meaning; the same figures whatever the
order of the folders; communes unified; what was published, what people did; small
groups folded everywhere."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from popup_tierslieu import domain, territory_key
from popup_tierslieu import kit as kits
from popup_tierslieu.backup import purge
from popup_tierslieu.domain import participants
from popup_tierslieu.errors import PopupError
from popup_tierslieu.report import compute, contacts
from popup_tierslieu.report import territory as communes_list
from popup_tierslieu.report.render import build_summary, write_report
from popup_tierslieu.report.source import EventData, ReportError, budget_event, read_event
from popup_tierslieu.store import Store

SECRET = b"t" * 32
FORUM, FESTIVAL, CAFE = dt.date(2026, 6, 12), dt.date(2026, 7, 3), dt.date(2026, 9, 19)
RARELY = ('{ id = "parfois", label = "De temps en temps", label_en = "Now and then", '
          'per_month = 1 }')
MEAL = """
[[workshops]]
id = "repas"
title = "Déjeuner partagé"
room = "salle-1"
host = "Le comité des fêtes"
capacity = 40
start = {day}T12:00:00
end = {day}T13:30:00
kind = "meal"
"""


def make_kit(slug: str, day: dt.date, *, days: int = 1, commune: str = "Val-des-Granges",
             rarely: str | None = None, extra: str = "") -> kits.Kit:
    text = kits.starter_text(day).replace('commune = "Votre commune"', f'commune = "{commune}"')
    text = text.replace('slug = "tiers-lieu-ephemere"', f'slug = "{slug}"')
    text = text.replace(f"end_date = {day.isoformat()}",
                        f"end_date = {(day + dt.timedelta(days=days - 1)).isoformat()}")
    if rarely:
        text = text.replace(RARELY, rarely)
    kit, problems = kits.parse(text + extra.replace("{day}", day.isoformat()))
    assert kit is not None, problems
    return kit


def person(pid: int, name: str, commune: str = "Val-des-Granges", answers=None, email="",
           optin=False, created="2026-06-01T08:00:00+00:00", **more):
    return {"id": pid, "token": f"token-{pid:04d}-abcdefghij", "name": name, "email": email,
            "profile": "Indépendant·e", "commune": commune, "consent": True,
            "contact_optin": optin, "answers": answers or {}, "lang": "fr",
            "created_at": created, "source": "portal", **more}


def summary_of(*events: tuple[kits.Kit, dict]) -> dict:
    return compute.summarize([compute.gather(k, t, SECRET) for k, t in events], {})


# ---------------------------------------------------------------- territory
def territory() -> list[tuple[kits.Kit, dict]]:
    """A forum, a 3-day festival and a village café; Ana and Ben come to all three, Chloé
    to two; the forum asks "a few times a year" where the festival asks "now and then"
    under the same choice id."""
    forum = make_kit("forum", FORUM, rarely='{ id = "parfois", label = "Quelques fois par an"'
                     ', label_en = "A few times a year", per_month = 0.25 }')
    festival = make_kit("festival", FESTIVAL, days=3, commune="Saint-Martin-de-Castillon")
    cafe = make_kit("cafe", CAFE, commune="Val des Granges")
    regulars = [("Ana Roux", "ana@example.org"), ("Ben Caro", "ben@example.org"),
                ("Chloé Diaz", "")]
    forum_people = [person(1, "Ana Roux", email="ana@example.org",
                           answers={"frequence": "hebdo"}),
                    person(2, "Ben Caro", email="BEN@example.org",
                           answers={"frequence": "parfois"}),
                    person(3, "Chloé Diaz", answers={"frequence": "parfois"}),
                    person(4, "Dan Lys", "Cucuron", answers={"frequence": "parfois"})]
    festival_people = [person(i + 1, name, "VAL-DES-GRANGES", email=email,
                              answers={"frequence": "parfois"})
                       for i, (name, email) in enumerate(regulars)]
    festival_people += [person(10 + i, f"Festivalier {i}", "St Martin de Castillon",
                               answers={"frequence": "parfois"}) for i in range(3)]
    cafe_people = [person(1, "Ana Roux", "val des granges", email="ana@example.org",
                          answers={"frequence": "quotidien"}),
                   person(2, "Ben Caro", "Val-des-granges", email="ben@example.org")]
    return [(forum, {"participants": forum_people}), (festival, {"participants": festival_people}),
            (cafe, {"participants": cafe_people})]


def test_three_folders_in_either_order_give_the_same_figures():
    events = territory()
    forward = summary_of(*events)
    backward = summary_of(*reversed(events))
    assert json.dumps(forward, sort_keys=True) == json.dumps(backward, sort_keys=True)
    assert [e["slug"] for e in forward["events"]] == ["forum", "festival", "cafe"]


def test_returning_people_are_counted_once_with_their_latest_answer():
    summary = summary_of(*territory())
    # 4 + 6 + 2 registrations; Ana and Ben three times, Chloé (name + commune) twice.
    assert summary["registrations"] == 12
    assert summary["registered"] == summary["people"]["distinct"] == 7
    assert summary["people"]["at_several_events"] == 3
    # Ana last said every day (café), Ben and Chloé now and then (festival).
    assert summary["frequency"]["answered"] == 7
    assert summary["weekly_core"] is None  # Ana alone: a group under 3 is not shown
    assert summary["frequency"]["occasional"] == 5  # Ben, Chloé, 3 festival-goers
    assert summary["frequency"]["rare"] is None  # Dan alone, a few times a year


def test_answers_with_another_wording_stay_apart_and_are_listed():
    summary = summary_of(*territory())
    frequency = next(q for q in summary["survey"] if q["measure"] == "frequency")
    assert frequency["events"] == ["forum", "festival", "cafe"]
    labels = {c["key"]: c["label"] for c in frequency["choices"]}
    # "now and then" (monthly) holds the festival's 5; the forum's "a few times a year"
    # (Dan, still at the forum's wording) stays apart, folded as a group of one.
    assert labels["parfois@festival"] == "De temps en temps"
    assert "Quelques fois par an" not in labels.values()
    assert summary["survey_not_merged"] == [{"question": "frequence", "choice": "parfois",
                                             "wordings": [
                                                 {"event": "forum", "text": "Quelques fois par an"},
                                                 {"event": "festival", "text": "De temps en temps"},
                                                 {"event": "cafe", "text": "De temps en temps"}]}]


def test_a_kit_mapping_merges_questions_worded_differently():
    a = make_kit("forum", FORUM)
    b_text = make_kit("cafe", CAFE).text.replace(
        'question = "Si un tiers-lieu ouvrait ici, à quelle fréquence viendriez-vous ?"',
        'question = "Viendriez-vous dans un tiers-lieu ouvert ici ?"\nmerge_as = "frequence"')
    b = kits.parse(b_text.replace('id = "frequence"', 'id = "viendrait"'))[0]
    assert b is not None and b.survey[0].id == "viendrait"
    people = [person(i, f"P{i}", answers={"frequence": "hebdo"}) for i in range(3)]
    others = [person(i, f"Q{i}", answers={"viendrait": "hebdo"}) for i in range(3)]
    summary = summary_of((a, {"participants": people}), (b, {"participants": others}))
    frequency = [q for q in summary["survey"] if q["measure"] == "frequency"]
    assert len(frequency) == 1 and frequency[0]["events"] == ["forum", "cafe"]
    assert frequency[0]["choices"] == [{"key": "hebdo", "label": "Une fois par semaine",
                                        "count": 6}]
    assert summary["survey_not_merged"] == []


def test_communes_typed_differently_are_one_commune_and_the_catchment_reads_it():
    typed = ["Val-des-granges"] * 2 + ["VAL-DES-GRANGES"] * 2 + ["Val des Granges",
                                                                 " val-des-granges "]
    typed += ["St-Martin-de-Castillon", "Saint Martin de Castillon",
              "saint-martin-de-castillon"]
    people = [person(i, f"Habitant {i}", commune) for i, commune in enumerate(typed)]
    summary = summary_of((make_kit("forum", FORUM), {"participants": people}))
    # Shown with the spelling most typed (mixed case first on a tie).
    assert [(r["label"], r["count"]) for r in summary["communes"]] == [
        ("Val-des-granges", 6), ("Saint Martin de Castillon", 3)]
    catchment = next(c for c in summary["checklist"] if c["key"] == "catchment")
    assert catchment["evidence"]["from_venue_commune"] == 6 and catchment["status"] == "met"


# ---------------------------------------------------------------- purge
def run_event(folder, kit: kits.Kit, people: list[tuple[str, str]]) -> None:
    folder.mkdir()
    (folder / kits.KIT_COPY).write_text(kit.text, encoding="utf-8")
    with Store.open(folder, indexes=domain.INDEXES) as store:
        for name, email in people:
            participants.register(store, kit, {
                "name": name, "email": email, "profile": kit.profiles[0], "commune": "Cucuron",
                "consent": True, "charter": True, "answers": {"frequence": "hebdo"}},
                dt.datetime.combine(kit.event.start_date, dt.time(8), dt.UTC))
        store.commit_sync()


def test_the_territory_key_is_made_once_private_and_a_damaged_one_is_said(tmp_path,
                                                                           monkeypatch):
    path = tmp_path / "keys" / "people.key"
    monkeypatch.setenv(territory_key.ENV, str(path))
    key = territory_key.load()
    assert len(key) == 32 and territory_key.load() == key
    assert path.stat().st_mode & 0o777 == 0o600
    path.write_text("pas une clé", encoding="utf-8")
    with pytest.raises(PopupError, match="damaged"):
        territory_key.load()


def test_repeat_visitors_are_the_same_after_popup_purge(tmp_path):
    forum, cafe = make_kit("forum", FORUM), make_kit("cafe", CAFE)
    names = [("Inès Morel", "ines@example.org"), ("Yann Bel", ""), ("Lou Fabre", "lou@example.org")]
    run_event(tmp_path / "forum", forum, names + [("Noé Gay", "noe@example.org")])
    run_event(tmp_path / "cafe", cafe, [(n.upper(), e.upper()) for n, e in names])

    def figures() -> dict:
        summary = build_summary([read_event(tmp_path / "forum"), read_event(tmp_path / "cafe")],
                                "fr")
        return {key: summary[key] for key in ("registered", "people", "weekly_core")}

    before = figures()
    assert before["registered"] == 4 and before["people"]["at_several_events"] == 3
    purge(tmp_path / "forum")
    purge(tmp_path / "cafe")
    stored = read_event(tmp_path / "forum").tables["participants"]
    assert all(p["name"] is None and p["email"] is None for p in stored)
    assert figures() == before


# ---------------------------------------------------------------- what was done
def test_a_meal_is_not_a_signal_and_workshops_of_a_festival_have_their_day():
    kit = make_kit("festival", FESTIVAL, days=3, extra=MEAL)
    people = [person(i, f"P{i}") for i in range(1, 5)]
    registrations = [{"workshop_id": "repas", "participant_id": i, "status": "waitlisted"}
                     for i in range(1, 5)]
    registrations += [{"workshop_id": "visio", "participant_id": 1, "status": "waitlisted"}]
    summary = summary_of((kit, {"participants": people, "registrations": registrations}))
    meal = next(w for w in summary["workshops"] if w["id"] == "repas")
    assert (meal["kind"], meal["day"], meal["multi_day"]) == ("meal", "2026-07-03", True)
    assert [s["id"] for s in summary["signals"]] == ["visio"]


def test_notes_and_photos_count_only_when_published_and_ideas_are_listed():
    kit = make_kit("forum", FORUM)
    notes = [{"id": 1, "kind": "idea", "title": "Un fablab au sous-sol",
              "created_at": "2026-06-12T09:00:00+00:00"},
             {"id": 2, "kind": "did_not_work", "title": "Le Wi-Fi de l'après-midi",
              "created_at": "2026-06-12T15:00:00+00:00"},
             {"id": 3, "kind": "idea", "title": "Idée cachée", "hidden": True,
              "created_at": "2026-06-12T10:00:00+00:00"},
             {"id": 4, "kind": "lesson", "title": "Bilan", "created_at": "2026-06-12T16:00:00"}]
    photos = [{"id": 1, "note_id": 1}, {"id": 2, "note_id": 3},
              {"id": 3, "note_id": 4, "people": True, "agreed": False},
              {"id": 4, "note_id": 4, "people": True, "agreed": True}]
    summary = summary_of((kit, {"notes": notes, "photos": photos}))
    assert (summary["notes"]["notes"], summary["notes"]["photos"]) == (3, 2)
    assert summary["notes"]["ideas"] == [{"event": "forum", "title": "Un fablab au sous-sol"}]
    assert summary["notes"]["did_not_work"] == [{"event": "forum",
                                                 "title": "Le Wi-Fi de l'après-midi"}]


def test_behaviour_beside_intentions():
    kit = make_kit("forum", FORUM)
    early = [person(i, f"Inscrit {i}") for i in range(1, 5)]  # registered before the day
    walk_ins = [person(i, f"Passant {i}", created="2026-06-12T09:00:00+00:00")
                for i in range(5, 8)]
    at = "2026-06-12T08:00:00+00:00"
    checkins = [{"participant_id": i, "day": "2026-06-12", "at": at} for i in (1, 2, 5, 6, 7)]
    seat_bookings = [{"participant_id": i, "slot_id": "matin", "space_id": "coworking",
                      "status": "active"} for i in (1, 3, 4)]
    registrations = [{"workshop_id": "visio", "participant_id": i, "status": "confirmed",
                      "attended": i == 1} for i in (1, 2, 3, 4)]
    summary = summary_of((kit, {"participants": early + walk_ins, "checkins": checkins,
                                "seat_bookings": seat_bookings,
                                "registrations": registrations}))
    assert summary["behaviour"] == {
        "preregistered": {"registered": 4, "came": 2, "show_rate": 0.5},
        "walk_in": {"registered": 3, "came": 3, "show_rate": 1.0},
        "workshops": {"confirmed": 4, "attended": 1, "attendance_rate": 0.25},
        "seats": {"booked": 3, "used": 1, "use_rate": 0.333}}


def test_boxes_and_checklist_fold_like_the_charts():
    kit = make_kit("forum", FORUM)
    people = [person(1, "A", answers={"benevole": "oui"}, optin=True),
              person(2, "B", answers={"benevole": "oui"}),
              *[person(i, f"N{i}", answers={"benevole": "non"}) for i in range(3, 7)]]
    summary = summary_of((kit, {"participants": people}))
    volunteer = next(q for q in summary["survey"] if q["measure"] == "volunteer")
    assert "oui" not in [c["key"] for c in volunteer["choices"]]  # folded in the chart...
    assert summary["volunteers"] is None  # ... so not told in the box either
    assert summary["contact_optins"] is None
    community = next(c for c in summary["checklist"] if c["key"] == "founding_community")
    assert community["evidence"]["volunteers"] is None


# ---------------------------------------------------------------- contacts, budget kit
def test_contacts_name_a_person_met_at_two_events_once(tmp_path):
    forum, cafe = make_kit("forum", FORUM), make_kit("cafe", CAFE)
    events = [EventData(tmp_path, cafe, {"participants": [
                  person(1, "Ana Roux", email="ANA@example.org", optin=True)]}),
              EventData(tmp_path, forum, {"participants": [
                  person(1, "Ana Roux", email="ana@example.org", optin=True),
                  person(2, "Ben Caro", optin=True)]})]
    rows = contacts.rows(contacts.people(events, b"k" * 32), str)
    # Ana once, with what she wrote at the latest event (the café).
    assert [(r["name"], r["email"]) for r in rows] == [("Ana Roux", "ANA@example.org"),
                                                       ("Ben Caro", None)]


def test_the_budget_names_the_kit_it_takes_prices_from(tmp_path):
    forum = make_kit("forum", FORUM)
    cafe_text = make_kit("cafe", CAFE).text.replace("monthly_charges = 1500",
                                                    "monthly_charges = 900")
    cafe = kits.parse(cafe_text)[0]
    events = [EventData(tmp_path / "forum", forum, {}), EventData(tmp_path / "cafe", cafe, {})]
    for event in events:
        event.folder.mkdir()
        (event.folder / kits.KIT_COPY).write_text(event.kit.text, encoding="utf-8")
    assert budget_event(events, None) is events[0]
    chosen = budget_event(events, "cafe")
    summary = build_summary(events, "fr", chosen)
    assert summary["budget"]["kit"] == {"slug": "cafe", "name": "Tiers-lieu éphémère"}
    assert summary["budget"]["charges"] == 900
    write_report(events, tmp_path / "report", budget_from=chosen)
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "Les prix et les charges viennent du kit de Tiers-lieu éphémère (cafe)." in html
    assert "Membres nécessaires à l'équilibre" in html and "Scénario optimiste" in html
    with pytest.raises(ReportError):
        budget_event(events, "fete")


# ---------------------------------------------------------------- official list of communes
def test_an_official_list_codes_communes_and_groups_people_by_intercommunality(tmp_path):
    listing = tmp_path / "communes.csv"
    # Invented communes and codes; two "Saint-Martin" cannot be told apart by name.
    listing.write_text(
        "code;name;epci;population\n"
        "99001;Val-des-Granges;CC du Val;1240\n"
        "99002;Saint-Martin-de-Castillon;CC du Val;780\n"
        "99003;Bourg-Haut;CC des Crêtes;5200\n"
        "99004;Saint-Martin;CC du Val;300\n"
        "99104;Saint-Martin;CC des Crêtes;420\n", encoding="utf-8")
    communes = communes_list.load(listing)
    typed = (["VAL DES GRANGES"] * 3 + ["St-Martin-de-Castillon"] * 2 + ["bourg haut"] * 3
             + ["Saint-Martin"] * 3 + ["Ailleurs"])
    people = [person(i, f"Habitant {i}", commune) for i, commune in enumerate(typed)]
    raw = compute.gather(make_kit("forum", FORUM), {"participants": people}, SECRET)
    summary = compute.summarize([raw], {}, communes=communes)
    coded = summary["communes_coded"]
    # CC du Val: 3 + 2; CC des Crêtes: 3; the ambiguous Saint-Martin and "Ailleurs" not.
    assert (coded["matched"], coded["unmatched"]) == (8, 4)
    assert [(r["key"], r["count"]) for r in coded["intercommunalities"]] == [
        ("CC du Val", 5), ("uncoded", 4), ("CC des Crêtes", 3)]
    assert [(r["key"], r["count"]) for r in coded["population_classes"]] == [
        ("500-1999", 5), ("5000-19999", 3), ("uncoded", 4)]
    val = next(r for r in summary["communes"] if r["count"] == 3 and r["code"] == "99001")
    assert (val["epci"], val["population_class"]) == ("CC du Val", "500-1999")
    assert summary_of((make_kit("forum", FORUM), {"participants": people}))[
        "communes_coded"] is None
    # Over the shipped list, the organiser's Saint-Martin-de-Castillon (99002) replaces
    # the official one of that name (84112); the list's other communes stay.
    merged = communes_list.official(communes)
    assert merged.find("St-Martin-de-Castillon").code == "99002"
    assert merged.find("Lourmarin").code == "84068"


def test_a_list_of_communes_without_its_columns_is_refused_in_one_line(tmp_path):
    listing = tmp_path / "communes.csv"
    listing.write_text("commune,habitants\nVal-des-Granges,1240\n", encoding="utf-8")
    with pytest.raises(communes_list.ReportError, match="header line") as caught:
        communes_list.load(listing)
    said = str(caught.value)
    assert str(listing) in said and len(said.splitlines()) == 1, said


# ---------------------------------------------------------------- the shipped list
def test_the_shipped_list_codes_communes_however_people_type_them():
    shipped = communes_list.shipped()
    assert len(shipped) > 34000
    for typed in ("st martin d'heres", "SAINT-MARTIN-D'HÈRES", "38400 Saint-Martin-d'Hères",
                  "Saint Martin d Heres (38)"):
        found = shipped.find(typed)
        assert (found.code, found.name, found.departement) == (
            "38421", "Saint-Martin-d'Hères", "38"), typed
    assert found.epci == "Grenoble-Alpes-Métropole" and found.population_class == ">= 20000"
    assert shipped.find("Paris 15e").code == "75056"
    # Five Saint-Martin: the name alone is not enough, a postcode or a département is.
    assert len(shipped.candidates("Saint-Martin")) == 5
    assert shipped.find("Saint-Martin 32").code == "32389"
    assert shipped.find("67220 Saint-Martin").code == "67426"
    assert shipped.find("Saint-Martin", ["54"]).code == "54480"


def test_the_shipped_keys_follow_the_folding_rule():
    """The file keeps each name's folded key so the report need not fold 35,000 names:
    a change of the folding rule must rebuild it (tools/build_communes.py)."""
    from popup_tierslieu.domain.communes import commune_key

    wrong = [(key, c.name) for key, found in communes_list.shipped().by_key.items()
             for c in communes_list.shipped().get(key) if commune_key.__wrapped__(c.name) != key]
    assert not wrong[:5]


def venue_kit(slug: str, day: dt.date, departement: str = "", address: str = "") -> kits.Kit:
    kit = make_kit(slug, day, commune="Sainte-Colombe")
    text = kit.text.replace('address = "', f'address = "{address}') if address else kit.text
    if departement:
        text += f'\n[report]\ndepartement = "{departement}"\n'
    found, problems = kits.parse(text)
    assert found is not None, problems
    return found


def test_a_shared_name_is_coded_in_the_venues_departement(tmp_path):
    # Twelve Sainte-Colombe in France; the venue is in the Hautes-Alpes (05).
    typed = ["Sainte-Colombe"] * 3 + ["ste colombe"] + ["Saint-Martin"] * 3 + ["Sisteron"] * 3
    people = [person(i, f"Voisin {i}", commune) for i, commune in enumerate(typed)]
    kit = venue_kit("forum", FORUM, departement="05")
    assert kit.departement == "05"
    event = EventData(tmp_path / "forum", kit, {"participants": people})
    event.folder.mkdir()
    (event.folder / kits.KIT_COPY).write_text(kit.text, encoding="utf-8")
    summary = build_summary([event], "fr")
    rows = {r["key"]: (r["count"], r["code"]) for r in summary["communes"]}
    # Both spellings are one row under the official name, with its département.
    assert rows["Sainte-Colombe (05)"] == (4, "05135") and rows["Sisteron"] == (3, "04209")
    assert rows["Saint-Martin"] == (3, None)  # no Saint-Martin in the Hautes-Alpes
    coded = summary["communes_coded"]
    assert (coded["matched"], coded["unmatched"], coded["ambiguous"]) == (7, 3, 3)
    assert (coded["communes_uncoded"], coded["communes_ambiguous"]) == (1, 1)
    write_report([event], tmp_path / "report")
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    assert "Communes non codées : 1, dont 1 homonymes" in html
    assert "CC du Sisteronais-Buëch" in html
    markdown = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    assert "Où ils habitent, par intercommunalité" in markdown
    assert "| CC du Sisteronais-Buëch | 7 |" in markdown

    # Without the kit's département, the venue address's postcode gives it; without
    # either, Sainte-Colombe stays uncoded.
    assert venue_kit("forum", FORUM, address="05300 ").departement == "05"
    raw = compute.gather(venue_kit("forum", FORUM), {"participants": people}, SECRET)
    plain = compute.summarize([raw], {}, communes=communes_list.shipped())["communes_coded"]
    assert (plain["matched"], plain["ambiguous"]) == (3, 7)
    # A venue in Gap, the only Gap of France: the Hautes-Alpes again.
    raw = compute.gather(make_kit("forum", FORUM, commune="Gap"), {"participants": people},
                         SECRET)
    in_gap = compute.summarize([raw], {}, communes=communes_list.shipped())["communes_coded"]
    assert (in_gap["matched"], in_gap["ambiguous"]) == (7, 3)


def test_a_wrong_departement_in_the_kit_is_said_in_french():
    text = make_kit("forum", FORUM).text + '\n[report]\ndepartement = "20"\n'
    kit, problems = kits.parse(text)
    assert kit is None
    assert [p.say("fr")[0] for p in problems] == ["n'est pas un code de département français"]


def test_people_are_counted_once_in_their_intercommunality():
    # Ana and Ben come to both events and write their commune differently each time.
    forum = [person(1, "Ana Roux", "Grenoble", email="ana@example.org"),
             person(2, "Ben Caro", "St-Martin-d'Hères", email="ben@example.org"),
             person(3, "Chloé Diaz", "38000 GRENOBLE", email="chloe@example.org"),
             person(4, "Dan Lévy", "Échirolles", email="dan@example.org")]
    cafe = [person(1, "Ana Roux", "grenoble (38)", email="ana@example.org"),
            person(2, "Ben Caro", "SAINT MARTIN D'HERES", email="ben@example.org"),
            person(3, "Eva Nour", "Voiron", email="eva@example.org")]
    raws = [compute.gather(make_kit("forum", FORUM), {"participants": forum}, SECRET),
            compute.gather(make_kit("cafe", CAFE), {"participants": cafe}, SECRET)]
    summary = compute.summarize(raws, {}, communes=communes_list.shipped())
    coded = summary["communes_coded"]
    assert summary["registered"] == 5 and coded["matched"] == 5
    # Grenoble, Saint-Martin-d'Hères and Échirolles: one metropolis, 4 people; Voiron alone.
    assert [(r["key"], r["count"]) for r in coded["intercommunalities"]] == [
        ("Grenoble-Alpes-Métropole", 4), ("other", 1)]
    assert sum(r["count"] for r in summary["communes"]) == 5


def test_residents_of_the_catchment_are_counted_however_they_type_their_commune():
    typed = ["Lourmarin", "84160 Lourmarin", "Lourmarin (84)", "LOURMARIN 84160", "Cadenet"]
    people = [person(i, f"Voisine {i}", commune) for i, commune in enumerate(typed)]
    raw = compute.gather(make_kit("forum", FORUM, commune="Lourmarin"),
                         {"participants": people}, SECRET)
    summary = compute.summarize([raw], {}, communes=communes_list.shipped())
    assert summary["catchment"]["communes"] == ["Lourmarin"]
    assert summary["catchment"]["residents"] == 4
    assert [(r["key"], r["count"], r["code"]) for r in summary["communes"]] == [
        ("Lourmarin", 4, "84068"), ("other", 1, None)]
