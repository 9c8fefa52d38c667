"""Writing the appetite report: one self-contained HTML file (inline CSS and SVG charts,
no external request, A4 print styles), its Markdown twin, ``summary.json``, aggregate
CSV files and ``contacts.csv`` (the only file with personal data: people who opted in)."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from .. import i18n, territory_key
from ..domain import docs, identity
from ..errors import N_
from . import compute
from .docs_bundle import write_bundle
from .export import Field, write_csv
from .source import EventData
from .verdict import verdict

Step = Callable[[str], None]
SCHEMA_VERSION = 2


# ------------------------------------------------------------------ charts
def bars(items: list[tuple[str, float, str]], top: float | None = None) -> list[dict[str, Any]]:
    """Rows of a bar chart: label, value, the text shown, and the bar's share of the width."""
    top = top or max((value for _, value, _ in items), default=0) or 1
    return [{"label": label, "value": value, "text": text, "frac": min(value / top, 1.0)}
            for label, value, text in items]


def pairs(items: list[tuple[str, float, float]]) -> list[dict[str, Any]]:
    top = max((max(a, b) for _, a, b in items), default=0) or 1
    return [{"label": label, "a": a, "b": b, "fa": a / top, "fb": b / top}
            for label, a, b in items]


def label_of(row: dict[str, Any]) -> str:
    if row["key"] == compute.OTHER:
        return i18n.gettext("Other (groups of fewer than 3)")
    if row["key"] == compute.WRITTEN:
        return i18n.gettext("Written in their own words")
    return str(row["label"]) or i18n.gettext("Not given")


def num(value: Any) -> str:
    if value is None:
        return "–"
    return format_decimal(value, locale=i18n.current.get())


def pct(value: Any) -> str:
    if value is None:
        return "–"
    return format_percent(value, locale=i18n.current.get())


def share(part: Any, whole: Any) -> str:
    """``part`` as a percentage of ``whole``; a dash when either is unknown."""
    return pct(part / whole) if part is not None and whole else "–"


def euros(value: Any) -> str:
    return "–" if value is None else f"{num(value)}\u00a0€"


def md(value: Any) -> str:
    """Text a participant typed, made inert in Markdown (tables, links, HTML)."""
    text = " ".join(str(value).split())
    for char in "\\|*_[]<>`#":
        text = text.replace(char, "\\" + char)
    return text


def hour(start: str) -> str:
    """The local start time of a repeated talk tells its sessions apart: 14h00 / 2:00 pm."""
    moment = dt.datetime.fromisoformat(start)
    if i18n.current.get() == "fr":
        return moment.strftime("%Hh%M")
    return moment.strftime("%I:%M %p").lstrip("0").lower()


def day(value: str, style: str = "EEEE d MMMM y") -> str:
    """An ISO date in words: "vendredi 9 juillet 2027" / "Friday 9 July 2027"."""
    try:
        moment = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return format_date(moment, style, locale=i18n.current.get())


def when(start: str, several_days: bool) -> str:
    """A workshop's start: its time, and its day when the event lasts several days."""
    if not several_days:
        return hour(start)
    return f"{day(start, 'EEE d')} · {hour(start)}"


def counted(count: int, whole: int | None) -> str:
    """A bar's text: the count and its share of the people it is counted among."""
    if not whole:
        return num(count)
    return f"{num(count)} ({pct(count / whole)})"


def band_label(key: str, unit: str) -> str:
    """Bands written so that nobody wonders where 10 goes: "moins de 5 €", "5 à 9 €",
    "75 € ou plus"; commute bands include their upper bound: "11 à 20 min"."""
    gettext = i18n.gettext
    if key.startswith("≤ ") or key.startswith("> "):
        return _commute_band_label(key, unit)
    if key.startswith("≥ "):
        return gettext("%(low)s%(unit)s or more") % {"low": key[2:], "unit": unit}
    low, _, high = key.partition("–")
    if not high:
        return key
    if float(low) == 0:
        return gettext("less than %(high)s%(unit)s") % {"high": high, "unit": unit}
    top = num(float(high) - 1) if float(high).is_integer() else high
    return gettext("%(low)s to %(high)s%(unit)s") % {"low": low, "high": top, "unit": unit}


def _commute_band_label(key: str, unit: str) -> str:
    bound = float(key[2:])
    if key.startswith(">"):
        return i18n.gettext("more than %(high)s%(unit)s") % {"high": num(bound), "unit": unit}
    edges = (0.0, *compute.COMMUTE_EDGES)
    low = edges[edges.index(bound) - 1]
    if not low:
        return i18n.gettext("%(high)s%(unit)s or less") % {"high": num(bound), "unit": unit}
    return i18n.gettext("%(low)s to %(high)s%(unit)s") % {
        "low": num(low + 1), "high": num(bound), "unit": unit}


# Words for the points of a 1-5 scale, the kit giving only its bounds.
SCALE_WORDS = {1: N_("not at all"), 2: N_("a little"), 3: N_("moderately"), 4: N_("a lot"),
               5: N_("very much")}


def scale_label(value: str, low: int | None, high: int | None) -> str:
    point = int(float(value))
    if (low, high) == (1, 5):
        return f"{point} · {i18n.gettext(SCALE_WORDS[point])}"
    if point == low:
        return f"{point} · {i18n.gettext(N_('the least'))}"
    if point == high:
        return f"{point} · {i18n.gettext(N_('the most'))}"
    return str(point)


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("popup_tierslieu.report", "templates"),
        autoescape=autoescape, extensions=["jinja2.ext.i18n"], trim_blocks=True,
        lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.gettext(message),
        lambda singular, plural, n: i18n.ngettext(singular, plural, n), newstyle=True)
    env.filters.update(num=num, pct=pct, euros=euros, md=md, label=label_of, hour=hour,
                       day=day, when=when, share=share)
    env.globals.update(bars=bars, pairs=pairs)
    return env


HTML = _environment(True)
MARKDOWN = _environment(False)


UNITS = {"price": "\u00a0€", "commute": "\u00a0min"}


def charts(summary: dict[str, Any]) -> dict[str, Any]:
    """The data of every chart, ready to draw: each bar says its count and its share of
    the people it is counted among."""
    def folded(rows: list[dict[str, Any]], whole: int | None,
               name: Callable[[dict[str, Any]], str] = label_of) -> list[dict[str, Any]]:
        return bars([(name(r), r["count"], counted(r["count"], whole)) for r in rows])

    registered = summary["registered"]
    survey = {q["id"]: folded(q.get("choices") or q.get("bands") or [], q["answered"],
                              _survey_label(q)) for q in summary["survey"]}
    events = summary["events"]
    notes = summary["notes"]["kinds"]
    return {
        "came": pairs([(e["name"], e["registered"], e["checked_in"]) for e in events]),
        "days": bars([(day(d["day"]), d["count"], num(d["count"]))
                      for d in summary["checkins_by_day"]]),
        "hours": _hours(summary["arrivals_by_hour"]),
        "profiles": folded(summary["profiles"], registered),
        "communes": folded(summary["communes"], registered),
        "faces": pairs([(next(e["name"] for e in events if e["slug"] == f["event"]), f["new"],
                         f["known"]) for f in summary["people"]["by_event"]]),
        "seats": _seats(summary),
        "workshops": _workshops(summary["workshops"], several_days=_several_days(events)),
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
        "budget": bars([(i18n.gettext("Expected revenue"), summary["budget"]["revenue"],
                         euros(summary["budget"]["revenue"])),
                        (i18n.gettext("Monthly charges"), summary["budget"]["charges"],
                         euros(summary["budget"]["charges"]))]),
    }


def _survey_label(question: dict[str, Any]) -> Callable[[dict[str, Any]], str]:
    """How a survey chart names its rows: choices by their label, bands with their unit,
    scale points with words."""
    def name(row: dict[str, Any]) -> str:
        if row["key"] in (compute.OTHER, compute.WRITTEN):
            return label_of(row)
        if question["kind"] == "scale":
            return scale_label(row["key"], question.get("min", 1), question.get("max", 5))
        if question["kind"] == "number":
            return band_label(row["key"], UNITS.get(question["measure"] or "", ""))
        return label_of(row)
    return name


def _within_rows(question: dict[str, Any]) -> int:
    """How many commute bands lie within the catchment criterion (the line goes below)."""
    within = [f"≤ {compute._num(e)}" for e in compute.COMMUTE_EDGES
              if e <= compute.CATCHMENT_MINUTES]
    return sum(1 for r in question.get("bands", []) if r["key"] in within)


def _several_days(events: list[dict[str, Any]]) -> bool:
    return any(e["start_date"] != e["end_date"] for e in events)


def _seats(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Occupancy of each zone and slot, on a 0-100 % scale."""
    return bars([(f"{s['space']} · {s['slot']}", s["occupancy"] or 0,
                  f"{s['booked']}/{s['seats']} ({pct(s['occupancy'])})")
                 for s in summary["seats"]], top=1)


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


def _workshops(programme: list[dict[str, Any]], several_days: bool) -> list[dict[str, Any]]:
    """Real workshops only: a meal or a plenary on the programme is not a demand signal."""
    workshops = [w for w in programme if w["kind"] == "workshop"]
    top = max((max(w["capacity"], w["confirmed"] + w["waitlisted"]) for w in workshops),
              default=0) or 1
    several = len({w["event"] for w in workshops}) > 1
    return [{**w, "label": (f"{w['event_name']} · " if several else "")
             + f"{when(w['start'], several_days)} {w['title']}",
             "fc": w["confirmed"] / top, "fw": w["waitlisted"] / top,
             "fcap": w["capacity"] / top} for w in workshops]


# ------------------------------------------------------------------ writing
CONTACT_FIELDS = (Field("event", "string"), Field("name", "string"), Field("email", "string"),
                  Field("commune", "string"), Field("profile", "string"))


def contacts(events: list[EventData]) -> list[dict[str, Any]]:
    """Exactly the people who opted in to be contacted, with only what they gave; someone
    met at several events is one row, as they wrote it at the latest."""
    key = territory_key.load()
    rows: dict[str, dict[str, Any]] = {}
    for event in sorted(events, key=lambda e: (e.kit.event.start_date, e.kit.event.slug)):
        for p in sorted(event.tables.get("participants", []), key=lambda p: p["id"]):
            if p.get("contact_optin") is True:
                who = identity.person_hash(p, key) or f"{event.kit.event.slug}|{p['id']}"
                rows[who] = {"event": event.kit.event.slug, "name": p.get("name") or None,
                             "email": p.get("email") or None,
                             "commune": p.get("commune") or None,
                             "profile": p.get("profile") or None}
    return list(rows.values())


def _docs_bundles(events: list[EventData], out: Path) -> dict[str, str]:
    """The documentation bundle of each event, written beside the report so its link
    works offline."""
    links = {}
    for event in events:
        path = write_bundle(event.folder, out / f"docs-{event.kit.event.slug}")
        links[event.kit.event.slug] = os.path.relpath(path, out)
    return links


AGGREGATES: dict[str, tuple[tuple[Field, ...], Callable[[dict[str, Any]], list[dict[str, Any]]]]]
AGGREGATES = {
    "profiles": ((Field("profile", "string"), Field("count", "integer")),
                 lambda s: [{"profile": r["label"], "count": r["count"]} for r in s["profiles"]]),
    "communes": ((Field("commune", "string"), Field("count", "integer")),
                 lambda s: [{"commune": r["label"], "count": r["count"]} for r in s["communes"]]),
    "workshops": (tuple(Field(n, t) for n, t in (
        ("event", "string"), ("id", "string"), ("title", "string"), ("start", "string"),
        ("capacity", "integer"), ("confirmed", "integer"), ("waitlisted", "integer"),
        ("attended", "integer"), ("fill_rate", "number"), ("cancelled", "boolean"))),
        lambda s: s["workshops"]),
    "seats": (tuple(Field(n, t) for n, t in (
        ("event", "string"), ("space_id", "string"), ("slot_id", "string"),
        ("seats", "integer"), ("booked", "integer"), ("occupancy", "number"))),
        lambda s: s["seats"]),
    "survey": ((Field("question_id", "string"), Field("answer", "string"),
                Field("count", "integer")),
               lambda s: [{"question_id": q["id"], "answer": r["label"], "count": r["count"]}
                          for q in s["survey"] for r in q.get("choices", q.get("bands", []))]),
    "budget": ((Field("formula", "string"), Field("users", "integer"),
                Field("price", "number"), Field("amount", "number")),
               lambda s: [*s["budget"]["lines"],
                          {"formula": "charges", "amount": -s["budget"]["charges"]},
                          {"formula": "balance", "amount": s["budget"]["balance"]}]),
    "checklist": ((Field("criterion", "string"), Field("status", "string")),
                  lambda s: [{"criterion": c["key"], "status": c["status"]}
                             for c in s["checklist"]]),
}


def build_summary(events: list[EventData], lang: str,
                  budget_event: EventData | None = None) -> dict[str, Any]:
    """``budget_event``: the event whose kit gives the budget's prices and charges (by
    default the first given)."""
    raws = [compute.gather(e.kit, e.tables, territory_key.load(), lang) for e in events]
    source = budget_event or events[0]
    summary = compute.summarize(raws, source.kit.budget, {
        "slug": source.kit.event.slug, "name": source.kit.event.name.get(lang)})
    return {"schema": SCHEMA_VERSION, "lang": lang,
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **summary}


def write_report(events: list[EventData], out: Path, lang: str = "fr",
                 step: Step = lambda name: None,
                 budget_from: EventData | None = None) -> list[Path]:
    token = i18n.current.set(lang)
    try:
        out.mkdir(parents=True, exist_ok=True)
        summary = build_summary(events, lang, budget_from)
        step("figures")
        bundles = _docs_bundles(events, out)
        summary["notes"]["bundles"] = bundles
        written = [out / "summary.json"]
        written[0].write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                              encoding="utf-8")
        context = {"s": summary, "c": charts(summary), "verdict": verdict(summary),
                   "sample": compute.SURVEY_SAMPLE, "lang": lang, "docs": bundles,
                   "licence": events[0].kit.licence_name, "territory": len(events) > 1}
        for name, env in (("report.html", HTML), ("report.md", MARKDOWN)):
            path = out / name
            path.write_text(env.get_template(name).render(**context), encoding="utf-8")
            written.append(path)
            step(name)
        for name, (fields, rows) in AGGREGATES.items():
            written.append(write_csv(out / f"{name}.csv", fields, rows(summary)))
        contacts_path = write_csv(out / "contacts.csv", CONTACT_FIELDS, contacts(events))
        os.chmod(contacts_path, 0o600)
        written.append(contacts_path)
        step("csv")
        return written
    finally:
        i18n.current.reset(token)
