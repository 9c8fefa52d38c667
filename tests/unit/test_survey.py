"""The appetite survey: answers checked against the kit's questions."""

from __future__ import annotations

import datetime as dt

import pytest

from popup_tierslieu import domain
from popup_tierslieu.domain import participants, survey
from popup_tierslieu.errors import InvalidInput
from popup_tierslieu.kit import default_kit
from popup_tierslieu.store import Store

KIT = default_kit(dt.date(2026, 6, 12))


def test_answers_of_every_kind_are_cleaned():
    clean = survey.validate_answers(KIT, {
        "frequence": "hebdo", "services": ["visio", "wifi", "wifi"], "prix-journee": "12,5",
        "convivialite": "4", "benevole": ["oui"], "trajet": ""})
    assert clean == {"frequence": "hebdo", "services": ["wifi", "visio"], "prix-journee": 12.5,
                     "convivialite": 4, "benevole": "oui"}


@pytest.mark.parametrize("answers, field", [
    ({"frequence": {"nested": 1}}, "answers.frequence"),
    ({"services": [["wifi"]]}, "answers.services"),
    ({"services": ["teleporteur"]}, "answers.services"),
    ({"convivialite": 9}, "answers.convivialite"),
    ({"prix-journee": "beaucoup"}, "answers.prix-journee"),
    ({"inconnue": "x"}, "answers.inconnue"),
])
def test_odd_answers_are_a_message_on_their_field_not_a_crash(answers, field):
    with pytest.raises(InvalidInput) as caught:
        survey.validate_answers(KIT, answers)
    assert field in caught.value.fields


def test_answers_can_be_changed_later(tmp_path):
    store = Store(tmp_path, indexes=domain.INDEXES)
    p = participants.register(store, KIT, {
        "name": "Inès", "profile": KIT.profiles[0], "commune": "Apt", "consent": True,
        "charter": True, "answers": {"frequence": "jamais"}})
    survey.save_answers(store, KIT, p["id"], {"frequence": "quotidien", "services": ["fablab"]})
    assert store.get("participants", p["id"])["answers"] == {
        "frequence": "quotidien", "services": ["fablab"]}
