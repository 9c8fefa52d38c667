"""The desk's rules: now and next, rosters by name, the day checklist (times in Paris)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from popup_tierslieu import domain
from popup_tierslieu.domain import bookings, desk, participants
from popup_tierslieu.errors import NotFound
from popup_tierslieu.kit import default_kit, load
from popup_tierslieu.store import Store

KIT = default_kit(dt.date(2026, 6, 12))
KITS = Path(__file__).resolve().parents[2] / "kits"
PERSON = {"profile": KIT.profiles[0], "commune": "Cucuron", "consent": True, "charter": True}


def paris(hour: int, minute: int = 0, day: int = 12) -> dt.datetime:
    """A Paris wall-clock time in June (UTC+2) as a UTC instant."""
    return dt.datetime(2026, 6, day, hour - 2, minute, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path, indexes=domain.INDEXES) as store:
        yield store


@pytest.mark.parametrize("hour, minute, now, following", [
    (9, 0, [], ["visio"]),
    (10, 45, ["visio"], ["visio-2"]),
    (14, 30, ["visio-2"], ["plateau"]),
    (17, 30, [], []),
])
def test_now_and_next(store, hour, minute, now, following):
    found = desk.now_and_next(store, KIT, paris(hour, minute))
    assert [w.id for w in found["now"]] == now
    assert [w.id for w in found["next"]] == following


def test_a_cancelled_workshop_is_neither_now_nor_next(store):
    bookings.set_cancelled(store, KIT, "visio")
    assert [w.id for w in desk.now_and_next(store, KIT, paris(9))["next"]] == ["visio-2"]


def test_roster_names_people_in_order_with_their_place(store):
    ids = [participants.register(store, KIT, {**PERSON, "name": n})["id"]
           for n in ("Ana", "Bruno", "Chloé")]
    bookings.add_workshop(store, KIT, {"key": "mini", "room": "salle-1", "capacity": 1,
                                       "start": "2026-06-12T12:00", "end": "2026-06-12T13:00",
                                       "title": "Mini"})
    for pid in ids:
        desk.add_to_workshop(store, KIT, pid, "mini")
    roster = desk.roster(store, KIT, "mini")
    assert [p["name"] for p in roster["confirmed"]] == ["Ana"]
    assert [(p["name"], p["position"]) for p in roster["waitlisted"]] == [("Bruno", 1),
                                                                         ("Chloé", 2)]
    promoted = desk.remove_from_workshop(store, KIT, ids[0], "mini")
    assert [r["participant_id"] for r in promoted] == [ids[1]]
    with pytest.raises(NotFound):
        desk.remove_from_workshop(store, KIT, ids[0], "mini")
    with pytest.raises(NotFound):
        desk.add_to_workshop(store, KIT, 999, "mini")


def test_the_next_item_is_the_first_unticked_one_due_or_coming(store):
    sheet = desk.checklist(store, KIT, paris(8, 0))
    assert [i["time"] for i in sheet["items"]][:2] == ["08:30", "09:00"]
    assert sheet["next"] == 0 and not sheet["items"][0]["due"]
    late = desk.checklist(store, KIT, paris(9, 15))
    assert late["next"] == 0 and late["items"][0]["due"] and late["items"][1]["due"]
    ticked = desk.tick(store, KIT, 0, True, paris(9, 16))
    assert ticked["items"][0]["ticked"] and ticked["next"] == 1
    desk.tick(store, KIT, 0, False, paris(9, 17))
    assert desk.checklist(store, KIT, paris(9, 18))["next"] == 0


def test_ticks_belong_to_their_day(store):
    desk.tick(store, KIT, 0, True, paris(9))
    assert desk.checklist(store, KIT, paris(9, day=12))["items"][0]["ticked"]
    assert not desk.checklist(store, KIT, paris(9, day=13))["items"][0]["ticked"]
    with pytest.raises(NotFound):
        desk.tick(store, KIT, len(KIT.checklist), True, paris(9))


def festival(day: int, hour: int) -> dt.datetime:
    """A Paris wall-clock time of the July 2027 festival (UTC+2) as a UTC instant."""
    return dt.datetime(2027, 7, day, hour - 2, tzinfo=dt.UTC)


def test_an_arrival_shows_the_bookings_of_the_day_only(store):
    """On a three-day festival, Friday's desk reads Friday's workshop, Saturday's desk
    Saturday's seat."""
    kit = load(KITS / "festival-3-jours.toml")
    person = participants.register(store, kit, {
        **PERSON, "profile": kit.profiles[0], "name": "Inès",
        "answers": {"situation": "independant"}})
    friday = next(w for w in kit.workshops if w.start.date() == dt.date(2027, 7, 9))
    bookings.register(store, kit, person["id"], friday.id, festival(9, 8))
    bookings.book_seat(store, kit, person["id"], "sam-matin", kit.coworking_spaces[0].id)
    on_friday = desk.arrival(store, kit, person, festival(9, 9))
    assert [r["workshop"].id for r in on_friday["registrations"]] == [friday.id]
    assert on_friday["seats"] == []
    on_saturday = desk.arrival(store, kit, person, festival(10, 9))
    assert on_saturday["registrations"] == []
    assert [s["slot_id"] for s in on_saturday["seats"]] == ["sam-matin"]
    assert on_saturday["name"] == "Inès" and "email" not in on_saturday
