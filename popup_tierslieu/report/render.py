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

from .. import i18n, territory_key
from ..domain import identity
from . import compute
from .charts import bars, charts, pairs
from .docs_bundle import write_bundle
from .export import Field, write_csv
from .source import EventData
from .verdict import verdict
from .wording import day, euros, hour, label_of, md, num, pct, share, when

Step = Callable[[str], None]
SCHEMA_VERSION = 2


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
