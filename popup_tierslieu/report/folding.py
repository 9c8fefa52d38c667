"""The one rule that keeps a small village's people from being singled out: no group of
people smaller than ``MIN_GROUP`` is shown on its own, in a chart (``compute.fold_small``
puts them together under ``OTHER``), a box or a line of the budget (``small``)."""

from __future__ import annotations

MIN_GROUP = 3
OTHER = "other"


def small(count: int) -> int | None:
    """A count of people shown on its own: ``None`` for a group of 1 or 2."""
    return count if count == 0 or count >= MIN_GROUP else None
