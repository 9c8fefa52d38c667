"""Requests to the desk and announcements, on a real store in a temporary folder."""

from __future__ import annotations

import datetime as dt

import pytest

from popup_tierslieu import domain
from popup_tierslieu.domain import helpdesk, participants
from popup_tierslieu.errors import Conflict, InvalidInput, NotFound, RateLimited
from popup_tierslieu.kit import default_kit
from popup_tierslieu.store import Store

KIT = default_kit(dt.date(2026, 6, 12))
NOON = dt.datetime(2026, 6, 12, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path, indexes=domain.INDEXES) as store:
        yield store


def person(store, name: str) -> int:
    return store.insert("participants", {"name": name, "token": f"tok-{name}-0123456789"})


def test_a_request_goes_from_open_to_taken_to_done(store):
    ana = person(store, "Ana")
    sent = helpdesk.send(store, KIT, ana, item=KIT.desk_requests[0], now=NOON)
    assert [r["name"] for r in helpdesk.queue(store)] == ["Ana"]
    assert helpdesk.move(store, sent["id"], "take")["status"] == "taken"
    with pytest.raises(Conflict):
        helpdesk.move(store, sent["id"], "take")
    assert helpdesk.move(store, sent["id"], "done")["status"] == "done"
    assert helpdesk.queue(store) == []
    assert helpdesk.requests_of(store, ana)[0]["status"] == "done"


def test_a_request_needs_a_kit_item_or_words_of_bounded_length(store):
    ana = person(store, "Ana")
    with pytest.raises(InvalidInput) as caught:
        helpdesk.send(store, KIT, ana, item="Un poney")
    assert set(caught.value.fields) == {"item"}
    with pytest.raises(InvalidInput):
        helpdesk.send(store, KIT, ana)
    with pytest.raises(InvalidInput) as caught:
        helpdesk.send(store, KIT, ana, text="x" * 5000)
    assert caught.value.fields["text"][1] == {"max": helpdesk.TEXT_MAX}
    assert helpdesk.send(store, KIT, ana, text="Une rallonge de 10 m")["item"] is None


def test_only_the_asker_cancels_and_only_while_open(store):
    ana, bruno = person(store, "Ana"), person(store, "Bruno")
    sent = helpdesk.send(store, KIT, ana, text="Une agrafeuse", now=NOON)
    with pytest.raises(NotFound):
        helpdesk.cancel(store, bruno, sent["id"])
    helpdesk.move(store, sent["id"], "take")
    with pytest.raises(Conflict):
        helpdesk.cancel(store, ana, sent["id"])


def test_requests_are_rate_limited_per_participant(store):
    ana, bruno = person(store, "Ana"), person(store, "Bruno")
    for _ in range(helpdesk.REQUEST_LIMIT):
        helpdesk.send(store, KIT, ana, text="Du café", now=NOON)
    with pytest.raises(RateLimited):
        helpdesk.send(store, KIT, ana, text="Encore du café", now=NOON)
    helpdesk.send(store, KIT, bruno, text="Du thé", now=NOON)


def test_announcements_newest_first_and_hidden_ones_kept_but_not_shown(store):
    first = helpdesk.announce(store, "Les commandes de repas ferment à 12h", NOON)
    helpdesk.announce(store, "L'atelier B passe en salle 2", NOON)
    assert [a["text"] for a in helpdesk.announcements(store)] == [
        "L'atelier B passe en salle 2", "Les commandes de repas ferment à 12h"]
    helpdesk.hide_announcement(store, first["id"])
    assert len(helpdesk.announcements(store)) == 1
    assert store.get("announcements", first["id"])["hidden"] is True
    with pytest.raises(InvalidInput):
        helpdesk.announce(store, "   ")


def test_erasing_a_participant_removes_their_posts_requests_and_meetings(store):
    from popup_tierslieu.domain import swap

    ana = store.get("participants", person(store, "Ana"))
    bruno = store.get("participants", person(store, "Bruno"))
    offer = swap.create(store, KIT, ana, {"kind": "offer", "title": "Comptabilité",
                                          "category": KIT.swap_categories[1]}, NOON)
    swap.propose(store, bruno, offer["id"], "15h au café")
    helpdesk.send(store, KIT, ana["id"], text="Une multiprise", now=NOON)
    participants.delete(store, KIT, ana["id"])
    assert store.find("swap_posts", participant_id=ana["id"]) == []
    assert store.find("desk_requests", participant_id=ana["id"]) == []
    assert swap.meetings_of(store, bruno["id"]) == []
    assert store.all("swap_meetings") == []  # not even the one proposed to her


def test_a_meeting_pairs_an_offer_with_a_request_never_two_offers(store):
    from popup_tierslieu.domain import swap

    ana = store.get("participants", person(store, "Ana"))
    bruno = store.get("participants", person(store, "Bruno"))
    hers = swap.create(store, KIT, ana, {"kind": "offer", "title": "Comptabilité",
                                         "category": KIT.swap_categories[1]}, NOON)
    his = swap.create(store, KIT, bruno, {"kind": "offer", "title": "Site web associatif",
                                          "category": KIT.swap_categories[0]}, NOON)
    with pytest.raises(InvalidInput) as refused:
        swap.propose(store, bruno, hers["id"], "15h au café", his["id"], NOON)
    assert "post_id" in refused.value.fields
    assert store.all("swap_meetings") == []
