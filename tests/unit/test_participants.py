"""Registration rules, passes and check-in, on a real store in a temporary folder."""

from __future__ import annotations

import datetime as dt

import pytest

from popup_tierslieu import domain
from popup_tierslieu.domain import bookings, participants
from popup_tierslieu.errors import InvalidInput, NotFound
from popup_tierslieu.kit import default_kit
from popup_tierslieu.store import Store

KIT = default_kit(dt.date(2026, 6, 12))
NOON = dt.datetime(2026, 6, 12, 10, 0, tzinfo=dt.UTC)
GOOD = {"name": "Hélène Roux", "email": "helene@example.org", "profile": KIT.profiles[0],
        "commune": "Cucuron", "consent": True, "charter": True}


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path, indexes=domain.INDEXES) as store:
        yield store


def test_register_returns_a_long_random_token(store):
    p = participants.register(store, KIT, GOOD, NOON)
    assert len(p["token"]) >= 22  # 16 random bytes, URL-safe
    assert store.find_one("participants", token=p["token"])["name"] == "Hélène Roux"


def test_tokens_are_unique(store):
    tokens = {participants.register(store, KIT, GOOD, NOON)["token"] for _ in range(300)}
    assert len(tokens) == 300


@pytest.mark.parametrize("change, field", [
    ({"name": ""}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"commune": "   "}, "commune"),
    ({"email": "not-an-address"}, "email"),
    ({"profile": "Astronaute"}, "profile"),
    ({"consent": False}, "consent"),
    ({"charter": None}, "charter"),
    ({"answers": {"frequence": "souvent"}}, "answers.frequence"),
    ({"answers": {"prix-journee": "999"}}, "answers.prix-journee"),
    ({"answers": {"inconnue": "1"}}, "answers.inconnue"),
])
def test_bad_registrations_name_the_field(store, change, field):
    with pytest.raises(InvalidInput) as caught:
        participants.register(store, KIT, {**GOOD, **change}, NOON)
    assert field in caught.value.fields
    assert store.count("participants") == 0


def test_email_is_optional_and_text_is_cleaned(store):
    p = participants.register(store, KIT, {**GOOD, "email": "", "name": "  Zoé\x07 Lefèvre "},
                              NOON)
    assert p["name"] == "Zoé Lefèvre" and p["email"] == ""


def test_the_next_person_on_a_form_page_sending_it_twice_is_registered_once(store):
    nonce = "one-form-page-nonce-0001"
    first = participants.register(store, KIT, {**GOOD, "nonce": nonce}, NOON)
    # Back on the venue's tablet, the next person's details, then a double tap.
    bruno = {**GOOD, "name": "Bruno Faure", "email": "", "nonce": nonce}
    sent = [participants.register(store, KIT, bruno, NOON) for _ in range(2)]
    assert sent[0]["token"] == sent[1]["token"] != first["token"]
    assert store.count("participants") == 2
    claire = participants.register(store, KIT, {**bruno, "name": "Claire Faure"}, NOON)
    assert claire["token"] not in {first["token"], sent[0]["token"]}
    assert store.count("participants") == 3


def test_a_phone_holding_a_pass_hands_it_back_only_to_the_same_person(store):
    helene = participants.register(store, KIT, {**GOOD, "nonce": "tablet-form-page-0001"}, NOON)
    # The venue's tablet keeps Hélène's pass; a namesake from another commune comes next,
    # on a fresh form or going Back to Hélène's.
    namesake = {**GOOD, "email": "", "commune": "Apt"}
    for nonce in ("tablet-form-page-0002", "tablet-form-page-0001"):
        other = participants.register(store, KIT, {**namesake, "nonce": nonce}, NOON,
                                      holder=helene)
        assert other["token"] != helene["token"]
    again = participants.register(store, KIT, {**GOOD, "name": "hélène  ROUX"}, NOON,
                                  holder=helene)
    assert again["token"] == helene["token"]


def test_a_companion_form_sent_twice_for_the_second_child_adds_them_once(store):
    holder = participants.register(store, KIT, GOOD, NOON)
    form = {**GOOD, "email": "", "nonce": "companion-form-page-0001"}
    participants.register_companion(store, KIT, holder, {**form, "name": "Lou Roux"}, NOON)
    # Back, the second child's name, then a double tap.
    noe = [participants.register_companion(store, KIT, holder, {**form, "name": "Noé Roux"},
                                           NOON) for _ in range(2)]
    assert noe[0]["token"] == noe[1]["token"]
    assert [p["name"] for p in participants.companions(store, holder["id"])] == [
        "Lou Roux", "Noé Roux"]


def test_check_in_is_idempotent_per_day(store):
    p = participants.register(store, KIT, GOOD, NOON)
    _, already = participants.check_in(store, KIT, p["token"], now=NOON)
    assert already is False
    _, again = participants.check_in(store, KIT, f"http://10.42.0.1:8000/pass/{p['token']}",
                                     now=NOON + dt.timedelta(hours=2))
    assert again is True
    assert store.count("checkins") == 1
    _, next_day = participants.check_in(store, KIT, p["token"], now=NOON + dt.timedelta(days=1))
    assert next_day is False and participants.checked_in_count(store) == 1


@pytest.mark.parametrize("raw", ["", "nope", "http://x/pass/", "A" * 30])
def test_unknown_passes(store, raw):
    with pytest.raises(NotFound):
        participants.check_in(store, KIT, raw, now=NOON)


def test_search_ignores_accents_and_case(store):
    participants.register(store, KIT, GOOD, NOON)
    assert [p["name"] for p in participants.search(store, "helene")] == ["Hélène Roux"]
    assert participants.search(store, "HÉLÈNE")[0]["commune"] == "Cucuron"


@pytest.mark.parametrize(("name", "typed"), [
    ("Ayşe Yılmaz", "yilmaz"), ("Œuvre Commune", "oeuvre"), ("Jörg Straße", "strasse"),
    ("Paweł Łukasz", "lukasz"), ("Søren Ærø", "soren aero"), ("Đorđe Þórsson", "dorde thorsson"),
    ("İpek Işık", "ipek isik"), ("Ħanna Ŧom", "hanna tom"), ("Hélène Roux", "HELENE"),
])
def test_search_folds_letters_without_accent_marks(store, name, typed):
    participants.register(store, KIT, {**GOOD, "name": name}, NOON)
    assert [p["name"] for p in participants.search(store, typed)] == [name]
    assert [p["name"] for p in participants.search(store, name.upper())] == [name]


def test_deleting_a_participant_erases_them_and_promotes_the_waiting_list(store):
    workshop = KIT.workshops[0]
    people = [participants.register(store, KIT, {**GOOD, "name": f"P{i}"}, NOON)
              for i in range(workshop.capacity + 1)]
    before_it_starts = dt.datetime.combine(workshop.start.date(), dt.time(6, 0), tzinfo=dt.UTC)
    for p in people:
        bookings.register(store, KIT, p["id"], workshop.id, before_it_starts)
    assert bookings.counts(store, workshop.id) == (workshop.capacity, 1)
    participants.check_in(store, KIT, people[0]["token"], now=NOON)
    participants.delete(store, KIT, people[0]["id"])
    assert store.get("participants", people[0]["id"]) is None
    assert store.find("registrations", participant_id=people[0]["id"]) == []
    assert store.find("checkins", participant_id=people[0]["id"]) == []
    assert bookings.counts(store, workshop.id) == (workshop.capacity, 0)


def test_the_checked_in_count_follows_check_ins_and_erasures(store):
    people = [participants.register(store, KIT, {**GOOD, "name": f"P{i}"}, NOON)
              for i in range(3)]
    for p in people[:2]:
        participants.check_in(store, KIT, p["token"], now=NOON)
        participants.check_in(store, KIT, p["token"], now=NOON + dt.timedelta(days=1))
    assert participants.checked_in_count(store) == 2
    participants.delete(store, KIT, people[0]["id"])
    assert participants.checked_in_count(store) == 1


def test_participants_registered_before_check_in_codes_get_one_when_the_folder_opens(store):
    p = participants.register(store, KIT, GOOD, NOON)
    store.update("participants", p["id"], {"checkin_code": None})  # a store from before
    assert participants.give_checkin_codes(store) == 1
    code = store.get("participants", p["id"])["checkin_code"]
    assert len(code) >= 22 and code != p["token"]
    assert participants.by_scan(store, f"http://10.42.0.1:8000/c/{code}")["id"] == p["id"]
    assert participants.give_checkin_codes(store) == 0
    with pytest.raises(NotFound):
        participants.by_token(store, code)  # a check-in code never manages the pass
