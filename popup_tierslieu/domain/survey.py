"""The appetite survey: validating a participant's answers against the kit."""

from __future__ import annotations

from typing import Any

from ..errors import N_, InvalidInput
from ..kit import Kit
from .text import clean_text

TEXT_MAX = 500


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def validate_answers(kit: Kit, answers: dict[str, Any], complete: bool = False) -> dict[str, Any]:
    """Clean answers keyed by question id. Unknown questions are an error; empty answers
    are dropped. With ``complete``, required questions must be answered."""
    if not isinstance(answers, dict):
        raise InvalidInput("Survey answers must be an object.",
                           fields={"answers": N_("Invalid answer.")})
    errors: dict[str, Any] = {}
    clean: dict[str, Any] = {}
    for key in answers:
        if kit.question(key) is None:
            errors[f"answers.{key}"] = N_("Unknown question.")
    for q in kit.survey:
        value = answers.get(q.id)
        field = f"answers.{q.id}"
        if value is None or value == "" or value == []:
            if complete and q.required:
                errors[field] = N_("This question is required.")
            continue
        if q.kind == "single":
            if isinstance(value, list):
                value = value[0] if len(value) == 1 else None
            if not isinstance(value, str) or value not in q.choice_ids():
                errors[field] = N_("Choose one of the proposed answers.")
                continue
            clean[q.id] = value
        elif q.kind == "multiple":
            values = _as_list(value)
            if not all(isinstance(v, str) and v in q.choice_ids() for v in values):
                errors[field] = N_("Choose among the proposed answers.")
                continue
            clean[q.id] = sorted(set(values), key=[c.id for c in q.choices].index)
        elif q.kind in ("scale", "number"):
            if isinstance(value, list):
                value = value[0] if value else None
            try:
                number = float(str(value).replace(",", ".").strip())
            except ValueError:
                errors[field] = N_("Enter a number.")
                continue
            if number != number or not (q.min or 0) <= number <= (q.max or 0):
                errors[field] = (N_("Enter a number from %(min)s to %(max)s."),
                                 {"min": q.min, "max": q.max})
                continue
            clean[q.id] = int(number) if number.is_integer() else round(number, 2)
        else:
            if not isinstance(value, (str, int, float)):
                errors[field] = N_("Invalid answer.")
                continue
            try:
                clean[q.id] = clean_text(str(value), TEXT_MAX, field)
            except ValueError:
                errors[field] = (N_("At most %(max)s characters."), {"max": TEXT_MAX})
    if errors:
        raise InvalidInput("Some answers need your attention.", fields=errors)
    return clean


def save_answers(store: Any, kit: Kit, participant_id: int,
                 answers: dict[str, Any]) -> dict[str, Any]:
    """Replace a participant's answers (later, from the pass page)."""
    clean = validate_answers(kit, answers, complete=True)
    store.update("participants", participant_id, {"answers": clean})
    return clean
