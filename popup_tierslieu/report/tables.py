"""The report's CSV files, in the report's language: headers, answers, formulas and
statuses in words, each survey row with its question's text, each seat row with its
slot's label; and ``datapackage.json`` describing them (Frictionless Data Package).

Rows are built from ``summary.json`` only, so the files say exactly what the report
says (folded groups included). ``contacts.csv`` is apart: the only personal data,
described in the package but marked as not to be published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import i18n
from ..errors import N_
from . import compute
from .export import Field, Table
from .wording import FORMULAS, STATUSES, day, hour, label_of, population_band, survey_label

_ = i18n.gettext

# The site criteria by their key, as the checklist names them.
CRITERIA = {"core_of_users": N_("A core of users"),
            "survey_need": N_("A need shown by a survey"),
            "catchment": N_("Catchment within 20 minutes"),
            "founding_community": N_("A founding community ready to get involved"),
            "supporting_structure": N_("A supporting structure"),
            "connectivity": N_("Connectivity"),
            "access": N_("Access (schools, shops, parking, cycling)")}
SHARE = N_("share, from 0 to 1 (0,25 = 25 %)")
SCENARIOS = {"prudent": N_("Prudent scenario"), "central": N_("Central scenario"),
             "optimiste": N_("Optimistic scenario")}
OTHER = N_("Other (groups of fewer than 3)")


@dataclass(frozen=True)
class Column:
    key: str  # the row's key
    header: str  # a message id: the header in the report's language
    type: str = "string"
    description: str = ""  # a message id


@dataclass(frozen=True)
class Spec:
    name: str
    title: str  # a message id
    columns: tuple[Column, ...]
    rows: Callable[[Any], list[dict[str, Any]]]


def localise(spec: Spec, data: Any) -> Table:
    """The spec's rows (built from ``data``) under headers in the report's language."""
    fields = tuple(Field(_(c.header), c.type, _(c.description) if c.description else "")
                   for c in spec.columns)
    rows = [{field.name: row.get(c.key) for c, field in zip(spec.columns, fields, strict=True)}
            for row in spec.rows(data)]
    return Table(spec.name, _(spec.title), fields, rows)


def _counted(rows: list[dict[str, Any]], whole: int) -> list[dict[str, Any]]:
    return [{"label": label_of(r), "count": r["count"], "share": compute.rate(r["count"], whole)}
            for r in rows]


def _events(summary: dict[str, Any]) -> dict[str, str]:
    return {e["slug"]: e["name"] for e in summary["events"]}


def _workshops(summary: dict[str, Any]) -> list[dict[str, Any]]:
    names = _events(summary)
    return [{**w, "event": names.get(w["event"], w["event"]), "day": day(w["start"]),
             "hour": hour(w["start"]), "cancelled": _("yes") if w["cancelled"] else _("no")}
            for w in summary["workshops"]]


def _seats(summary: dict[str, Any]) -> list[dict[str, Any]]:
    names = _events(summary)
    return [{**s, "event": names.get(s["event"], s["event"]), "day": day(s["start"]),
             "hour": hour(s["start"])} for s in summary["seats"]]


def _survey(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"question": q["question"], "answer": survey_label(q)(r), "count": r["count"],
             "answered": q["answered"], "share": compute.rate(r["count"], q["answered"])}
            for q in summary["survey"] for r in q.get("choices") or q.get("bands") or []]


def _budget(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Each scenario's lines, then its charges, balance, members needed to break even
    and subsidy share."""
    rows: list[dict[str, Any]] = []
    for sc in summary["budget"]["scenarios"]:
        name = _(SCENARIOS[sc["name"]])
        rows += [{**line, "scenario": name, "formula": _(FORMULAS.get(line["formula"], OTHER))}
                 for line in sc["lines"]]
        rows += [{"scenario": name, "formula": _("Expected revenue"), "users": sc["members"],
                  "amount": sc["revenue"]},
                 {"scenario": name, "formula": _("Monthly charges"), "amount": -sc["charges"]},
                 {"scenario": name, "formula": _("Balance"), "amount": sc["balance"]},
                 {"scenario": name, "formula": _("Members needed to break even"),
                  "users": sc["members_to_break_even"]},
                 {"scenario": name, "formula": _("Share of the charges to subsidise"),
                  "share": sc["subsidy_share"]}]
    return rows


def _checklist(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"criterion": _(CRITERIA[c["key"]]), "status": _(STATUSES[c["status"]])}
            for c in summary["checklist"]]


C = Column
EVENT = C("event", N_("Event"))
SPECS = (
    Spec("profiles", N_("Profiles"), (
        C("label", N_("Profile")), C("count", N_("People"), "integer"),
        C("share", N_("Share of the registered"), "number", SHARE)),
        lambda s: _counted(s["profiles"], s["registered"])),
    Spec("communes", N_("Communes of residence (catchment area)"), (
        C("label", N_("Commune of residence")), C("count", N_("People"), "integer"),
        C("share", N_("Share of the registered"), "number", SHARE),
        C("code", N_("INSEE code"), description=N_("empty when the commune could not be coded")),
        C("epci", N_("Intercommunality")), C("population_class", N_("Population class"))),
        lambda s: [{**r, "code": c.get("code"), "epci": c.get("epci"),
                    "population_class": c.get("population_class")
                    and population_band(c["population_class"])}
                   for r, c in zip(_counted(s["communes"], s["registered"]), s["communes"],
                                   strict=True)]),
    Spec("workshops", N_("Workshops: places taken and waiting lists"), (
        EVENT, C("title", N_("Workshop title")), C("day", N_("Day")), C("hour", N_("Time")),
        C("capacity", N_("Capacity"), "integer"), C("confirmed", N_("Places taken"), "integer"),
        C("fill_rate", N_("Fill rate"), "number", SHARE),
        C("waitlisted", N_("On the waiting list"), "integer"),
        C("attended", N_("Attended"), "integer"), C("cancelled", N_("Cancelled"))),
        _workshops),
    Spec("seats", N_("Coworking seat occupancy per zone and slot"), (
        EVENT, C("space", N_("Coworking zone")), C("slot", N_("Slot")), C("day", N_("Day")),
        C("hour", N_("Time")), C("seats", N_("Seats"), "integer"),
        C("booked", N_("Booked"), "integer"), C("occupancy", N_("Occupancy"), "number", SHARE)),
        _seats),
    Spec("survey", N_("Survey answers"), (
        C("question", N_("Survey question")), C("answer", N_("Answer")),
        C("count", N_("People"), "integer"),
        C("answered", N_("Answers to the question"), "integer"),
        C("share", N_("Share of those who answered"), "number", SHARE)), _survey),
    Spec("budget", N_("A draft budget"), (
        C("scenario", N_("Scenario")), C("formula", N_("Formula")),
        C("respondents", N_("Respondents"), "integer"),
        C("users", N_("Expected members"), "number"), C("price", N_("Price"), "number"),
        C("amount", N_("Per month"), "number"), C("share", N_("Share"), "number", SHARE)),
        _budget),
    Spec("checklist", N_("Checklist against the site criteria"), (
        C("criterion", N_("Criterion")), C("status", N_("Status of the criterion"))),
        _checklist),
)
CONTACTS = Spec("contacts", N_("People who agreed to be contacted (personal data: do not "
                               "publish)"), (
    C("pseudonym", N_("Pseudonym"), description=N_(
        "the participant's pseudonym in the open-data export of the event (popup export)")),
    EVENT, C("name", N_("Name")), C("email", N_("E-mail address")),
    C("commune", N_("Commune of residence")),
    C("profile", N_("Profile")), C("roles", N_("Roles")), C("events", N_("Events"))),
    lambda rows: rows)


def report_tables(summary: dict[str, Any]) -> list[Table]:
    return [localise(spec, summary) for spec in SPECS]
