"""Reading an event folder for the report and the exports: read-only, safe while the
server runs, and every problem a person can fix said in one line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PopupError
from ..kit import KIT_COPY, Kit, load_event_kit
from ..store import DB_FILE, JOURNAL_PREFIX, load_tables


class ReportError(PopupError):
    code = "report"


@dataclass
class EventData:
    folder: Path
    kit: Kit
    tables: dict[str, list[dict[str, Any]]]


def read_event(folder: str | Path) -> EventData:
    folder = Path(folder)
    if not folder.is_dir():
        raise ReportError("No event folder at %(path)s. Fix: give the folder popup up wrote "
                          "(for example popup-data/<slug>).", params={"path": str(folder)})
    has_data = (folder / DB_FILE).exists() or any(folder.glob(f"{JOURNAL_PREFIX}*.jsonl"))
    if not (folder / KIT_COPY).exists() or not has_data:
        raise ReportError("%(path)s is not an event folder (no %(kit)s or no data). Fix: give "
                          "the folder popup up wrote (for example popup-data/<slug>).",
                          params={"path": str(folder), "kit": KIT_COPY})
    kit = load_event_kit(folder)
    try:
        tables = load_tables(folder)
    except (OSError, ValueError) as exc:
        raise ReportError("Cannot read the event data in %(path)s: %(reason)s. Fix: restore "
                          "a snapshot from its snapshots/ folder.",
                          params={"path": str(folder), "reason": str(exc)}) from None
    return EventData(folder, kit, tables)


def budget_event(events: list[EventData], slug: str | None) -> EventData:
    """The event whose kit the budget takes its prices and charges from: the one named
    (by its slug or its folder's name), else the first given."""
    if not slug:
        return events[0]
    for event in events:
        if slug in (event.kit.event.slug, event.folder.name):
            return event
    raise ReportError("No event %(slug)s among the folders given. Fix: use one of: "
                      "%(choices)s.", params={"slug": slug, "choices": ", ".join(
                          e.kit.event.slug for e in events)})
