"""Looking up a record by an id that came from a visitor (a path, a form, JSON)."""

from __future__ import annotations

from typing import Any


def by_id(store: Any, table: str, raw_id: Any) -> dict[str, Any] | None:
    """The record with that id, or None: a value that is not a whole number (text, a
    list, an infinite float) is an unknown id, not an error."""
    try:
        return store.get(table, int(raw_id))
    except (TypeError, ValueError, OverflowError):
        return None
