"""The data of every chart of the report, ready to draw: each bar carries its label and
the text shown beside it (the count and its share of the people it is counted among)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import i18n
from ..domain import docs
from . import budget, compute
from .wording import counted, day, hour, label_of, pct, survey_label, when


def bars(items: list[tuple[str, float, str]], top: float | None = None) -> list[dict[str, Any]]:
    """Rows of a bar chart: label, value, the text shown, and the bar's share of the width."""
    top = top or max((value for _, value, _ in items), default=0) or 1
    return [{"label": label, "value": value, "text": text, "frac": min(value / top, 1.0)}
            for label, value, text in items]


def pairs(items: list[tuple[str, float, float]]) -> list[dict[str, Any]]:
    top = max((max(a, b) for _, a, b in items), default=0) or 1
    return [{"label": label, "a": a, "b": b, "fa": a / top, "fb": b / top}
            for label, a, b in items]


def charts(summary: dict[str, Any]) -> dict[str, Any]:
    """The data of every chart, ready to draw: each bar says its count and its share of
    the people it is counted among."""
    def folded(rows: list[dict[str, Any]], whole: int | None,
               name: Callable[[dict[str, Any]], str] = label_of) -> list[dict[str, Any]]:
        return bars([(name(r), r["count"], counted(r["count"], whole)) for r in rows])

    registered = summary["registered"]
    survey = {q["id"]: folded(q.get("choices") or q.get("bands") or [], q["answered"],
                              survey_label(q)) for q in summary["survey"]}
    events = summary["events"]
    notes = summary["notes"]["kinds"]
    return {
        "came": pairs([(e["name"], e["registered"], e["checked_in"]) for e in events]),
        "hours": _hours(summary["arrivals_by_hour"]),
        "profiles": folded(summary["profiles"], registered),
        "communes": folded(summary["communes"], registered),
        "faces": pairs([(next(e["name"] for e in events if e["slug"] == f["event"]), f["new"],
                         f["known"]) for f in summary["people"]["by_event"]]),
        "seats": _seats(summary),
        "workshops": _workshops(summary["workshops"]),
        "desk": folded(summary["desk_requests"],
                       sum(r["count"] for r in summary["desk_requests"])),
        "survey": {key: rows for key, rows in survey.items() if rows},
        "criterion": {q["id"]: _within_rows(q) for q in summary["survey"]
                      if q["measure"] == "commute"},
        "services": survey.get(next((q["id"] for q in summary["survey"]
                                     if q["measure"] == "services"), ""), []),
        "notes": bars([(i18n.gettext(docs.KINDS.get(r["key"], r["key"])), r["count"],
                        counted(r["count"], sum(n["count"] for n in notes))) for r in notes]),
        "swap": pairs([(c["category"], c["offered"], c["wanted"])
                       for c in summary["swap"]["categories"]]),
    }


def _within_rows(question: dict[str, Any]) -> int:
    """How many commute bands lie within the catchment criterion (the line goes below)."""
    within = [f"≤ {budget.num(e)}" for e in compute.COMMUTE_EDGES
              if e <= compute.CATCHMENT_MINUTES]
    return sum(1 for r in question.get("bands", []) if r["key"] in within)


def _seats(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Occupancy of each zone and slot, on a 0-100 % scale. Slots of several events are
    told apart by their date (an event's name would not fit the label)."""
    seats = summary["seats"]
    several = len({s["event"] for s in seats}) > 1
    zones = len({s["space"] for s in seats}) > 1

    def label(s: dict[str, Any]) -> str:
        parts = [day(s["start"], "d MMM y")] if several else []
        return " · ".join([*parts, *([s["space"]] if zones or not several else []), s["slot"]])

    return bars([(label(s), s["occupancy"] or 0,
                  f"{s['booked']}/{s['seats']} ({pct(s['occupancy'])})") for s in seats], top=1)


def _hours(arrivals: list[dict[str, Any]]) -> dict[str, Any]:
    """Arrivals per hour of the day, every event day stacked in one bar per hour."""
    by_hour: dict[int, int] = {}
    for a in arrivals:
        by_hour[a["hour"]] = by_hour.get(a["hour"], 0) + a["count"]
    if not by_hour:
        return {"total": 0, "bars": []}
    hours = range(min(by_hour), max(by_hour) + 1)
    total = sum(by_hour.values())
    return {"total": total, "bars": bars([(f"{h}h", by_hour.get(h, 0),
                                           counted(by_hour.get(h, 0), total)) for h in hours])}


def _workshops(workshops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    top = max((max(w["capacity"], w["confirmed"] + w["waitlisted"]) for w in workshops),
              default=0) or 1
    several = len({w["event"] for w in workshops}) > 1

    def label(w: dict[str, Any]) -> str:
        if several:  # two events may share a name: their dates tell them apart
            return f"{w['event_name']} · {day(w['start'], 'EEE d MMM y')} · {hour(w['start'])}"
        return when(w["start"], w["multi_day"])

    return [{**w, "label": f"{label(w)} · {w['title']}",
             "fc": w["confirmed"] / top, "fw": w["waitlisted"] / top,
             "fcap": w["capacity"] / top} for w in workshops]
