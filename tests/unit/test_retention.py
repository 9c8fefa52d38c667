"""`popup purge`: names and private words go, the figures of the report stay."""

from __future__ import annotations

import datetime as dt

from popup_tierslieu import domain
from popup_tierslieu.domain import helpdesk, participants, retention, swap
from popup_tierslieu.kit import default_kit
from popup_tierslieu.store import Store

KIT = default_kit(dt.date(2026, 6, 12))
MORNING = dt.datetime(2026, 6, 12, 9, 0, tzinfo=dt.UTC)


def person(store, name, optin):
    return participants.register(store, KIT, {
        "name": name, "email": f"{name.lower()}@example.org", "profile": KIT.profiles[0],
        "commune": "Cucuron", "consent": True, "charter": True, "contact_optin": optin}, MORNING)


def test_purge_keeps_what_the_report_counts_and_drops_names_and_private_words(tmp_path):
    with Store.open(tmp_path, indexes=domain.INDEXES) as store:
        giver, asker = person(store, "Maëlle", False), person(store, "Bastien", True)
        offer = swap.create(store, KIT, giver, {
            "kind": "offer", "title": "Initiation à WordPress",
            "description": "Je montre comment créer un site associatif.",
            "category": KIT.swap_categories[0]}, MORNING)
        meeting = swap.propose(store, asker, offer["id"], "15h à la table du café", None,
                               MORNING)
        swap.answer(store, giver["id"], meeting["id"], True, MORNING)
        helpdesk.send(store, KIT, giver["id"], KIT.desk_requests[0], "pour mon portable",
                      MORNING)

        retention.purge(store, b"k" * 32)

        quiet, keen = store.get("participants", giver["id"]), store.get("participants",
                                                                        asker["id"])
        assert quiet["name"] is None and quiet["email"] is None and quiet["token"] is None
        assert keen["email"] == "bastien@example.org" and keen["token"] is None
        (request,) = store.all("desk_requests")
        assert request["item"] == KIT.desk_requests[0] and request["text"] is None
        (kept,) = store.all("swap_meetings")
        assert kept["status"] == "accepted" and kept["when"] is None
        figures = swap.summary(store.all("swap_posts"), store.all("swap_meetings"))
        assert figures["meetings_accepted"] == 1
        assert store.all("swap_notices") == []
