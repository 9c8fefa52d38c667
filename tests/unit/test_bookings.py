"""Workshops with a waiting list, and coworking seats: the rules, without a server."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from popup_tierslieu import domain
from popup_tierslieu.domain import bookings, participants
from popup_tierslieu.errors import Conflict, InvalidInput, NotFound
from popup_tierslieu.kit import Localized, Workshop, default_kit
from popup_tierslieu.store import Store

DAY = dt.date(2036, 6, 12)
BASE = default_kit(DAY)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2036, 6, 12, hour, minute)


def workshop(key: str, start: dt.datetime, end: dt.datetime, capacity: int = 3) -> Workshop:
    return Workshop(key, Localized(f"Atelier {key}", f"Workshop {key}"), "salle-1", "", capacity,
                    start, end)


KIT = dataclasses.replace(BASE, workshops=(
    workshop("a", at(10), at(11)),
    workshop("overlaps-a", at(10, 30), at(11, 30)),
    workshop("after-a", at(11), at(12)),
    workshop("b", at(14), at(15), capacity=2),
))
# Paris is UTC+2 in June: 09:00 UTC is 11:00 at the venue.
ELEVEN_LOCAL = dt.datetime(2036, 6, 12, 9, 0, tzinfo=dt.UTC)


def memory_store(tmp_path) -> Store:
    """The real store, kept in memory: rules never commit, the caller does."""
    return Store(tmp_path, indexes=domain.INDEXES)


@pytest.fixture
def store(tmp_path):
    return memory_store(tmp_path)


def people(store: Store, count: int) -> list[int]:
    return [participants.register(store, KIT, {
        "name": f"Personne {n}", "profile": KIT.profiles[0], "commune": "Apt",
        "consent": True, "charter": True})["id"] for n in range(count)]


def waiting_order(store: Store, workshop_id: str) -> list[int]:
    waiting = [r for r in store.find("registrations", workshop_id=workshop_id)
               if r["status"] == "waitlisted"]
    return [r["participant_id"] for r in sorted(waiting, key=lambda r: bookings.position(store, r))]


# ------------------------------------------------------------------ capacity
def test_places_are_confirmed_up_to_capacity_then_people_wait_in_arrival_order(store):
    ids = people(store, 5)
    results = [bookings.register(store, KIT, pid, "a") for pid in ids]
    assert [r["status"] for r in results] == ["confirmed"] * 3 + ["waitlisted"] * 2
    assert [r["position"] for r in results] == [None, None, None, 1, 2]
    assert bookings.counts(store, "a") == (3, 2)


def test_cancelling_a_confirmed_place_promotes_the_first_waiting(store):
    ids = people(store, 5)
    for pid in ids:
        bookings.register(store, KIT, pid, "a")
    promoted = bookings.cancel(store, KIT, ids[1], "a")
    assert [r["participant_id"] for r in promoted] == [ids[3]]
    mine = {r["workshop_id"]: r for r in bookings.registrations_of(store, ids[3])}
    assert mine["a"]["status"] == "confirmed" and mine["a"]["position"] is None
    assert waiting_order(store, "a") == [ids[4]]
    assert bookings.registrations_of(store, ids[4])[0]["position"] == 1


def test_leaving_the_waiting_list_moves_the_others_up_without_promotion(store):
    ids = people(store, 6)
    for pid in ids:
        bookings.register(store, KIT, pid, "a")
    assert bookings.cancel(store, KIT, ids[3], "a") == []
    assert waiting_order(store, "a") == [ids[4], ids[5]]
    assert bookings.counts(store, "a") == (3, 2)


def test_a_double_submit_books_once(store):
    (pid,) = people(store, 1)
    first = bookings.register(store, KIT, pid, "a")
    again = bookings.register(store, KIT, pid, "a")
    assert again["id"] == first["id"]
    assert store.count("registrations") == 1


def test_cancel_without_a_registration_is_a_clear_error(store):
    (pid,) = people(store, 1)
    with pytest.raises(NotFound):
        bookings.cancel(store, KIT, pid, "a")


def test_unknown_workshop(store):
    (pid,) = people(store, 1)
    with pytest.raises(NotFound):
        bookings.register(store, KIT, pid, "nope")


def test_a_cancelled_workshop_takes_no_registration_and_promotes_nobody(store):
    ids = people(store, 4)
    for pid in ids:
        bookings.register(store, KIT, pid, "a")
    bookings.set_cancelled(store, KIT, "a")
    with pytest.raises(Conflict):
        bookings.register(store, KIT, people(store, 1)[0], "a")
    assert bookings.cancel(store, KIT, ids[0], "a") == []
    assert waiting_order(store, "a") == [ids[3]]


def test_a_raised_capacity_goes_to_those_already_waiting(store):
    ids = people(store, 5)
    for pid in ids[:4]:
        bookings.register(store, KIT, pid, "a")
    store.insert("workshops", {"key": "a", "capacity": 5})
    newcomer = bookings.register(store, KIT, ids[4], "a")
    assert newcomer["status"] == "confirmed"
    assert bookings.registrations_of(store, ids[3])[0]["status"] == "confirmed"
    assert bookings.counts(store, "a") == (5, 0)


# ------------------------------------------------------------------- overlap
def test_two_workshops_at_overlapping_times_are_refused(store):
    (pid,) = people(store, 1)
    bookings.register(store, KIT, pid, "a")
    with pytest.raises(Conflict) as caught:
        bookings.register(store, KIT, pid, "overlaps-a")
    assert "Atelier a" in str(caught.value)
    assert bookings.register(store, KIT, pid, "after-a")["status"] == "confirmed"


def test_a_waiting_place_also_holds_the_time(store):
    ids = people(store, 4)
    for pid in ids:
        bookings.register(store, KIT, pid, "a")
    with pytest.raises(Conflict) as caught:
        bookings.register(store, KIT, ids[3], "overlaps-a")
    assert caught.value.message.startswith("You are on the waiting list of")


def test_bookings_close_when_a_workshop_ends_or_the_kits_minutes_after_its_start(store):
    (pid,) = people(store, 1)
    venue = dt.timezone(dt.timedelta(hours=2))  # Paris in June
    during = at(10, 30).replace(tzinfo=venue)
    assert bookings.register(store, KIT, pid, "a", now=during)["status"] == "confirmed"
    with pytest.raises(Conflict):
        bookings.register(store, KIT, pid, "after-a", now=at(12, 0).replace(tzinfo=venue))
    strict = dataclasses.replace(KIT, rules=dataclasses.replace(KIT.rules,
                                                                closes_after_start=10))
    with pytest.raises(Conflict):
        bookings.register(store, strict, pid, "b", now=at(14, 11).replace(tzinfo=venue))
    assert bookings.register(store, strict, pid, "b",
                             now=at(14, 9).replace(tzinfo=venue))["status"] == "confirmed"
    # The desk may still record someone in a workshop that is over.
    assert bookings.register(store, KIT, pid, "after-a", now=at(12, 0).replace(tzinfo=venue),
                             by_desk=True)["status"] == "confirmed"


def test_a_cancelled_workshop_frees_the_time(store):
    (pid,) = people(store, 1)
    bookings.register(store, KIT, pid, "a")
    bookings.set_cancelled(store, KIT, "a")
    assert bookings.register(store, KIT, pid, "overlaps-a")["status"] == "confirmed"


def test_now_and_next_follow_the_venue_clock(store):
    running, upcoming = bookings.now_and_next(store, KIT, ELEVEN_LOCAL)
    assert [w.id for w in running] == ["overlaps-a", "after-a"]
    assert [w.id for w in upcoming] == ["b"]


# --------------------------------------------------------------------- seats
def test_seats_go_lowest_first_one_per_participant_and_slot(store):
    a, b = people(store, 2)
    first = bookings.book_seat(store, KIT, a, "matin", "coworking")
    assert first["seat"] == 1
    assert bookings.book_seat(store, KIT, a, "matin", "coworking")["id"] == first["id"]
    assert bookings.book_seat(store, KIT, b, "matin", "coworking")["seat"] == 2
    assert bookings.book_seat(store, KIT, a, "apres-midi", "coworking")["seat"] == 1
    row = next(r for r in bookings.seat_map(store, KIT) if r["slot"].id == "matin")
    assert (row["taken"], row["free"]) == (2, KIT.space("coworking").seats - 2)


def test_a_second_seat_in_the_same_slot_is_refused(store):
    wide = dataclasses.replace(KIT, spaces=(*KIT.spaces, dataclasses.replace(
        KIT.space("coworking"), id="calme", name=Localized("Espace calme"))))
    (pid,) = people(store, 1)
    bookings.book_seat(store, wide, pid, "matin", "coworking")
    with pytest.raises(Conflict):
        bookings.book_seat(store, wide, pid, "matin", "calme")


def test_a_full_zone_refuses_and_a_cancel_frees_the_seat(store):
    small = dataclasses.replace(KIT, spaces=(dataclasses.replace(KIT.space("coworking"),
                                                                 seats=2),))
    a, b, c = people(store, 3)
    first = bookings.book_seat(store, small, a, "matin", "coworking")
    bookings.book_seat(store, small, b, "matin", "coworking")
    with pytest.raises(Conflict):
        bookings.book_seat(store, small, c, "matin", "coworking")
    with pytest.raises(NotFound):
        bookings.cancel_seat(store, first["id"], participant_id=c)
    bookings.cancel_seat(store, first["id"], participant_id=a)
    assert bookings.book_seat(store, small, c, "matin", "coworking")["seat"] == 1


@pytest.mark.parametrize("slot, space, error", [
    ("nuit", "coworking", NotFound), ("matin", "salle-1", NotFound),
    ("matin", "", NotFound)])
def test_unknown_slots_and_zones(store, slot, space, error):
    (pid,) = people(store, 1)
    with pytest.raises(error):
        bookings.book_seat(store, KIT, pid, slot, space)


def test_a_seat_number_outside_the_zone(store):
    (pid,) = people(store, 1)
    with pytest.raises(InvalidInput):
        bookings.book_seat(store, KIT, pid, "matin", "coworking", seat=999)


def test_current_slot_is_the_one_under_way_then_the_next():
    assert bookings.current_slot(KIT, ELEVEN_LOCAL).id == "matin"
    assert bookings.current_slot(KIT, ELEVEN_LOCAL + dt.timedelta(hours=2)).id == "apres-midi"
    assert bookings.current_slot(KIT, ELEVEN_LOCAL + dt.timedelta(hours=10)) is None


def test_forgetting_a_participant_frees_seat_and_promotes(store):
    ids = people(store, 4)
    for pid in ids:
        bookings.register(store, KIT, pid, "a")
    bookings.book_seat(store, KIT, ids[0], "matin", "coworking")
    participants.delete(store, KIT, ids[0])
    assert bookings.registrations_of(store, ids[3])[0]["status"] == "confirmed"
    assert next(r for r in bookings.seat_map(store, KIT) if r["slot"].id == "matin")["taken"] == 0


# ------------------------------------------------------------ property based
class Model:
    """The waiting-list rule written the simplest way, to compare the domain with."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.confirmed: set[int] = set()
        self.waiting: list[int] = []

    def register(self, pid: int) -> None:
        if pid in self.confirmed or pid in self.waiting:
            return
        if len(self.confirmed) < self.capacity and not self.waiting:
            self.confirmed.add(pid)
        else:
            self.waiting.append(pid)

    def cancel(self, pid: int) -> bool:
        if pid in self.confirmed:
            self.confirmed.remove(pid)
            while self.waiting and len(self.confirmed) < self.capacity:
                self.confirmed.add(self.waiting.pop(0))
            return True
        if pid in self.waiting:
            self.waiting.remove(pid)
            return True
        return False


@settings(max_examples=60, deadline=None)
@given(capacity=st.integers(1, 4),
       steps=st.lists(st.tuples(st.sampled_from(["register", "cancel"]), st.integers(0, 9)),
                      max_size=40))
def test_no_sequence_exceeds_capacity_or_loses_someone_waiting(tmp_path_factory, capacity,
                                                              steps):
    store = memory_store(tmp_path_factory.mktemp("s"))
    kit = dataclasses.replace(KIT, workshops=(workshop("w", at(10), at(11), capacity),))
    ids = people(store, 10)
    model = Model(capacity)
    for action, who in steps:
        pid = ids[who]
        if action == "register":
            bookings.register(store, kit, pid, "w")
            model.register(pid)
        else:
            try:
                bookings.cancel(store, kit, pid, "w")
                assert model.cancel(pid)
            except NotFound:
                assert not model.cancel(pid)
        confirmed = {r["participant_id"] for r in store.find("registrations", workshop_id="w")
                     if r["status"] == "confirmed"}
        waiting = [r for r in store.find("registrations", workshop_id="w")
                   if r["status"] == "waitlisted"]
        assert len(confirmed) <= capacity
        assert confirmed == model.confirmed
        assert waiting_order(store, "w") == model.waiting
        assert sorted(bookings.position(store, r) for r in waiting) == list(
            range(1, len(waiting) + 1))
        assert not waiting or len(confirmed) == capacity  # nobody waits for a free place


def morning(store: Store, kit) -> list[dict]:
    return next(r for r in bookings.seat_map(store, kit) if r["slot"].id == "matin")["bookings"]


@settings(max_examples=40, deadline=None)
@given(seats=st.integers(1, 4),
       steps=st.lists(st.tuples(st.sampled_from(["book", "cancel"]), st.integers(0, 7)),
                      max_size=30))
def test_no_sequence_of_seat_bookings_exceeds_the_zone(tmp_path_factory, seats, steps):
    store = memory_store(tmp_path_factory.mktemp("s"))
    kit = dataclasses.replace(KIT, spaces=(dataclasses.replace(KIT.space("coworking"),
                                                               seats=seats),))
    ids = people(store, 8)
    for action, who in steps:
        if action == "book":
            try:
                bookings.book_seat(store, kit, ids[who], "matin", "coworking")
            except Conflict:
                assert len(morning(store, kit)) == seats  # refused only when full
        else:
            for b in bookings.seats_of(store, ids[who]):
                bookings.cancel_seat(store, b["id"], ids[who])
        active = morning(store, kit)
        assert len(active) <= seats
        assert len({b["seat"] for b in active}) == len(active)
        assert len({b["participant_id"] for b in active}) == len(active)



def test_a_restored_workshop_gives_the_places_freed_meanwhile_to_those_waiting(store):
    ids = people(store, 5)
    for pid in ids:
        bookings.register(store, KIT, pid, "a")
    bookings.set_cancelled(store, KIT, "a", True)
    bookings.cancel(store, KIT, ids[0], "a")  # nobody is promoted into a cancelled workshop
    assert bookings.counts(store, "a") == (2, 2)
    _, promoted = bookings.restore(store, KIT, "a")
    assert [r["participant_id"] for r in promoted] == [ids[3]]
    assert bookings.counts(store, "a") == (3, 1)
