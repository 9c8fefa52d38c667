"""People counted once across the events of a territory, and their survey answers
merged by meaning.

Each event gives one ``Person`` per participant, keyed by the keyed hash of
``domain/identity.py``. Merging keeps one record per key: present at several events,
checked in if they came to any, and for each question the answer of the latest event
they answered it at (an opinion given twice is counted once, as it last stood).

Two events' questions are the same question when their wording matches (case, accents
and spaces aside) or when a kit says so (``merge_as``); the same goes for choices, by
label. Everything else stays apart, and ``not_merged`` says which questions and answers
share an id but not a meaning: the report shows them separately rather than under the
first kit's wording.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..domain.communes import commune_key, spelling
from ..domain.identity import fold
from ..kit import Kit, SurveyQuestion

YES = ("oui", "yes")


@dataclass
class Person:
    """What one person told and did, over the events they came to."""

    events: set[str]
    came: bool
    profile: str
    commune: str  # as typed, spaces tidied; ``commune_key`` compares
    answers: dict[Any, Any]  # question (id, or meaning once merged) -> answer
    months: float | None  # visits a month from the frequency question
    volunteer: bool
    optin: bool
    registered_before: bool  # registered before the event's first day (not a walk-in)


def question_meta(kit: Kit, lang: str) -> dict[str, dict[str, Any]]:
    """What merging needs to know of each question of one event."""
    return {q.id: _meta(q, lang) for q in kit.survey}


def _meta(q: SurveyQuestion, lang: str) -> dict[str, Any]:
    return {"id": q.id, "question": q.question.get(lang), "kind": q.kind,
            "measure": q.measure, "formula": q.formula, "merge_as": q.merge_as,
            "min": q.min, "max": q.max,
            "wording": f"{q.kind}|{fold(q.question.fr)}",
            "choices": {c.id: {"label": c.label.get(lang), "merge_as": c.merge_as,
                               "wording": fold(c.label.fr) + (
                                   f"|{c.per_month:g}" if c.per_month is not None else ""),
                               "per_month": c.per_month} for c in q.choices}}


class Reader:
    """What reading a participant needs of the event's kit, worked out once per event."""

    def __init__(self, kit: Kit) -> None:
        self.first_day = kit.event.start_date.isoformat()
        self.slug = kit.event.slug
        self.questions = {q.id for q in kit.survey}
        frequency = next((q for q in kit.survey if q.measure == "frequency"), None)
        self.frequency = frequency.id if frequency else None
        self.per_month = {c.id: c.per_month for c in frequency.choices} if frequency else {}
        volunteer = next((q for q in kit.survey if q.measure == "volunteer"), None)
        self.volunteer = volunteer.id if volunteer else None

    def person(self, participant: dict[str, Any], came: bool) -> Person:
        answers = {qid: a for qid, a in (participant.get("answers") or {}).items()
                   if a not in (None, "", []) and qid in self.questions}
        said = answers.get(self.frequency) if self.frequency else None
        months = self.per_month.get(said) if isinstance(said, str) else None
        created = str(participant.get("created_at") or "")
        return Person(
            events={self.slug}, came=came,
            profile=participant.get("profile") or "?",
            commune=" ".join(str(participant.get("commune") or "").split()), answers=answers,
            months=float(months) if months is not None else None,
            volunteer=self.volunteer is not None and answers.get(self.volunteer) in YES,
            optin=participant.get("contact_optin") is True,
            registered_before=bool(created) and created[:10] < self.first_day)


# ------------------------------------------------------------------ meanings
def meanings(events: list[tuple[str, dict[str, dict[str, Any]]]]
             ) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str, str], str]]:
    """The meaning of each event's questions and choices: (slug, question id) -> key,
    (slug, question id, choice id) -> key. ``events`` come in date order."""
    q_of: dict[tuple[str, str], str] = {}
    for slug, metas in events:
        for qid, meta in metas.items():
            q_of[(slug, qid)] = meta["wording"]
    by_id = {}
    for slug, metas in events:  # a kit's merge_as names another event's question id
        for qid in metas:
            by_id.setdefault(qid, q_of[(slug, qid)])
    for slug, metas in events:
        for qid, meta in metas.items():
            if meta["merge_as"] in by_id:
                q_of[(slug, qid)] = by_id[meta["merge_as"]]
    c_of: dict[tuple[str, str, str], str] = {}
    for slug, metas in events:
        for qid, meta in metas.items():
            for cid, choice in meta["choices"].items():
                c_of[(slug, qid, cid)] = choice["wording"]
    c_by_id: dict[tuple[str, str], str] = {}
    for slug, metas in events:
        for qid, meta in metas.items():
            for cid in meta["choices"]:
                c_by_id.setdefault((q_of[(slug, qid)], cid), c_of[(slug, qid, cid)])
    for slug, metas in events:
        for qid, meta in metas.items():
            for cid, choice in meta["choices"].items():
                target = c_by_id.get((q_of[(slug, qid)], choice["merge_as"] or ""))
                if target is not None:
                    c_of[(slug, qid, cid)] = target
    return q_of, c_of


def not_merged(events: list[tuple[str, dict[str, dict[str, Any]]]],
               q_of: dict[tuple[str, str], str],
               c_of: dict[tuple[str, str, str], str]) -> list[dict[str, Any]]:
    """Questions (and choices) with one id but several meanings across the events."""
    out = []
    ids = sorted({qid for _, metas in events for qid in metas})
    for qid in ids:
        asked = [(slug, metas[qid]) for slug, metas in events if qid in metas]
        if len({q_of[(slug, qid)] for slug, _ in asked}) > 1:
            out.append({"question": qid, "choice": None,
                        "wordings": [{"event": slug, "text": m["question"]} for slug, m in asked]})
            continue
        for cid in sorted({c for _, m in asked for c in m["choices"]}):
            having = [(slug, m["choices"][cid]) for slug, m in asked if cid in m["choices"]]
            if len({c_of[(slug, qid, cid)] for slug, _ in having}) > 1:
                out.append({"question": qid, "choice": cid,
                            "wordings": [{"event": slug, "text": c["label"]}
                                         for slug, c in having]})
    return out


def in_meanings(p: Person, slug: str, q_of: dict[tuple[str, str], str],
                c_of: dict[tuple[str, str, str], str]) -> dict[str, Any]:
    """A person's answers at one event, keyed by meaning."""
    out: dict[str, Any] = {}
    for qid, answer in p.answers.items():
        key = q_of.get((slug, qid))
        if key is None:
            continue
        if isinstance(answer, list):
            out[key] = [c_of.get((slug, qid, str(a)), str(a)) for a in answer]
        elif isinstance(answer, str):
            out[key] = c_of.get((slug, qid, answer), answer)
        else:
            out[key] = answer
    return out


def merge(records: Iterable[tuple[str, Person]]) -> dict[str, Person]:
    """People (keyed, in date order of their events), once each. The records are taken
    over, not copied: pass records no one else holds."""
    merged: dict[str, Person] = {}
    for key, p in records:
        seen = merged.get(key)
        if seen is None:
            merged[key] = p
            continue
        seen.events |= p.events
        seen.came = seen.came or p.came
        seen.profile = p.profile if p.profile != "?" else seen.profile
        seen.commune = p.commune or seen.commune
        seen.answers.update(p.answers)
        seen.months = p.months if p.months is not None else seen.months
        seen.volunteer = seen.volunteer or p.volunteer
        seen.optin = seen.optin or p.optin
        seen.registered_before = seen.registered_before or p.registered_before
    return merged


def commune_groups(people: dict[str, Person]) -> tuple[dict[str, int], dict[str, str]]:
    """People per commune (unified), and the label shown for each."""
    counts: Counter[str] = Counter()
    typed: dict[str, Counter[str]] = {}
    for p in people.values():
        key = commune_key(p.commune)
        counts[key] += 1
        typed.setdefault(key, Counter())[p.commune] += 1
    return dict(counts), {key: spelling(spellings) for key, spellings in typed.items()}
