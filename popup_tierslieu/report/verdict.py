"""The report's first page: a verdict a mayor can read in one minute, drawn from the
published figures (``summary.json``) only, so that it can never say more than they do.

It returns facts and the keys of sentences; the templates word them in the report's
language. Every fact carries its n, and the caveats say what the figures cannot tell.
"""

from __future__ import annotations

from typing import Any

from . import compute

# A service "most wanted" is among the first three asked for.
TOP_SERVICES = 3
TOP_COMMUNES = 3


def _share(part: int | None, whole: int | None) -> float | None:
    return compute.rate(part or 0, whole or 0)


def _core(summary: dict[str, Any]) -> dict[str, Any]:
    """Counts of 1 or 2 people are ``None`` in the summary (never shown alone)."""
    frequency, core = summary["frequency"], summary["core"]
    return {"weekly": core["weekly"], "residents": core.get("residents"),
            "answered": frequency["answered"], "target": compute.CORE_TARGET,
            "occasional": frequency["occasional"], "rare": frequency.get("rare")}


def _services(summary: dict[str, Any]) -> dict[str, Any]:
    question = next((q for q in summary["survey"] if q["measure"] == "services"), None)
    answered = question["answered"] if question else 0
    rows = [r for r in summary["services"] if r["key"] != compute.OTHER][:TOP_SERVICES]
    return {"answered": answered,
            "top": [{"label": r["label"], "count": r["count"],
                     "share": _share(r["count"], answered)} for r in rows]}


def _prices(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Per formula asked in the survey: the median accepted against the budget's price."""
    in_budget = summary["budget"]["prices"]
    kit_price = {"half_day": in_budget.get("price_half_day"),
                 "day": in_budget.get("price_day"),
                 "month": in_budget.get("price_month_full_time")}
    return [{"formula": formula, "n": p["n"], "median": p["median"],
             "kit": kit_price.get(formula)}
            for formula, p in summary["prices_asked"].items() if p["median"] is not None]


def _origin(summary: dict[str, Any]) -> dict[str, Any]:
    registered = summary["registered"]
    rows = [r for r in summary["communes"] if r["key"] not in (compute.OTHER, "")]
    within = summary["commute"].get("within_criterion")
    catchment = summary["catchment"]
    return {"registered": registered, "communes": len(summary["communes"]),
            "catchment": catchment["communes"], "residents": catchment["residents"],
            "residents_share": _share(catchment["residents"], registered),
            "top": [{"label": r["label"], "count": r["count"],
                     "share": _share(r["count"], registered)} for r in rows[:TOP_COMMUNES]],
            "within": within, "commute_n": summary["commute"]["n"],
            "minutes": compute.CATCHMENT_MINUTES,
            "within_share": _share(within, summary["commute"]["n"])}


def tone(core: dict[str, Any]) -> str:
    """"promising" when the core the study asks for is there among the residents of the
    catchment (visitors from elsewhere would not be regulars), "fragile" when fewer,
    "too_early" when too few answered to tell."""
    if core["answered"] < compute.SURVEY_SAMPLE:
        return "too_early"
    return "promising" if (core["residents"] or 0) >= core["target"] else "fragile"


def next_steps(summary: dict[str, Any], facts: dict[str, Any]) -> list[dict[str, Any]]:
    """Three steps, the most pressing first, each built on a figure of the report."""
    steps: list[dict[str, Any]] = []
    core, helpers = facts["core"], facts["help"]
    if facts["tone"] == "too_early":
        steps.append({"key": "survey_more", "answered": core["answered"],
                      "sample": compute.SURVEY_SAMPLE})
    if helpers["volunteers"]:  # None for 1 or 2: too few to found a group
        steps.append({"key": "gather_volunteers", "volunteers": helpers["volunteers"],
                      "reachable": helpers["contact_optins"]})
    else:
        steps.append({"key": "find_carriers", "volunteers": helpers["volunteers"]})
    gaps = [p for p in facts["prices"] if p["kit"] and p["median"] < p["kit"]]
    budget = summary["budget"]
    if budget["subsidy_share"]:
        steps.append({"key": "fund", "share": budget["subsidy_share"],
                      "members": budget["members_to_break_even"]})
    if gaps:
        steps.append({"key": "test_price", **gaps[0]})
    if facts["services"]["top"]:
        steps.append({"key": "open_with_services",
                      "services": [s["label"] for s in facts["services"]["top"][:2]]})
    if facts["tone"] == "fragile":
        steps.append({"key": "grow_core", "weekly": core["residents"], "target": core["target"]})
    steps.append({"key": "check_site"})
    return steps[:3]


def verdict(summary: dict[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "registered": summary["registered"], "checked_in": summary["checked_in"],
        "distinct": summary["people"]["distinct"], "events": len(summary["events"]),
        "core": _core(summary), "services": _services(summary), "prices": _prices(summary),
        "origin": _origin(summary),
        "help": {"volunteers": summary["volunteers"],
                 "contact_optins": summary["contact_optins"],
                 "unreachable": summary.get("contacts", {}).get("unreachable_volunteers")},
    }
    facts["tone"] = tone(facts["core"])
    facts["response_rate"] = _share(facts["core"]["answered"], summary["registered"])
    facts["steps"] = next_steps(summary, facts)
    return facts
