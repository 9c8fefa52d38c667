"""The figures of the appetite report, computed from an event's tables: no I/O.

Two stages keep the merge of several events exact and the privacy rule in one place:
``gather`` turns one event (its kit and tables) into raw figures (counts, lists of
values, keyed hashes of people); ``merge`` adds raw figures of several events up; and
``summarize`` publishes them: medians, rates, the budget, the site checklist, with
every breakdown of people by something they told us folded so that no group smaller
than ``MIN_GROUP`` can be singled out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import statistics
import unicodedata
import zoneinfo
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..domain import bookings, swap
from ..kit import DEFAULTS_BUDGET, Kit, SurveyQuestion

MIN_GROUP = 3
OTHER = "other"
WRITTEN = "written"
# A weekly user comes at least 4 days a month (the kit's frequency choices say how often).
WEEKLY = 4
# The source study's first step: "start small, about ten regular users".
CORE_TARGET = 10
WORKING_DAYS = 21
# A need "shown by a survey" needs a sample a carrier can quote.
SURVEY_SAMPLE = 10
CATCHMENT_MINUTES = 20
# Tables other parts of the product write; any of them may be missing or empty.
SWAP_POSTS = "swap_posts"
SWAP_MEETINGS = "swap_meetings"
DESK_REQUESTS = "desk_requests"
NOTES = "notes"
PHOTOS = "photos"
# Profiles that hint at a supporting structure (an association or a local authority).
STRUCTURE_HINTS = ("association", "élu", "elu", "collectivit")


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in plain if not unicodedata.combining(c)).casefold().split())


def commune_name(text: str) -> str:
    """One spelling per commune: "  saint-martin " and "Saint-Martin" are the same place."""
    words = " ".join((text or "").split())
    return words[:1].upper() + words[1:] if words else ""


def person_key(participant: dict[str, Any], secret: bytes, event: str = "") -> str:
    """A keyed hash that recognises a person across events without keeping who they are:
    the e-mail when given, else name and commune. The secret lives in memory only.
    Someone whose name and e-mail were purged stays one distinct person of ``event``
    (never matched across events, never merged with their neighbours)."""
    email = _fold(participant.get("email") or "")
    name = _fold(participant.get("name") or "")
    if email:
        basis = email
    elif name:
        basis = f"{name}|{_fold(participant.get('commune') or '')}"
    else:
        basis = f"anonymous|{event}|{participant.get('id')}"
    return hmac.new(secret, basis.encode(), hashlib.sha256).hexdigest()


def _local(stamp: str, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone)


def per_month(question: SurveyQuestion, answer: Any) -> float | None:
    choice = next((c for c in question.choices if c.id == answer), None)
    return choice.per_month if choice is not None else None


@dataclass
class Raw:
    """Raw figures of one event, or of several added up."""

    events: list[dict[str, Any]]
    registered: int
    checked_in: int
    checkins_by_day: Counter[str]
    arrivals: Counter[tuple[str, int]]
    profiles: Counter[str]
    communes: Counter[str]
    people: dict[str, int]
    workshops: list[dict[str, Any]]
    seats: list[dict[str, Any]]
    desk_requests: Counter[str]
    questions: dict[str, dict[str, Any]]
    months: list[float]
    contact_optins: int
    volunteers: int
    structure_profiles: int
    swap: dict[str, Any]
    notes: dict[str, Any]


def _question_entry(q: SurveyQuestion, lang: str) -> dict[str, Any]:
    return {"id": q.id, "question": q.question.get(lang), "kind": q.kind, "measure": q.measure,
            "formula": q.formula, "answered": 0, "min": q.min, "max": q.max,
            "choices": {c.id: c.label.get(lang) for c in q.choices},
            "counts": Counter(), "values": []}


def gather(kit: Kit, tables: dict[str, list[dict[str, Any]]], secret: bytes,
           lang: str = "fr") -> Raw:
    """Raw figures of one event. Rows pointing to a participant who no longer exists
    (deleted their data) are left out everywhere."""
    zone = zoneinfo.ZoneInfo(kit.event.timezone)
    participants = {p["id"]: p for p in tables.get("participants", []) if "id" in p}

    def known(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [r for r in rows if r.get("participant_id") in participants]

    first_arrival: dict[tuple[int, str], dt.datetime] = {}
    checkins_by_day: Counter[str] = Counter()
    for c in known(tables.get("checkins", [])):
        at = _local(c.get("at", ""), zone)
        day = c.get("day") or (at.date().isoformat() if at else "")
        key = (c["participant_id"], day)
        if key in first_arrival or at is None:
            continue
        first_arrival[key] = at
        checkins_by_day[day] += 1
    arrivals = Counter((day, at.hour) for (_, day), at in first_arrival.items())
    came = {pid for pid, _ in first_arrival}

    questions = {q.id: _question_entry(q, lang) for q in kit.survey}
    months: list[float] = []
    volunteers = 0
    for p in participants.values():
        for qid, answer in (p.get("answers") or {}).items():
            q = kit.question(qid)
            if q is None or answer in (None, "", []):
                continue
            entry = questions[qid]
            entry["answered"] += 1
            if q.kind in ("single", "scale"):
                entry["counts"][str(answer)] += 1
            elif q.kind == "multiple":
                entry["counts"].update(str(a) for a in answer)
            if q.kind in ("number", "scale") and isinstance(answer, int | float):
                entry["values"].append(float(answer))
            if q.measure == "frequency":
                month = per_month(q, answer)
                if month is not None:
                    months.append(float(month))
            if q.measure == "volunteer" and answer in ("oui", "yes"):
                volunteers += 1

    profiles = Counter(p.get("profile") or "?" for p in participants.values())
    structure = sum(n for profile, n in profiles.items()
                    if any(hint in _fold(profile) for hint in STRUCTURE_HINTS))

    workshops = []
    registrations = known(tables.get("registrations", []))
    for w in bookings.programme(TableReader(tables), kit):
        mine = [r for r in registrations if r.get("workshop_id") == w.id]
        confirmed = [r for r in mine if r.get("status") == "confirmed"]
        workshops.append({
            "event": kit.event.slug, "id": w.id, "title": w.title.get(lang),
            "start": w.start.isoformat(timespec="minutes"), "capacity": w.capacity,
            "cancelled": w.cancelled, "confirmed": len(confirmed),
            "waitlisted": sum(1 for r in mine if r.get("status") == "waitlisted"),
            "attended": sum(1 for r in confirmed if r.get("attended")),
            "promoted": sum(1 for r in mine if r.get("promoted_at"))})

    active = Counter((b.get("space_id"), b.get("slot_id"))
                     for b in known(tables.get("seat_bookings", []))
                     if b.get("status") == "active")
    seats = [{"event": kit.event.slug, "space_id": space.id, "space": space.name.get(lang),
              "slot_id": slot.id, "slot": slot.label.get(lang),
              "start": slot.start.isoformat(timespec="minutes"), "seats": space.seats,
              "booked": active[(space.id, slot.id)]}
             for space in kit.coworking_spaces for slot in kit.slots]

    # Requests written in the participant's own words are counted, never quoted.
    desk = Counter(str(r.get("item") or WRITTEN) for r in tables.get(DESK_REQUESTS, []))
    return Raw(
        events=[{"slug": kit.event.slug, "name": kit.event.name.get(lang),
                 "start_date": kit.event.start_date.isoformat(),
                 "end_date": kit.event.end_date.isoformat(), "commune": kit.venue.commune,
                 "venue": kit.venue.name, "registered": len(participants),
                 "checked_in": len(came)}],
        registered=len(participants), checked_in=len(came), checkins_by_day=checkins_by_day,
        arrivals=arrivals,
        profiles=profiles,
        communes=Counter(commune_name(p.get("commune", "")) for p in participants.values()),
        people={person_key(p, secret, kit.event.slug): 1 for p in participants.values()},
        workshops=workshops, seats=seats, desk_requests=desk, questions=questions,
        months=months,
        contact_optins=sum(1 for p in participants.values() if p.get("contact_optin")),
        volunteers=volunteers, structure_profiles=structure,
        swap=_swap(tables, participants), notes=_notes(tables))


class TableReader:
    """Just enough of the store's reading interface for ``bookings.programme``."""

    def __init__(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        self.tables = tables

    def scan(self, table: str) -> list[dict[str, Any]]:
        return self.tables.get(table, [])


def _swap(tables: dict[str, list[dict[str, Any]]], participants: dict[int, Any]) -> dict[str, Any]:
    """The swap board's own figures (hidden posts never count): posts per category, the
    offer/request pairs its matcher finds, and the meetings that were accepted."""
    posts = [p for p in tables.get(SWAP_POSTS, [])
             if p.get("participant_id") in participants and "kind" in p and "category" in p]
    figures = swap.summary(posts, tables.get(SWAP_MEETINGS, []))
    by_category = figures["by_category"]
    return {"offers": figures["offers"], "requests": figures["requests"],
            "offered": Counter({c: n["offer"] for c, n in by_category.items() if n["offer"]}),
            "wanted": Counter({c: n["request"] for c, n in by_category.items() if n["request"]}),
            "matches": figures["pairs"], "meetings": figures["meetings_accepted"]}


def _notes(tables: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    notes = tables.get(NOTES, [])
    return {"notes": len(notes), "photos": len(tables.get(PHOTOS, [])),
            "kinds": Counter(str(n.get("kind") or "?") for n in notes)}


def merge(raws: list[Raw]) -> Raw:
    """Several events added up: counts summed, values pooled, people matched by key."""
    if len(raws) == 1:
        return raws[0]
    people: dict[str, int] = {}
    for raw in raws:
        for key in raw.people:
            people[key] = people.get(key, 0) + 1
    questions: dict[str, dict[str, Any]] = {}
    for raw in raws:
        for qid, entry in raw.questions.items():
            if qid not in questions:
                questions[qid] = {**entry, "counts": Counter(), "values": [], "answered": 0,
                                  "choices": dict(entry["choices"])}
            target = questions[qid]
            target["answered"] += entry["answered"]
            target["counts"].update(entry["counts"])
            target["values"] += entry["values"]
            for cid, label in entry["choices"].items():
                target["choices"].setdefault(cid, label)

    def total(name: str) -> Counter[Any]:
        out: Counter[Any] = Counter()
        for raw in raws:
            out.update(getattr(raw, name))
        return out

    swap = {"offers": sum(r.swap["offers"] for r in raws),
            "requests": sum(r.swap["requests"] for r in raws),
            "offered": sum((r.swap["offered"] for r in raws), Counter()),
            "wanted": sum((r.swap["wanted"] for r in raws), Counter()),
            "matches": sum(r.swap["matches"] for r in raws),
            "meetings": sum(r.swap["meetings"] for r in raws)}
    notes = {"notes": sum(r.notes["notes"] for r in raws),
             "photos": sum(r.notes["photos"] for r in raws),
             "kinds": sum((r.notes["kinds"] for r in raws), Counter())}
    return Raw(
        events=[e for r in raws for e in r.events],
        registered=sum(r.registered for r in raws), checked_in=sum(r.checked_in for r in raws),
        checkins_by_day=total("checkins_by_day"), arrivals=total("arrivals"),
        profiles=total("profiles"), communes=total("communes"), people=people,
        workshops=[w for r in raws for w in r.workshops],
        seats=[s for r in raws for s in r.seats], desk_requests=total("desk_requests"),
        questions=questions, months=[m for r in raws for m in r.months],
        contact_optins=sum(r.contact_optins for r in raws),
        volunteers=sum(r.volunteers for r in raws),
        structure_profiles=sum(r.structure_profiles for r in raws), swap=swap, notes=notes)


def faces(raws: list[Raw]) -> list[dict[str, Any]]:
    """For each event in date order: people seen for the first time vs already met at an
    earlier event of the territory."""
    seen: set[str] = set()
    rows = []
    for raw in sorted(raws, key=lambda r: r.events[0]["start_date"]):
        keys = set(raw.people)
        rows.append({"event": raw.events[0]["slug"], "new": len(keys - seen),
                     "known": len(keys & seen)})
        seen |= keys
    return rows


# ------------------------------------------------------------------ publish
def fold_small(counts: Counter[str] | dict[str, int], labels: dict[str, str] | None = None,
               minimum: int = MIN_GROUP, order: list[str] | None = None) -> list[dict[str, Any]]:
    """Groups largest first (or in ``order``, for answers that have one: never ... every
    day, 1 to 5); those under ``minimum`` people go together into "other", last."""
    rows = []
    other = 0
    if order is not None:
        rank = {key: i for i, key in enumerate(order)}
        items = sorted(counts.items(), key=lambda item: (rank.get(item[0], len(rank)),
                                                         str(item[0])))
    else:
        items = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    for key, count in items:
        if count <= 0:
            continue
        if count < minimum or key == OTHER:
            other += count
        else:
            rows.append({"key": key, "label": (labels or {}).get(key, key), "count": count})
    if other:
        rows.append({"key": OTHER, "label": OTHER, "count": other})
    return rows


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def spread(values: list[float]) -> dict[str, Any]:
    """Median and interquartile range; nothing published under ``MIN_GROUP`` answers,
    where a median would be one person's answer."""
    n = len(values)
    if n < MIN_GROUP:
        return {"n": n, "median": None, "q1": None, "q3": None}
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"n": n, "median": _num(statistics.median(values)), "q1": _num(q1), "q3": _num(q3)}


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 2)


def bands(values: list[float], edges: tuple[float, ...]) -> Counter[str]:
    """Values counted in bands "a–b" (the last one "≥ a"), for histograms."""
    out: Counter[str] = Counter()
    for v in values:
        for low, high in zip(edges, edges[1:], strict=False):
            if low <= v < high:
                out[f"{_num(low)}–{_num(high)}"] += 1
                break
        else:
            out[f"≥ {_num(edges[-1])}"] += 1
    return out


def band_edges(values: list[float], count: int = 6) -> tuple[float, ...]:
    """Round band edges covering the values (5, 10, 20, 50... wide)."""
    top = max(values, default=0) or 1
    width = next(w for w in (1, 2, 5, 10, 15, 20, 25, 50, 100, 200, 500, 1000, 10**9)
                 if w * count >= top)
    return tuple(float(width * i) for i in range(count))


# Commute bands end on the study's two thresholds: a catchment of 20 minutes, and the
# employees whose workplace is more than 30 minutes away (they gain most from a place
# nearby). Each band holds its upper bound: "11 à 20 min" includes 20.
COMMUTE_EDGES = (10.0, 20.0, 30.0, 45.0, 60.0)


def commute_figures(values: list[float]) -> dict[str, Any]:
    """Median and spread of the commute, its bands, and how many are within the
    catchment criterion."""
    counts: Counter[str] = Counter()
    for v in values:
        high = next((e for e in COMMUTE_EDGES if v <= e), None)
        counts[f"≤ {_num(high)}" if high is not None else f"> {_num(COMMUTE_EDGES[-1])}"] += 1
    order = [f"≤ {_num(e)}" for e in COMMUTE_EDGES] + [f"> {_num(COMMUTE_EDGES[-1])}"]
    within = sum(1 for v in values if v <= CATCHMENT_MINUTES)
    # Like any group, those within (and those beyond) are not told apart under MIN_GROUP.
    shown = all(n == 0 or n >= MIN_GROUP for n in (within, len(values) - within))
    return {**spread(values), "bands": fold_small(counts, order=order),
            "within_criterion": within if shown else None,
            "criterion_minutes": CATCHMENT_MINUTES}


def _ordered_bands(counts: Counter[str], edges: tuple[float, ...]) -> list[dict[str, Any]]:
    order = [f"{_num(lo)}–{_num(hi)}" for lo, hi in zip(edges, edges[1:], strict=False)]
    order.append(f"≥ {_num(edges[-1])}")
    folded = {r["key"]: r for r in fold_small(counts)}
    rows = [folded[key] for key in order if key in folded]
    return rows + ([folded[OTHER]] if OTHER in folded else [])


def survey_figures(raw: Raw) -> list[dict[str, Any]]:
    out = []
    for entry in raw.questions.values():
        item = {key: entry[key] for key in ("id", "question", "kind", "measure", "formula",
                                             "answered")}
        if entry["kind"] == "multiple":  # ranked: what is asked for most comes first
            item["choices"] = fold_small(entry["counts"], entry["choices"])
        elif entry["kind"] == "single":  # in the kit's order: never ... every day
            item["choices"] = fold_small(entry["counts"], entry["choices"],
                                         order=list(entry["choices"]))
        elif entry["kind"] == "scale":
            item["choices"] = fold_small(entry["counts"], order=sorted(
                entry["counts"], key=lambda v: float(v)))
            item["min"], item["max"] = entry["min"], entry["max"]
            item.update(spread(entry["values"]))
        elif entry["measure"] == "commute":
            item.update(commute_figures(entry["values"]))
        elif entry["kind"] == "number":
            item.update(spread(entry["values"]))
            edges = band_edges(entry["values"])
            item["bands"] = _ordered_bands(bands(entry["values"], edges), edges)
        out.append(item)
    return out


def budget(raw: Raw, prices: dict[str, float]) -> dict[str, Any]:
    """The source study's budget: regular users per formula × prices vs monthly charges.

    Each respondent's frequency maps to the formula they would most likely buy: 16 or more
    days a month a full-time pass, 8 or more the two-days-a-week pass, 4 or more the
    one-day-a-week pass, fewer a day pass for each day."""
    p = {**DEFAULTS_BUDGET, **prices}
    full = sum(1 for m in raw.months if m >= 16)
    two = sum(1 for m in raw.months if 8 <= m < 16)
    one = sum(1 for m in raw.months if WEEKLY <= m < 8)
    day_passes = sum(m for m in raw.months if 0 < m < WEEKLY)
    lines = [
        {"formula": "month_full_time", "users": full, "price": p["price_month_full_time"],
         "amount": full * p["price_month_full_time"]},
        {"formula": "month_two_days_a_week", "users": two,
         "price": p["price_month_two_days_a_week"],
         "amount": two * p["price_month_two_days_a_week"]},
        {"formula": "month_one_day_a_week", "users": one,
         "price": p["price_month_one_day_a_week"],
         "amount": one * p["price_month_one_day_a_week"]},
        {"formula": "day", "users": sum(1 for m in raw.months if 0 < m < WEEKLY),
         "days": _num(day_passes), "price": p["price_day"],
         "amount": day_passes * p["price_day"]},
    ]
    for line in lines:
        line["price"] = _num(line["price"])
        line["amount"] = _num(line["amount"])
    revenue = _num(sum(line["amount"] for line in lines))
    charges = _num(p["monthly_charges"])
    desk_days = sum(raw.months)
    occupancy = p["occupancy_target"]
    return {
        "respondents": len(raw.months), "lines": lines, "revenue": revenue,
        "charges": charges, "balance": _num(revenue - charges),
        "desk_days_per_month": _num(desk_days),
        "seats_needed": math.ceil(desk_days / (WORKING_DAYS * occupancy)) if occupancy else None,
        "prices": {key: _num(value) for key, value in p.items() if key.startswith("price_")},
        "occupancy_target": occupancy, "working_days": WORKING_DAYS,
    }


def checklist(raw: Raw, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The study's site criteria: what the data says of each and whether it is met.
    "unknown" whenever the data cannot tell; a verdict is never guessed."""
    weekly = summary["weekly_core"]
    answered = len(raw.months)
    occasional = sum(1 for m in raw.months if m >= 1)
    items = []

    def add(key: str, status: str, evidence: dict[str, Any]) -> None:
        items.append({"key": key, "status": status, "evidence": evidence})

    if not answered:
        add("core_of_users", "unknown", {"weekly": 0, "target": CORE_TARGET, "answered": 0})
    else:
        add("core_of_users", "met" if weekly >= CORE_TARGET else "not_met",
            {"weekly": weekly, "target": CORE_TARGET, "answered": answered})
    if answered < SURVEY_SAMPLE:
        add("survey_need", "unknown", {"answered": answered, "sample": SURVEY_SAMPLE})
    else:
        add("survey_need", "met" if occasional * 2 >= answered else "not_met",
            {"answered": answered, "would_come": occasional, "sample": SURVEY_SAMPLE})
    venue_communes = {commune_name(e["commune"]) for e in raw.events}
    local = sum(raw.communes.get(c, 0) for c in venue_communes)
    # People of the venue's own commune are surely within 20 minutes; of others we do not
    # know the distance, so a low share proves nothing.
    add("catchment", "met" if raw.registered and local * 2 >= raw.registered else "unknown",
        {"from_venue_commune": local, "registered": raw.registered,
         "communes": len([c for c in raw.communes if c]), "minutes": CATCHMENT_MINUTES})
    volunteer_q = [e for e in raw.questions.values() if e["measure"] == "volunteer"]
    volunteer_answers = sum(e["answered"] for e in volunteer_q)
    if raw.volunteers >= MIN_GROUP:
        status = "met"
    elif volunteer_answers >= SURVEY_SAMPLE and raw.volunteers == 0:
        status = "not_met"
    else:
        status = "unknown"
    add("founding_community", status, {"volunteers": raw.volunteers,
                                       "answered": volunteer_answers})
    add("supporting_structure", "unknown", {"structure_profiles": raw.structure_profiles})
    wifi = next((c["count"] for q in summary["survey"] if q["measure"] == "services"
                 for c in q.get("choices", []) if c["key"] == "wifi"), 0)
    add("connectivity", "unknown", {"asking_for_wifi": wifi})
    add("access", "unknown", {})
    return items


def summarize(raws: list[Raw], prices: dict[str, float]) -> dict[str, Any]:
    """Every figure of the report, as published (see docs/report.md for each key)."""
    raw = merge(raws)
    weekly = sum(1 for m in raw.months if m >= WEEKLY)
    survey = survey_figures(raw)
    services = next((q["choices"] for q in survey if q["measure"] == "services"), [])
    prices_asked = {q["formula"]: {key: q[key] for key in ("id", "n", "median", "q1", "q3")}
                    for q in survey if q["measure"] == "price" and q.get("formula")}
    commute = next((commute_figures(e["values"]) for e in raw.questions.values()
                    if e["measure"] == "commute"), commute_figures([]))
    multi = len(raws) > 1
    summary: dict[str, Any] = {
        "events": raw.events,
        "registered": raw.registered,
        "checked_in": raw.checked_in,
        "show_rate": rate(raw.checked_in, raw.registered),
        "checkins_by_day": [{"day": d, "count": n} for d, n in sorted(raw.checkins_by_day.items())],
        "arrivals_by_hour": [{"day": d, "hour": h, "count": n}
                             for (d, h), n in sorted(raw.arrivals.items())],
        "profiles": fold_small(raw.profiles),
        "communes": fold_small(raw.communes),
        "commute": commute,
        "people": {"distinct": len(raw.people),
                   "at_several_events": sum(1 for n in raw.people.values() if n > 1),
                   "by_event": faces(raws) if multi else []},
        "workshops": [{**w, "fill_rate": rate(w["confirmed"], w["capacity"])}
                      for w in raw.workshops],
        "seats": [{**s, "occupancy": rate(s["booked"], s["seats"])} for s in raw.seats],
        "desk_requests": fold_small(raw.desk_requests),
        "survey": survey,
        "services": services,
        "frequency": {"answered": len(raw.months), "weekly": weekly,
                      "occasional": sum(1 for m in raw.months if 1 <= m < WEEKLY),
                      "never": sum(1 for m in raw.months if m <= 0)},
        "prices_asked": prices_asked,
        "weekly_core": weekly,
        "contact_optins": raw.contact_optins,
        "volunteers": raw.volunteers,
        "swap": {"offers": raw.swap["offers"], "requests": raw.swap["requests"],
                 "categories": _swap_categories(raw.swap), "matches": raw.swap["matches"],
                 "meetings": raw.swap["meetings"]},
        "notes": {"notes": raw.notes["notes"], "photos": raw.notes["photos"],
                  "kinds": fold_small(raw.notes["kinds"], minimum=1)},
    }
    summary["budget"] = budget(raw, prices)
    summary["checklist"] = checklist(raw, summary)
    return summary


def _swap_categories(swap: dict[str, Any]) -> list[dict[str, Any]]:
    names = sorted(set(swap["offered"]) | set(swap["wanted"]),
                   key=lambda c: (-(swap["offered"][c] + swap["wanted"][c]), c))
    return [{"category": c, "offered": swap["offered"][c], "wanted": swap["wanted"][c]}
            for c in names]
