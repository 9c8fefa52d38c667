"""The report's words in its language: numbers, percentages, euros and dates (Babel),
value bands and scale points written out, the names of budget formulas and of the site
criteria. Shared by the HTML and Markdown reports and by the report's CSV files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from .. import i18n
from ..errors import N_
from . import compute, territory

UNITS = {"price": "\u00a0€", "commute": "\u00a0min"}
FORMULAS = {"month_full_time": N_("Full-time monthly pass"),
            "month_two_days_a_week": N_("Monthly pass, two days a week"),
            "month_one_day_a_week": N_("Monthly pass, one day a week"),
            "day": N_("Day passes"), "half_day": N_("Half-day"), "month": N_("Month")}
STATUSES = {"met": N_("Met"), "not_met": N_("Not met"), "unknown": N_("Unknown")}
# The formulas the survey asks a price for: as a heading, and within a sentence.
PRICE_NAMES = {"half_day": N_("Half-day"), "day": N_("Day"), "month": N_("Monthly pass")}
PRICES_IN_TEXT = {"half_day": N_("half-day"), "day": N_("day"), "month": N_("monthly pass")}


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


def pct_exact(value: Any) -> str:
    """A share set by hand (a kit's 12.5 %), shown as set rather than rounded."""
    if value is None:
        return "–"
    return format_percent(round(value, 4), locale=i18n.current.get(), decimal_quantization=False)


def few(value: Any) -> str:
    """A count of people; ``None`` stands for a group of 1 or 2, never shown alone."""
    return i18n.gettext("fewer than 3") if value is None else num(value)


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


def population_band(key: str) -> str:
    """A population class (territory.POPULATION_CLASSES) in words, its bounds written as
    numbers of the report's language: "moins de 500 habitants", "500 à 1 999 habitants",
    "20 000 habitants et plus"."""
    low: int | None = 0
    for high, band in territory.POPULATION_CLASSES:
        if band == key:
            break
        low = high
    else:
        return key
    if high is None:
        return i18n.gettext("%(low)s inhabitants or more") % {"low": num(low)}
    if not low:
        return i18n.gettext("fewer than %(high)s inhabitants") % {"high": num(high)}
    return i18n.gettext("%(low)s to %(high)s inhabitants") % {"low": num(low),
                                                               "high": num(high - 1)}


# Words for the points of a 1-5 scale, the kit giving only its bounds.
SCALE_WORDS = {1: N_("not at all"), 2: N_("a little"), 3: N_("moderately"), 4: N_("a lot"),
               5: N_("very much")}


def scale_label(value: str, low: int | None, high: int | None) -> str:
    point = int(float(value))
    if (low, high) == (1, 5):
        return f"{point} · {i18n.gettext(SCALE_WORDS[point])}"
    words = {low: N_("the least"), high: N_("the most")}.get(point)
    return f"{point} · {i18n.gettext(words)}" if words else str(point)




def survey_label(question: dict[str, Any]) -> Callable[[dict[str, Any]], str]:
    """How a survey question names its rows: choices by their label, bands with their
    unit, scale points with words."""
    def name(row: dict[str, Any]) -> str:
        if row["key"] in (compute.OTHER, compute.WRITTEN):
            return label_of(row)
        if question["kind"] == "scale":
            return scale_label(row["key"], question.get("min", 1), question.get("max", 5))
        if question["kind"] == "number":
            return band_label(row["key"], UNITS.get(question["measure"] or "", ""))
        return label_of(row)
    return name
