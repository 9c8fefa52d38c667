"""Load and validate kits: the TOML file that describes one pop-up event.

A kit is read with the standard library's ``tomllib``; validation collects every
problem (not just the first), each with the line it is on and a fix, so that
``popup kit check`` can print them all at once.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .domain.communes import DEPARTEMENT, departements_of_postcode
from .errors import KitError

LANGUAGES = ("fr", "en")
SURVEY_KINDS = ("single", "multiple", "scale", "text", "number")
MEASURES = ("frequency", "services", "price", "volunteer", "commute", "work_mode")
PRICE_FORMULAS = ("half_day", "day", "month")
SPACE_KINDS = ("coworking", "meeting", "fablab", "other")
LICENCES = {
    "CC-BY-SA-4.0": "Creative Commons Attribution-ShareAlike 4.0 International",
    "CC-BY-4.0": "Creative Commons Attribution 4.0 International",
    "CC0-1.0": "Creative Commons Zero 1.0 Universal (public domain dedication)",
}
WIFI_SECURITY = ("WPA", "WEP", "nopass")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class Localized:
    """A text written by the organiser in French, with an optional English version."""

    fr: str
    en: str | None = None

    def get(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.fr

    def __str__(self) -> str:
        return self.fr


@dataclass(frozen=True)
class Event:
    name: Localized
    slug: str
    start_date: dt.date
    end_date: dt.date
    timezone: str
    languages: tuple[str, ...]
    organiser: str
    description: Localized
    # An image file (absolute path once checked) drawn in the centre of the portal QR.
    logo: str = ""

    @property
    def days(self) -> list[dt.date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + dt.timedelta(days=i) for i in range(count)]


@dataclass(frozen=True)
class Venue:
    name: str
    address: str
    commune: str


@dataclass(frozen=True)
class Wifi:
    ssid: str
    password: str
    security: str
    hidden: bool = False


@dataclass(frozen=True)
class Space:
    id: str
    name: Localized
    kind: str
    seats: int


@dataclass(frozen=True)
class Slot:
    id: str
    label: Localized
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Workshop:
    id: str
    title: Localized
    room: str
    host: str
    capacity: int
    start: dt.datetime
    end: dt.datetime
    description: Localized = Localized("")
    cancelled: bool = False
    kind: str = "workshop"


@dataclass(frozen=True)
class Choice:
    id: str
    label: Localized
    per_month: float | None = None
    # Answers of several events are merged when their labels match; this names another
    # kit's choice id this one means when the wording differs.
    merge_as: str | None = None


@dataclass(frozen=True)
class SurveyQuestion:
    id: str
    question: Localized
    kind: str
    choices: tuple[Choice, ...] = ()
    required: bool = False
    measure: str | None = None
    formula: str | None = None
    min: int | None = None
    max: int | None = None
    merge_as: str | None = None

    def choice_ids(self) -> set[str]:
        return {c.id for c in self.choices}


@dataclass(frozen=True)
class Charter:
    text: Localized
    required: bool


@dataclass(frozen=True)
class ChecklistItem:
    time: str
    label: Localized


@dataclass(frozen=True)
class Rules:
    """How bookings and registration behave; every key has a default."""

    # Minutes after a workshop's start when its bookings close (None: at its end).
    closes_after_start: int | None = None
    # People one phone may register besides its owner (a parent with a child, a couple).
    companions: int = 3


@dataclass(frozen=True)
class Kit:
    event: Event
    venue: Venue
    wifi: Wifi
    profiles: tuple[str, ...]
    spaces: tuple[Space, ...]
    slots: tuple[Slot, ...]
    workshops: tuple[Workshop, ...]
    swap_categories: tuple[str, ...]
    desk_requests: tuple[str, ...]
    survey: tuple[SurveyQuestion, ...]
    charter: Charter
    licence: str
    budget: dict[str, float]
    checklist: tuple[ChecklistItem, ...]
    source: str = "<default>"
    text: str = field(default="", repr=False)
    rules: Rules = Rules()
    # Communes whose residents the budget counts (the catchment area, "bassin de vie").
    catchment: tuple[str, ...] = ()
    # The venue's département ("38", "2A", "974"; "" when unknown): of the many communes
    # that share a name, the report codes the one in this département.
    departement: str = ""

    def workshop(self, workshop_id: str) -> Workshop | None:
        return next((w for w in self.workshops if w.id == workshop_id), None)

    def space(self, space_id: str) -> Space | None:
        return next((s for s in self.spaces if s.id == space_id), None)

    def slot(self, slot_id: str) -> Slot | None:
        return next((s for s in self.slots if s.id == slot_id), None)

    def question(self, question_id: str) -> SurveyQuestion | None:
        return next((q for q in self.survey if q.id == question_id), None)

    @property
    def coworking_spaces(self) -> tuple[Space, ...]:
        return tuple(s for s in self.spaces if s.kind == "coworking")

    @property
    def licence_name(self) -> str:
        return LICENCES[self.licence]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a kit: where it is, what is wrong, how to fix it."""

    path: str
    message: str
    fix: str
    line: int | None = None
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def say(self, lang: str | None = None) -> tuple[str, str]:
        """(what is wrong, how to fix it) in the organiser's language."""
        from . import i18n

        return (i18n.translate(self.message, self.params, lang),
                i18n.translate(self.fix, self.params, lang))

    def __str__(self) -> str:
        message, fix = self.say("en")
        where = f"line {self.line}" if self.line else "kit"
        return f"{where}: {self.path}: {message} (fix: {fix})"


DEFAULTS_BUDGET = {
    "price_half_day": 10.0,
    "price_day": 15.0,
    "price_month_one_day_a_week": 50.0,
    "price_month_two_days_a_week": 80.0,
    "price_month_full_time": 160.0,
    "monthly_charges": 1500.0,
    "occupancy_target": 0.7,
    # A facilitator post (the concierge of the permanent place), on top of monthly_charges:
    # most tiers-lieux pay one, so the report shows it apart; 0 leaves it out.
    "facilitator_monthly": 0.0,
    # The central share of stated intentions that turn into use, per frequency band.
    "uptake_weekly": 0.5,
    "uptake_occasional": 0.25,
}
# Budget keys that are shares between 0 and 1.
BUDGET_SHARES = ("occupancy_target", "uptake_weekly", "uptake_occasional")
# Programme entries that are not workshops: kept out of the report's demand signals.
WORKSHOP_KINDS = ("workshop", "meal", "plenary", "break")

_SECTIONS: dict[str, set[str]] = {
    "event": {"name", "slug", "start_date", "end_date", "timezone", "languages", "organiser",
              "description", "logo"},
    "venue": {"name", "address", "commune"},
    "wifi": {"ssid", "password", "security", "hidden"},
    "participants": {"profiles", "companions"},
    "bookings": {"closes_after_start"},
    "spaces": {"id", "name", "kind", "seats"},
    "slots": {"id", "label", "start", "end"},
    "workshops": {"id", "title", "room", "host", "capacity", "start", "end", "description",
                  "kind"},
    "swap": {"categories"},
    "desk": {"requests"},
    "survey": {"id", "question", "kind", "choices", "required", "measure", "formula", "min",
               "max", "merge_as"},
    "charter": {"text", "required"},
    "docs": {"licence"},
    "budget": set(DEFAULTS_BUDGET),
    "report": {"catchment", "departement"},
    "checklist": {"time", "label"},
}
_ARRAYS = {"spaces", "slots", "workshops", "survey", "checklist"}
_LOCALIZED = {"name", "description", "label", "title", "question", "text"}


class _Locator:
    """Finds the line of a key in the TOML text, for messages a person can act on."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def line(self, section: str, index: int | None = None, key: str | None = None) -> int | None:
        header = re.compile(
            rf"^\s*\[\[\s*{re.escape(section)}\s*\]\]" if index is not None
            else rf"^\s*\[\s*{re.escape(section)}\s*\]"
        )
        seen = -1
        start = None
        for number, text in enumerate(self.lines):
            if header.match(text):
                seen += 1
                if index is None or seen == index:
                    start = number
                    break
        if start is None:
            return None
        if key is None:
            return start + 1
        key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number in range(start + 1, len(self.lines)):
            text = self.lines[number]
            if re.match(r"^\s*\[", text):
                break
            if key_re.match(text):
                return number + 1
        return start + 1


class _Checker:
    def __init__(self, data: dict[str, Any], text: str, folder: Path = Path(".")) -> None:
        self.data = data
        # Where files the kit names (the logo) are looked for: beside the kit file.
        self.folder = folder
        self.locate = _Locator(text)
        self.problems: list[Problem] = []

    def problem(self, section: str, index: int | None, key: str | None, message: str,
                fix: str, **params: Any) -> None:
        """Record a problem; ``message`` and ``fix`` are message ids, ``params`` fill them."""
        path = section + (f"[{index + 1}]" if index is not None else "") + (
            f".{key}" if key else "")
        self.problems.append(Problem(path, message, fix, self.locate.line(section, index, key),
                                     {"key": key, **params}))

    def table(self, name: str, required: bool = True) -> dict[str, Any]:
        value = self.data.get(name)
        if value is None:
            if required:
                self.problem(name, None, None, "section missing", "add a [%(name)s] section",
                             name=name)
            return {}
        if not isinstance(value, dict):
            self.problem(name, None, None, "must be a table", "write it as [%(name)s]", name=name)
            return {}
        self.unknown_keys(name, None, value)
        return value

    def array(self, name: str) -> list[dict[str, Any]]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(name, None, None, "must be a list of tables",
                         "write each entry under its own [[%(name)s]] header", name=name)
            return []
        for index, entry in enumerate(value):
            self.unknown_keys(name, index, entry)
        return value

    def unknown_keys(self, section: str, index: int | None, table: dict[str, Any]) -> None:
        known = _SECTIONS[section]
        for key in table:
            base = key[:-3] if key.endswith("_en") and key[:-3] in _LOCALIZED else key
            if base not in known:
                self.problem(section, index, key, "unknown key",
                             "check the spelling; known keys: %(known)s",
                             known=", ".join(sorted(known)))

    def text(self, section: str, index: int | None, table: dict[str, Any], key: str,
             required: bool = True, max_len: int = 200) -> Localized:
        value = table.get(key)
        english = table.get(key + "_en")
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(section, index, key, "missing", 'add %(key)s = "..."')
            return Localized("")
        if not isinstance(value, str):
            self.problem(section, index, key, "must be text",
                         'write %(key)s = "..." in quotes')
            return Localized("")
        if len(value) > max_len:
            self.problem(section, index, key, "longer than %(max)s characters", "shorten it",
                         max=max_len)
        if english is not None and not isinstance(english, str):
            self.problem(section, index, key + "_en", "must be text",
                         'write %(key)s = "..." in quotes')
            english = None
        return Localized(value.strip(), english.strip() if english else None)

    def ident(self, section: str, index: int, table: dict[str, Any], seen: set[str]) -> str:
        value = table.get("id")
        if not isinstance(value, str) or not _ID.match(value):
            self.problem(section, index, "id", "missing or not a short identifier",
                         'use lowercase letters, digits and dashes, e.g. id = "atelier-1"')
            return f"?{index}"
        if value in seen:
            self.problem(section, index, "id", '"%(value)s" is used twice',
                         "give each entry its own id", value=value)
        seen.add(value)
        return value

    def integer(self, section: str, index: int | None, table: dict[str, Any], key: str,
                low: int, high: int, default: int | None = None) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(section, index, key, "must be a whole number",
                         "write %(key)s = %(example)s (no quotes)",
                         example=min(max(low, 10), high))
            return low
        if not low <= value <= high:
            self.problem(section, index, key, "must be between %(low)s and %(high)s",
                         "choose a value from %(low)s to %(high)s", low=low, high=high)
        return value

    def moment(self, section: str, index: int, table: dict[str, Any], key: str) -> dt.datetime:
        value = table.get(key)
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                self.problem(section, index, key, "must be a local time without a time zone",
                             "remove the offset; the zone is [event].timezone")
                return value.replace(tzinfo=None)
            return value
        self.problem(section, index, key, "must be a date and time",
                     "write %(key)s = 2026-06-12T10:30:00 (no quotes)")
        return dt.datetime(1970, 1, 1)

    def within_event(self, section: str, index: int, key: str, moment: dt.datetime,
                     event: Event | None) -> None:
        if event and moment.year > 1970 and not (
                event.start_date <= moment.date() <= event.end_date):
            self.problem(section, index, key, "is outside the event's dates",
                         "use a day from %(start)s to %(end)s", start=event.start_date,
                         end=event.end_date)


def _event(c: _Checker) -> Event | None:
    t = c.table("event")
    name = c.text("event", None, t, "name", max_len=120)
    slug = t.get("slug")
    if not isinstance(slug, str) or not re.match(r"^[a-z0-9][a-z0-9-]{1,62}$", slug):
        c.problem("event", None, "slug", "missing or not a short name for folders and URLs",
                  'use lowercase letters, digits and dashes, e.g. slug = "forum-2026"')
        slug = "event"
    dates = []
    for key in ("start_date", "end_date"):
        value = t.get(key)
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            c.problem("event", None, key, "must be a date",
                      "write %(key)s = 2026-06-12 (no quotes, no time)")
            value = None
        dates.append(value)
    start, end = dates
    if start and end:
        if end < start:
            c.problem("event", None, "end_date", "is before start_date",
                      "put the last day of the event")
        elif (end - start).days > 2:
            c.problem("event", None, "end_date", "a pop-up lasts 1 to 3 days",
                      "split a longer event into several kits")
    timezone = t.get("timezone", "Europe/Paris")
    try:
        zoneinfo.ZoneInfo(str(timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        c.problem("event", None, "timezone", 'unknown time zone "%(value)s"',
                  'use a name such as "Europe/Paris"', value=timezone)
        timezone = "Europe/Paris"
    languages = t.get("languages", ["fr", "en"])
    if not isinstance(languages, list) or not languages or any(
            lang not in LANGUAGES for lang in languages):
        c.problem("event", None, "languages", "must list languages among fr and en",
                  'write languages = ["fr", "en"]')
        languages = ["fr", "en"]
    description = c.text("event", None, t, "description", required=False, max_len=2000)
    organiser = t.get("organiser", "")
    logo = _logo(c, t.get("logo"))
    if not start or not end:
        return None
    return Event(name, slug, start, end, str(timezone), tuple(languages), str(organiser),
                 description, logo)


LOGO_TYPES = (".png", ".jpg", ".jpeg", ".webp")
LOGO_MAX_BYTES = 2 * 1024 * 1024


def _logo(c: _Checker, value: Any) -> str:
    """The logo's path, relative to the kit file, as an absolute path ("" without one)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not value.lower().endswith(LOGO_TYPES):
        c.problem("event", None, "logo", "must name a PNG, JPEG or WebP image",
                  'write logo = "logo.png", the file beside the kit')
        return ""
    path = (c.folder / value).resolve()
    try:
        from PIL import Image, UnidentifiedImageError

        if path.stat().st_size > LOGO_MAX_BYTES:
            c.problem("event", None, "logo", "the logo is larger than 2 MB",
                      "export it smaller (a few hundred pixels wide is enough)")
            return ""
        with Image.open(path) as image:
            image.verify()
    except FileNotFoundError:
        c.problem("event", None, "logo", "no image at %(path)s",
                  "put the image beside the kit file, or remove logo", path=str(path))
        return ""
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        c.problem("event", None, "logo", "%(path)s is not an image that can be read",
                  "save it again as PNG or JPEG", path=str(path))
        return ""
    return str(path)


def _wifi(c: _Checker) -> Wifi:
    t = c.table("wifi")
    ssid = t.get("ssid", "")
    if not isinstance(ssid, str) or not 1 <= len(ssid.encode()) <= 32:
        c.problem("wifi", None, "ssid", "the network name must have 1 to 32 bytes",
                  'write ssid = "TiersLieu-MonVillage"')
        ssid = str(ssid)[:32]
    security = t.get("security", "WPA")
    if security not in WIFI_SECURITY:
        c.problem("wifi", None, "security", 'unknown security "%(value)s"',
                  'write security = "WPA" (or "WEP", "nopass")', value=security)
        security = "WPA"
    password = t.get("password", "")
    if not isinstance(password, str):
        c.problem("wifi", None, "password", "must be text", 'write password = "..."')
        password = ""
    if security == "WPA" and not 8 <= len(password) <= 63:
        c.problem("wifi", None, "password", "a WPA password has 8 to 63 characters",
                  "choose a longer password")
    return Wifi(ssid, password, security, bool(t.get("hidden", False)))


def _strings(c: _Checker, section: str, key: str, required: bool) -> tuple[str, ...]:
    t = c.table(section, required=required)
    values = t.get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        c.problem(section, None, key, "must be a list of texts",
                  'write %(key)s = ["...", "..."]')
        return ()
    if required and not values:
        c.problem(section, None, key, "is empty", "list at least one entry in %(key)s")
    if len(set(values)) != len(values):
        c.problem(section, None, key, "has the same entry twice", "remove the repeated entry")
    return tuple(v.strip() for v in values)


def _spaces(c: _Checker) -> tuple[Space, ...]:
    seen: set[str] = set()
    spaces = []
    for i, t in enumerate(c.array("spaces")):
        kind = t.get("kind", "coworking")
        if kind not in SPACE_KINDS:
            c.problem("spaces", i, "kind", 'unknown kind "%(value)s"',
                      "use one of: %(choices)s", value=kind, choices=", ".join(SPACE_KINDS))
        spaces.append(Space(c.ident("spaces", i, t, seen), c.text("spaces", i, t, "name"),
                            str(kind), c.integer("spaces", i, t, "seats", 1, 500)))
    return tuple(spaces)


def _slots(c: _Checker, event: Event | None) -> tuple[Slot, ...]:
    seen: set[str] = set()
    slots = []
    for i, t in enumerate(c.array("slots")):
        slot = Slot(c.ident("slots", i, t, seen), c.text("slots", i, t, "label"),
                    c.moment("slots", i, t, "start"), c.moment("slots", i, t, "end"))
        if slot.end <= slot.start and slot.start.year > 1970:
            c.problem("slots", i, "end", "ends before it starts", "put end after start")
        c.within_event("slots", i, "start", slot.start, event)
        slots.append(slot)
    return tuple(slots)


def _workshops(c: _Checker, event: Event | None, spaces: tuple[Space, ...]) -> tuple[
        Workshop, ...]:
    seen: set[str] = set()
    rooms = {s.id for s in spaces}
    workshops = []
    for i, t in enumerate(c.array("workshops")):
        room = t.get("room", "")
        if room not in rooms:
            c.problem("workshops", i, "room", 'no space has the id "%(value)s"',
                      "use the id of one of the [[spaces]]: %(choices)s", value=room,
                      choices=", ".join(sorted(rooms)))
        host = t.get("host", "")
        kind = t.get("kind", "workshop")
        if kind not in WORKSHOP_KINDS:
            c.problem("workshops", i, "kind", 'unknown kind "%(value)s"',
                      "use one of: %(choices)s", value=kind, choices=", ".join(WORKSHOP_KINDS))
            kind = "workshop"
        w = Workshop(c.ident("workshops", i, t, seen), c.text("workshops", i, t, "title"),
                     str(room), str(host), c.integer("workshops", i, t, "capacity", 1, 1000),
                     c.moment("workshops", i, t, "start"), c.moment("workshops", i, t, "end"),
                     c.text("workshops", i, t, "description", required=False, max_len=2000),
                     kind=str(kind))
        if w.end <= w.start and w.start.year > 1970:
            c.problem("workshops", i, "end", "ends before it starts", "put end after start")
        c.within_event("workshops", i, "start", w.start, event)
        workshops.append(w)
    return tuple(workshops)


def _survey(c: _Checker) -> tuple[SurveyQuestion, ...]:
    seen: set[str] = set()
    questions = []
    for i, t in enumerate(c.array("survey")):
        qid = c.ident("survey", i, t, seen)
        kind = t.get("kind")
        if kind not in SURVEY_KINDS:
            c.problem("survey", i, "kind", 'unknown kind "%(value)s"',
                      "use one of: %(choices)s", value=kind, choices=", ".join(SURVEY_KINDS))
        measure = t.get("measure")
        if measure is not None and measure not in MEASURES:
            c.problem("survey", i, "measure", 'unknown measure "%(value)s"',
                      "use one of: %(choices)s, or remove it", value=measure,
                      choices=", ".join(MEASURES))
        formula = t.get("formula")
        if measure == "price" and formula not in PRICE_FORMULAS:
            c.problem("survey", i, "formula", "a price question needs its formula",
                      "write formula = %(choices)s",
                      choices=" or ".join(f'"{f}"' for f in PRICE_FORMULAS))
        choices = []
        raw = t.get("choices", [])
        if kind in ("single", "multiple"):
            if not isinstance(raw, list) or not raw:
                c.problem("survey", i, "choices", "a choice question needs choices",
                          'write choices = [{ id = "oui", label = "Oui" }, ...]')
                raw = []
            ids: set[str] = set()
            for choice in raw:
                if isinstance(choice, str):
                    choice = {"id": _slugify(choice), "label": choice}
                if not isinstance(choice, dict) or not isinstance(choice.get("label"), str):
                    c.problem("survey", i, "choices", "each choice needs a label",
                              'write { id = "oui", label = "Oui" }')
                    continue
                cid = str(choice.get("id") or _slugify(choice["label"]))
                if cid in ids:
                    c.problem("survey", i, "choices", 'choice id "%(value)s" is used twice',
                              "give each choice its own id", value=cid)
                ids.add(cid)
                per_month = choice.get("per_month")
                if measure == "frequency" and not isinstance(per_month, (int, float)):
                    c.problem("survey", i, "choices",
                              'choice "%(value)s" needs per_month (visits a month)',
                              "add per_month = 4 for once a week, 0 for never", value=cid)
                choices.append(Choice(cid, Localized(choice["label"], choice.get("label_en")),
                                      per_month, _merge_as(c, i, choice.get("merge_as"))))
        low = high = None
        if kind in ("scale", "number"):
            low = c.integer("survey", i, t, "min", -10**6, 10**6, default=1 if
                            kind == "scale" else 0)
            high = c.integer("survey", i, t, "max", -10**6, 10**6, default=5 if
                             kind == "scale" else 1000)
            if low >= high:
                c.problem("survey", i, "max", "must be above min", "raise max or lower min")
        questions.append(SurveyQuestion(
            qid, c.text("survey", i, t, "question", max_len=300), str(kind), tuple(choices),
            bool(t.get("required", False)), measure, formula, low, high,
            _merge_as(c, i, t.get("merge_as"))))
    return tuple(questions)


def _merge_as(c: _Checker, index: int, value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        c.problem("survey", index, "merge_as", "must be the id of another kit's question or "
                  "choice", 'write merge_as = "frequence"')
        return None
    return value.strip()


def _checklist(c: _Checker) -> tuple[ChecklistItem, ...]:
    items = []
    for i, t in enumerate(c.array("checklist")):
        time = t.get("time", "")
        if not isinstance(time, str) or not _TIME.match(time):
            c.problem("checklist", i, "time", "must be an hour such as \"08:30\"",
                      'write time = "08:30" in quotes')
            time = "00:00"
        items.append(ChecklistItem(time, c.text("checklist", i, t, "label")))
    return tuple(sorted(items, key=lambda item: item.time))


def _budget(c: _Checker) -> dict[str, float]:
    t = c.table("budget", required=False)
    budget = dict(DEFAULTS_BUDGET)
    for key, value in t.items():
        if key not in DEFAULTS_BUDGET:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            c.problem("budget", None, key, "must be a number of zero or more",
                      "write %(key)s = %(example)s", example=f"{DEFAULTS_BUDGET[key]:g}")
            continue
        if key in BUDGET_SHARES and value > 1:
            c.problem("budget", None, key, "is a share between 0 and 1",
                      "write %(key)s = 0.7 for 70 %%")
            continue
        budget[key] = float(value)
    return budget


def _departement(c: _Checker, venue: Venue) -> str:
    """``[report] departement``, by default the one of the venue address's postcode."""
    value = c.table("report", required=False).get("departement")
    if value is None:
        postcode = re.search(r"(?<!\d)\d{5}(?!\d)", venue.address)
        found = departements_of_postcode(postcode.group()) if postcode else ()
        return found[0] if len(found) == 1 and DEPARTEMENT.match(found[0]) else ""
    if not isinstance(value, str) or not DEPARTEMENT.match(value.strip().upper()):
        c.problem("report", None, "departement", "is not a French département code",
                  'write departement = "38" (2A or 2B in Corsica, 974 in La Réunion)')
        return ""
    return value.strip().upper()


def _rules(c: _Checker) -> Rules:
    bookings_t = c.table("bookings", required=False)
    closes = None
    if "closes_after_start" in bookings_t:
        closes = c.integer("bookings", None, bookings_t, "closes_after_start", 0, 24 * 60)
    people_t = c.data.get("participants")
    companions = c.integer("participants", None, people_t if isinstance(people_t, dict) else {},
                           "companions", 0, 10, default=Rules.companions)
    return Rules(closes, companions)


def _slugify(text: str) -> str:
    import unicodedata

    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60] or "choix"


def check(data: dict[str, Any], text: str, source: str = "<kit>") -> tuple[Kit | None,
                                                                          list[Problem]]:
    """Validate parsed TOML; return the kit (None if unusable) and every problem found."""
    c = _Checker(data, text, Path(source).parent if not source.startswith("<") else Path("."))
    for key in data:
        if key not in _SECTIONS:
            c.problems.append(Problem(key, "unknown section",
                                      "check the spelling; known sections: %(known)s",
                                      c.locate.line(key, 0 if key in _ARRAYS else None),
                                      {"known": ", ".join(sorted(_SECTIONS))}))
    event = _event(c)
    venue_t = c.table("venue", required=False)
    venue = Venue(str(venue_t.get("name", "")), str(venue_t.get("address", "")),
                  str(venue_t.get("commune", "")))
    wifi = _wifi(c)
    profiles = _strings(c, "participants", "profiles", required=True)
    spaces = _spaces(c)
    slots = _slots(c, event)
    workshops = _workshops(c, event, spaces)
    categories = _strings(c, "swap", "categories", required=False)
    desk = _strings(c, "desk", "requests", required=False)
    survey = _survey(c)
    charter_t = c.table("charter", required=False)
    charter = Charter(c.text("charter", None, charter_t, "text", required=False,
                             max_len=20000), bool(charter_t.get("required", False)))
    docs_t = c.table("docs", required=False)
    licence = docs_t.get("licence", "CC-BY-SA-4.0")
    if licence not in LICENCES:
        c.problem("docs", None, "licence", 'unknown licence "%(value)s"',
                  "use one of: %(choices)s", value=licence, choices=", ".join(LICENCES))
        licence = "CC-BY-SA-4.0"
    budget = _budget(c)
    catchment = _strings(c, "report", "catchment", required=False) or (
        (venue.commune,) if venue.commune else ())
    departement = _departement(c, venue)
    checklist = _checklist(c)
    rules = _rules(c)
    if c.problems or event is None:
        return None, c.problems
    kit = Kit(event, venue, wifi, profiles, spaces, slots, workshops, categories, desk, survey,
              charter, licence, budget, checklist, source, text, rules, catchment=catchment,
              departement=departement)
    return kit, []


def parse(text: str, source: str = "<kit>") -> tuple[Kit | None, list[Problem]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        return None, [Problem("toml", "not valid TOML: %(reason)s",
                              "fix the syntax at that line (quotes, brackets, '=')",
                              int(match.group(1)) if match else None, {"reason": str(exc)})]
    return check(data, text, source)


KIT_COPY = "kit.toml"


def load_event_kit(folder: str | Path) -> Kit:
    """The kit an event ran with: ``popup up`` keeps a copy in the event folder."""
    return load(Path(folder) / KIT_COPY)


def load(path: str | Path) -> Kit:
    """Read and validate a kit file; raise KitError listing every problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KitError("Kit file not found: %(path)s", params={"path": str(path)}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KitError("Cannot read the kit %(path)s: %(reason)s",
                       params={"path": str(path), "reason": str(exc)}) from None
    kit, problems = parse(text, str(path))
    if kit is None:
        raise KitError("The kit %(path)s has %(count)s problem(s); run: popup kit check "
                       "%(path)s", params={"path": str(path), "count": len(problems)})
    return kit


def starter_text(today: dt.date | None = None) -> str:
    """The default kit's commented TOML, its dates set to ``today``."""
    today = today or dt.date.today()
    template = resources.files("popup_tierslieu").joinpath("kits/default.toml").read_text(
        encoding="utf-8")
    return template.replace("{day1}", today.isoformat())


def default_kit(today: dt.date | None = None) -> Kit:
    """The embedded kit that ``popup up`` runs with no file: a one-day event today."""
    kit, problems = parse(starter_text(today), "<default>")
    if kit is None:
        raise KitError("The embedded default kit is invalid: %(problems)s",
                       params={"problems": "; ".join(map(str, problems))})
    return kit
