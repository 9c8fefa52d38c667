"""The one rule that keeps a small village's people from being singled out: no group of
people smaller than ``MIN_GROUP`` is shown on its own, in a chart (``fold_small``
puts them together under ``OTHER``), a box or a line of the budget (``small``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

MIN_GROUP = 3
OTHER = "other"


def small(count: int) -> int | None:
    """A count of people shown on its own: ``None`` for a group of 1 or 2."""
    return count if count == 0 or count >= MIN_GROUP else None


def fold_small(counts: Counter[str] | dict[str, int], labels: dict[str, str] | None = None,
               minimum: int = MIN_GROUP, order: list[str] | None = None) -> list[dict[str, Any]]:
    """Groups largest first (or in ``order``, for answers that have one: never ... every
    day, 1 to 5); those under ``minimum`` people go together into "other", last."""
    rows = []
    other = 0
    if order is not None:
        rank = {key: i for i, key in enumerate(order)}
        items = sorted(counts.items(), key=lambda item: (rank.get(item[0], len(rank)),
                                                         str(item[0])))
    else:
        items = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    for key, count in items:
        if count <= 0:
            continue
        if count < minimum or key == OTHER:
            other += count
        else:
            rows.append({"key": key, "label": (labels or {}).get(key, key), "count": count})
    if other:
        rows.append({"key": OTHER, "label": OTHER, "count": other})
    return rows
