"""The draft budget of a permanent place, as three scenarios a funder can check by hand.

Who is counted: the people (once each, across events) who answered the frequency question
and live in the catchment area (the kit's ``[report] catchment``, by default the venue's
commune); visitors from outside would not be members. Each answer maps to the formula
the person would most likely buy: 16 or more days a month the full-time pass, 8 or more
the two-days-a-week pass, 4 or more the one-day-a-week pass, fewer a day pass for each
day they said (occasional users at their stated frequency, even a few times a year).

Stated intentions are not use: each band is multiplied by a share that turns into use
(``uptake_weekly`` for the monthly passes, ``uptake_occasional`` for the day passes; the
kit sets the central case). The three scenarios:

| scenario | share of intentions | price used |
|---|---|---|
| prudent | half the central share | the lower of the kit's price and the median accepted price |
| central | the kit's share | the median accepted price (the kit's when fewer than 3 answered) |
| optimiste | one and a half times the central share (at most all) | the kit's price |

Charges are the kit's ``monthly_charges`` plus a facilitator post (``facilitator_monthly``).
Each scenario says how many members would be needed to break even at its average
revenue per member, and what share of the charges a subsidy would have to cover.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..kit import DEFAULTS_BUDGET
from .folding import MIN_GROUP, OTHER, small

WEEKLY = 4
WORKING_DAYS = 21
SCENARIOS = (("prudent", 0.5, "lower"), ("central", 1.0, "accepted"),
             ("optimiste", 1.5, "kit"))
# Passes in the order of the budget table: (formula, kit price key, lowest days a month).
PASSES = (("month_full_time", "price_month_full_time", 16),
          ("month_two_days_a_week", "price_month_two_days_a_week", 8),
          ("month_one_day_a_week", "price_month_one_day_a_week", WEEKLY))


def num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def prices(kit: dict[str, float], accepted: dict[str, Any], source: str) -> dict[str, float]:
    """The price of each formula in a scenario. The month question asks about the
    full-time pass; the part-time passes follow it in proportion."""
    day = accepted.get("day")
    month = accepted.get("month")
    ratio = month / kit["price_month_full_time"] if month and kit["price_month_full_time"] else None
    out = {"price_day": kit["price_day"]}
    out.update({key: kit[key] for _, key, _ in PASSES})
    if source == "kit":
        return out
    if day is not None:
        out["price_day"] = min(day, out["price_day"]) if source == "lower" else day
    if ratio is not None:
        for _, key, _ in PASSES:
            asked = kit[key] * ratio
            out[key] = min(asked, kit[key]) if source == "lower" else asked
    return out


def _lines(months: list[float], price: dict[str, float], weekly: float,
           occasional: float) -> list[dict[str, Any]]:
    lines = []
    for formula, key, low in PASSES:
        high = min((lo for _, _, lo in PASSES if lo > low), default=math.inf)
        respondents = sum(1 for m in months if low <= m < high)
        users = respondents * weekly
        lines.append({"formula": formula, "respondents": respondents, "users": num(users),
                      "price": num(price[key]), "amount": num(users * price[key])})
    rare = [m for m in months if 0 < m < WEEKLY]
    days = sum(rare) * occasional
    lines.append({"formula": "day", "respondents": len(rare), "users": num(len(rare) * occasional),
                  "days": num(days), "price": num(price["price_day"]),
                  "amount": num(days * price["price_day"])})
    return lines


def fold_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lines standing for fewer than 3 respondents go together into one "other" line,
    as every breakdown of the report does."""
    kept = [line for line in lines if line["respondents"] >= MIN_GROUP]
    few = [line for line in lines if 0 < line["respondents"] < MIN_GROUP]
    if few:
        kept.append({"formula": OTHER, "respondents": sum(x["respondents"] for x in few),
                     "users": num(sum(x["users"] for x in few)), "price": None,
                     "amount": num(sum(x["amount"] for x in few))})
    return kept


def scenario(name: str, factor: float, source: str, months: list[float],
             kit: dict[str, float], accepted: dict[str, Any]) -> dict[str, Any]:
    weekly = min(1.0, kit["uptake_weekly"] * factor)
    occasional = min(1.0, kit["uptake_occasional"] * factor)
    price = prices(kit, accepted, source)
    lines = _lines(months, price, weekly, occasional)
    revenue = sum(line["amount"] for line in lines)
    members = sum(line["users"] for line in lines)
    charges = kit["monthly_charges"] + kit["facilitator_monthly"]
    per_member = revenue / members if members else 0
    return {
        "name": name,
        "assumptions": {"price": source, "prices": {k: num(v) for k, v in price.items()},
                        "uptake": {"weekly": round(weekly, 3),
                                   "occasional": round(occasional, 3)},
                        "residents_only": True, "occasional_at_stated_frequency": True},
        "lines": fold_lines(lines), "members": num(members), "revenue": num(revenue),
        "charges": num(charges), "balance": num(revenue - charges),
        "members_to_break_even": math.ceil(round(charges / per_member, 6)) if per_member
        else None,
        "subsidy_share": round(max(0.0, charges - revenue) / charges, 3) if charges else None,
        "desk_days_per_month": num(sum(m * (weekly if m >= WEEKLY else occasional)
                                       for m in months if m > 0)),
    }


def budget(months: Iterable[tuple[float, bool]], kit_budget: dict[str, float],
           accepted: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """``months``: each respondent's visits a month and whether they live in the
    catchment; ``accepted``: median accepted prices per formula (None under 3 answers);
    ``source``: the kit the prices and charges come from (``slug``, ``name``)."""
    kit = {**DEFAULTS_BUDGET, **kit_budget}
    answers = list(months)
    residents = [m for m, inside in answers if inside]
    scenarios = [scenario(name, factor, price, residents, kit, accepted)
                 for name, factor, price in SCENARIOS]
    central = scenarios[1]
    occupancy = kit["occupancy_target"]
    days = central["desk_days_per_month"]
    return {
        "kit": source,
        "respondents": len(answers), "residents": small(len(residents)),
        "outside_catchment": small(len(answers) - len(residents)),
        "lines": central["lines"], "revenue": central["revenue"],
        "charges": central["charges"], "balance": central["balance"],
        "monthly_charges": num(kit["monthly_charges"]),
        "facilitator_monthly": num(kit["facilitator_monthly"]),
        "members_to_break_even": central["members_to_break_even"],
        "subsidy_share": central["subsidy_share"],
        "desk_days_per_month": days,
        "seats_needed": math.ceil(days / (WORKING_DAYS * occupancy)) if occupancy else None,
        "prices": {key: num(value) for key, value in kit.items() if key.startswith("price_")},
        "occupancy_target": occupancy, "working_days": WORKING_DAYS,
        "scenarios": scenarios,
    }
