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
from . import compute, contacts, territory
from .charts import charts
from .docs_bundle import write_bundle
from .export import datapackage, write_csv
from .folding import small
from .source import EventData
from .tables import CONTACTS, SCENARIOS, localise, report_tables
from .verdict import verdict
from .wording import (
    FORMULAS,
    PRICE_NAMES,
    PRICES_IN_TEXT,
    STATUSES,
    day,
    euros,
    few,
    hour,
    label_of,
    md,
    num,
    pct,
    pct_exact,
    population_band,
    share,
    when,
)

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
                       day=day, when=when, share=share, few=few,
                       pct_exact=pct_exact, population_band=population_band)
    return env


HTML = _environment(True)
MARKDOWN = _environment(False)


# ------------------------------------------------------------------ writing
def _translated(names: dict[str, str]) -> dict[str, str]:
    return {key: i18n.gettext(name) for key, name in names.items()}


def _docs_bundles(events: list[EventData], out: Path) -> dict[str, str]:
    """The documentation bundle of each event, written beside the report so its link
    works offline."""
    links = {}
    for event in events:
        path = write_bundle(event.folder, out / f"docs-{event.kit.event.slug}")
        links[event.kit.event.slug] = os.path.relpath(path, out)
    return links


def build_summary(events: list[EventData], lang: str, budget_event: EventData | None = None,
                  key: bytes | None = None,
                  communes: territory.Communes | None = None) -> dict[str, Any]:
    """``budget_event``: the event whose kit gives the budget's prices and charges (by
    default the first given); ``key``: the territory key behind the keyed hash of people;
    ``communes``: the organiser's list of communes, over the shipped one."""
    key = key or territory_key.load()
    raws = [compute.gather(e.kit, e.tables, key, lang) for e in events]
    source = budget_event or events[0]
    summary = compute.summarize(raws, source.kit.budget, {
        "slug": source.kit.event.slug, "name": source.kit.event.name.get(lang)},
        territory.official(communes))
    return {"schema": SCHEMA_VERSION, "lang": lang,
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), **summary}


def _write_tables(events: list[EventData], summary: dict[str, Any],
                  persons: list[contacts.Person], out: Path) -> list[Path]:
    """The report's CSV files, ``contacts.csv`` (readable by its owner only) and the
    ``datapackage.json`` that describes them."""
    items = report_tables(summary)
    written = [write_csv(out / f"{t.name}.csv", t.fields, t.rows) for t in items]
    people = localise(CONTACTS, contacts.rows(persons, i18n.gettext))
    written.append(write_csv(out / "contacts.csv", people.fields, people.rows))
    os.chmod(written[-1], 0o600)
    kit = events[0].kit
    package = datapackage(f"{kit.event.slug}-report",
                          " · ".join([i18n.gettext("Appetite report"),
                                      *(e["name"] for e in summary["events"])]),
                          kit.licence, [*items, people])
    path = out / "datapackage.json"
    path.write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    return [*written, path]


def write_report(events: list[EventData], out: Path, lang: str = "fr",
                 step: Step = lambda name: None,
                 budget_from: EventData | None = None,
                 communes: territory.Communes | None = None) -> list[Path]:
    token = i18n.current.set(lang)
    try:
        out.mkdir(parents=True, exist_ok=True)
        key = territory_key.load()
        summary = build_summary(events, lang, budget_from, key, communes)
        persons = contacts.people(events, key)
        summary["contacts"] = {
            "listed": small(sum(1 for p in persons if p.optin)),
            "unreachable_volunteers": contacts.unreachable_volunteers(persons)}
        step("figures")
        bundles = _docs_bundles(events, out)
        summary["notes"]["bundles"] = bundles
        written = [out / "summary.json"]
        written[0].write_text(json.dumps(summary, ensure_ascii=False, indent=1),
                              encoding="utf-8")
        context = {"s": summary, "c": charts(summary), "verdict": verdict(summary),
                   "sample": compute.SURVEY_SAMPLE, "lang": lang, "docs": bundles,
                   "core_target": compute.CORE_TARGET,
                   "catchment_minutes": compute.CATCHMENT_MINUTES,
                   "event_names": {e["slug"]: e["name"] for e in summary["events"]},
                   "several_days": any(e["start_date"] != e["end_date"]
                                       for e in summary["events"]),
                   "licence": events[0].kit.licence_name, "territory": len(events) > 1,
                   "formulas": _translated(FORMULAS), "statuses": _translated(STATUSES),
                   "scenario_names": _translated(SCENARIOS),
                   "price_names": _translated(PRICE_NAMES),
                   "step_prices": _translated(PRICES_IN_TEXT)}
        for name, env in (("report.html", HTML), ("report.md", MARKDOWN)):
            path = out / name
            path.write_text(env.get_template(name).render(**context), encoding="utf-8")
            written.append(path)
            step(name)
        written += _write_tables(events, summary, persons, out)
        step("csv")
        return written
    finally:
        i18n.current.reset(token)
