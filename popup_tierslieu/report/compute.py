"""The figures of the appetite report, computed from an event's tables: no I/O.

Two stages keep the merge of several events exact and the privacy rule in one place:
``gather`` turns one event (its kit and tables) into raw figures: per-event counts, and
one record per person keyed by a keyed hash (``people.py``); ``merge`` adds events up,
people once each and survey answers by meaning; and ``summarize`` publishes them:
medians, rates, the budget scenarios (``budget.py``), the site checklist, with every
breakdown, box and budget line of people by something they told us folded the same way
(``fold_small``, ``small``) so that no group smaller than ``MIN_GROUP`` can be singled out.
Nothing depends on the order the event folders are given in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import statistics
import zoneinfo
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from ..domain import bookings, docs, identity, swap
from ..domain.communes import commune_key
from ..kit import Kit
from . import budget as budgets
from . import people as persons
from . import territory
from .budget import num
from .folding import MIN_GROUP, OTHER, fold_small, small

WRITTEN = "written"
# A weekly user comes at least 4 days a month (the kit's frequency choices say how often).
WEEKLY = budgets.WEEKLY
# The source study's first step: "start small, about ten regular users".
CORE_TARGET = 10
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


def commune_name(text: str) -> str:
    """One spelling per commune in the exports: "  saint-martin " is "Saint-martin"."""
    words = " ".join((text or "").split())
    return words[:1].upper() + words[1:] if words else ""


def person_key(participant: dict[str, Any], secret: bytes, event: str = "") -> str:
    """The person's keyed hash (``domain/identity.py``). Someone whose name and e-mail
    are gone and who has no hash kept by ``popup purge`` stays one distinct person of
    ``event`` (never matched across events, never merged with their neighbours)."""
    found = identity.person_hash(participant, secret)
    if found is not None:
        return found
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


@dataclass
class Raw:
    """Raw figures of one event, or of several added up."""

    events: list[dict[str, Any]]
    registrations: int
    checkins_by_day: Counter[str]
    arrivals: Counter[tuple[str, int]]
    people: dict[str, persons.Person]
    by_event: list[tuple[str, str, set[str]]]  # (first day, slug, people's keys)
    questions: dict[str, dict[str, Any]]
    not_merged: list[dict[str, Any]]
    # commune key -> the name the kit gives; with the official list, also the keys of
    # other spellings of the same communes ("84160 Lourmarin")
    catchment: dict[str, str]
    workshops: list[dict[str, Any]]
    seats: list[dict[str, Any]]
    behaviour: Counter[str]
    desk_requests: Counter[str]
    swap: dict[str, Any]
    notes: dict[str, Any]


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
    # "at" is the check-in's recorded time: the scan's own time when the desk sent one.
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

    slug = kit.event.slug
    reader = persons.Reader(kit)
    people = persons.merge((person_key(p, secret, slug), reader.person(p, pid in came))
                           for pid, p in sorted(participants.items()))
    registrations = known(tables.get("registrations", []))
    workshops = _workshops(kit, tables, registrations, lang)
    seats = _seats(kit, known(tables.get("seat_bookings", [])), first_arrival, lang)
    behaviour: Counter[str] = Counter()
    for p in people.values():
        group = "preregistered" if p.registered_before else "walk_in"
        behaviour[group] += 1
        behaviour[f"{group}_came"] += p.came
    for w in workshops:
        if w["kind"] == "workshop" and not w["cancelled"]:
            behaviour["confirmed"] += w["confirmed"]
            behaviour["attended"] += w["attended"]
    behaviour["seats_booked"] = sum(s["booked"] for s in seats)
    behaviour["seats_used"] = sum(s["used"] for s in seats)

    # Requests written in the participant's own words are counted, never quoted.
    desk = Counter(str(r.get("item") or WRITTEN) for r in tables.get(DESK_REQUESTS, []))
    return Raw(
        events=[{"slug": slug, "name": kit.event.name.get(lang),
                 "start_date": kit.event.start_date.isoformat(),
                 "end_date": kit.event.end_date.isoformat(), "commune": kit.venue.commune,
                 "departement": kit.departement or None,
                 "venue": kit.venue.name, "registered": len(participants),
                 "checked_in": len(came)}],
        registrations=len(participants), checkins_by_day=checkins_by_day, arrivals=arrivals,
        people=people, by_event=[(kit.event.start_date.isoformat(), slug, set(people))],
        questions=persons.question_meta(kit, lang), not_merged=[],
        catchment={commune_key(c): c for c in kit.catchment},
        workshops=workshops, seats=seats, behaviour=behaviour, desk_requests=desk,
        swap=_swap(tables, participants), notes=_notes(tables, slug))


def _workshops(kit: Kit, tables: dict[str, list[dict[str, Any]]],
               registrations: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    out = []
    by_workshop: dict[Any, list[dict[str, Any]]] = {}
    for r in registrations:
        by_workshop.setdefault(r.get("workshop_id"), []).append(r)
    for w in bookings.programme(TableReader(tables), kit):
        mine = by_workshop.get(w.id, [])
        confirmed = [r for r in mine if r.get("status") == "confirmed"]
        out.append({
            "event": kit.event.slug, "event_name": kit.event.name.get(lang), "id": w.id,
            "title": w.title.get(lang), "kind": w.kind, "day": w.start.date().isoformat(),
            "multi_day": kit.event.end_date > kit.event.start_date,
            "start": w.start.isoformat(timespec="minutes"), "capacity": w.capacity,
            "cancelled": w.cancelled, "confirmed": len(confirmed),
            "waitlisted": sum(1 for r in mine if r.get("status") == "waitlisted"),
            "attended": sum(1 for r in confirmed if r.get("attended")),
            "promoted": sum(1 for r in mine if r.get("promoted_at"))})
    return out


def _seats(kit: Kit, seat_bookings: list[dict[str, Any]],
           arrivals: dict[tuple[int, str], dt.datetime], lang: str) -> list[dict[str, Any]]:
    """Seats booked per zone and slot, and used: booked by someone who checked in on
    the slot's day."""
    booked: Counter[tuple[Any, Any]] = Counter()
    used: Counter[tuple[Any, Any]] = Counter()
    day_of = {slot.id: slot.start.date().isoformat() for slot in kit.slots}
    for b in seat_bookings:
        if b.get("status") != "active":
            continue
        key = (b.get("space_id"), b.get("slot_id"))
        booked[key] += 1
        used[key] += (b["participant_id"], day_of.get(b.get("slot_id"), "")) in arrivals
    return [{"event": kit.event.slug, "space_id": space.id, "space": space.name.get(lang),
             "slot_id": slot.id, "slot": slot.label.get(lang),
             "start": slot.start.isoformat(timespec="minutes"), "seats": space.seats,
             "booked": booked[(space.id, slot.id)], "used": used[(space.id, slot.id)]}
            for space in kit.coworking_spaces for slot in kit.slots]


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


# Note kinds whose titles the report lists: what people would do, and what went wrong.
LISTED_KINDS = ("idea", "did_not_work")


def _notes(tables: dict[str, list[dict[str, Any]]], slug: str) -> dict[str, Any]:
    """Published notes and photos only, as the documentation bundle holds them: no note
    the concierge hid, no photo of a hidden note or of people who did not agree."""
    notes = [n for n in tables.get(NOTES, []) if not n.get("hidden")]
    shown = {n.get("id") for n in notes}
    photos = [p for p in tables.get(PHOTOS, [])
              if p.get("note_id") in shown and docs.publishable(p)]
    titles = {kind: [{"event": slug, "title": str(n.get("title") or "")}
                     for n in sorted(notes, key=lambda n: str(n.get("created_at") or ""))
                     if n.get("kind") == kind and n.get("title")] for kind in LISTED_KINDS}
    return {"notes": len(notes), "photos": len(photos),
            "kinds": Counter(str(n.get("kind") or "?") for n in notes), "titles": titles}


def merge(raws: list[Raw]) -> Raw:
    """Several events added up: per-event counts summed, people once each (their latest
    answers), survey answers merged by meaning. Events are taken in date order, so the
    result does not depend on the order the folders were given in."""
    raws = sorted(raws, key=lambda r: (r.events[0]["start_date"], r.events[0]["slug"]))
    metas = [(r.events[0]["slug"], r.questions) for r in raws]
    q_of, c_of = persons.meanings(metas)
    # Fresh records: merging changes them, and the events' own raw figures stay as they are.
    records = [(key, persons.Person(**{
        **p.__dict__, "events": set(p.events),
        "answers": persons.in_meanings(p, raw.events[0]["slug"], q_of, c_of)}))
        for raw in raws for key, p in raw.people.items()]
    questions = _merged_questions(metas, q_of, c_of)

    def total(name: str) -> Counter[Any]:
        out: Counter[Any] = Counter()
        for raw in raws:
            out.update(getattr(raw, name))
        return out

    swap = {"offers": sum(r.swap["offers"] for r in raws),
            "requests": sum(r.swap["requests"] for r in raws),
            "offered": total_of(raws, "swap", "offered"),
            "wanted": total_of(raws, "swap", "wanted"),
            "matches": sum(r.swap["matches"] for r in raws),
            "meetings": sum(r.swap["meetings"] for r in raws)}
    notes = {"notes": sum(r.notes["notes"] for r in raws),
             "photos": sum(r.notes["photos"] for r in raws),
             "kinds": total_of(raws, "notes", "kinds"),
             "titles": {kind: [t for r in raws for t in r.notes["titles"][kind]]
                        for kind in LISTED_KINDS}}
    return Raw(
        events=[e for r in raws for e in r.events],
        registrations=sum(r.registrations for r in raws),
        checkins_by_day=total("checkins_by_day"), arrivals=total("arrivals"),
        people=persons.merge(records), by_event=[b for r in raws for b in r.by_event],
        questions=questions, not_merged=persons.not_merged(metas, q_of, c_of),
        catchment={k: v for r in raws for k, v in r.catchment.items()},
        workshops=[w for r in raws for w in r.workshops],
        seats=[s for r in raws for s in r.seats], behaviour=total("behaviour"),
        desk_requests=total("desk_requests"), swap=swap, notes=notes)


def total_of(raws: list[Raw], part: str, name: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for raw in raws:
        out.update(getattr(raw, part)[name])
    return out


def _merged_questions(metas: list[tuple[str, dict[str, dict[str, Any]]]],
                      q_of: dict[tuple[str, str], str],
                      c_of: dict[tuple[str, str, str], str]) -> dict[str, dict[str, Any]]:
    """One entry per meaning, described by the earliest event that asked it; an id two
    meanings share is told apart by the event's slug."""
    out: dict[str, dict[str, Any]] = {}
    used_ids: dict[str, str] = {}
    for slug, questions in metas:
        for qid, meta in questions.items():
            key = q_of[(slug, qid)]
            if key not in out:
                shown = qid if used_ids.setdefault(qid, key) == key else f"{qid}@{slug}"
                out[key] = {**{k: meta[k] for k in ("question", "kind", "measure", "formula",
                                                    "min", "max")},
                            "id": shown, "events": [], "choices": {}, "per_month": {}}
            entry = out[key]
            entry["events"].append(slug)
            for cid, choice in meta["choices"].items():
                ckey = c_of[(slug, qid, cid)]
                if ckey not in entry["choices"]:
                    taken = {c["id"] for c in entry["choices"].values()}
                    entry["choices"][ckey] = {"id": cid if cid not in taken else f"{cid}@{slug}",
                                              "label": choice["label"]}
                    entry["per_month"][ckey] = choice["per_month"]
    return out


def faces(raw: Raw) -> list[dict[str, Any]]:
    """For each event in date order: people seen for the first time vs already met at an
    earlier event of the territory."""
    seen: set[str] = set()
    rows = []
    for _day, slug, keys in sorted(raw.by_event):
        rows.append({"event": slug, "new": len(keys - seen), "known": len(keys & seen)})
        seen |= keys
    return rows


# ------------------------------------------------------------------ publish
def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def spread(values: list[float]) -> dict[str, Any]:
    """Median and interquartile range; nothing published under ``MIN_GROUP`` answers,
    where a median would be one person's answer."""
    n = len(values)
    if n < MIN_GROUP:
        return {"n": n, "median": None, "q1": None, "q3": None}
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {"n": n, "median": num(statistics.median(values)), "q1": num(q1), "q3": num(q3)}


def bands(values: list[float], edges: tuple[float, ...]) -> Counter[str]:
    """Values counted in bands "a–b" (the last one "≥ a"), for histograms."""
    out: Counter[str] = Counter()
    for v in values:
        for low, high in zip(edges, edges[1:], strict=False):
            if low <= v < high:
                out[f"{num(low)}–{num(high)}"] += 1
                break
        else:
            out[f"≥ {num(edges[-1])}"] += 1
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
        counts[f"≤ {num(high)}" if high is not None else f"> {num(COMMUTE_EDGES[-1])}"] += 1
    order = [f"≤ {num(e)}" for e in COMMUTE_EDGES] + [f"> {num(COMMUTE_EDGES[-1])}"]
    within = sum(1 for v in values if v <= CATCHMENT_MINUTES)
    # Like any group, those within (and those beyond) are not told apart under MIN_GROUP.
    shown = all(n == 0 or n >= MIN_GROUP for n in (within, len(values) - within))
    return {**spread(values), "bands": fold_small(counts, order=order),
            "within_criterion": within if shown else None,
            "criterion_minutes": CATCHMENT_MINUTES}


def _ordered_bands(counts: Counter[str], edges: tuple[float, ...]) -> list[dict[str, Any]]:
    order = [f"{num(lo)}–{num(hi)}" for lo, hi in zip(edges, edges[1:], strict=False)]
    order.append(f"≥ {num(edges[-1])}")
    folded = {r["key"]: r for r in fold_small(counts)}
    rows = [folded[key] for key in order if key in folded]
    return rows + ([folded[OTHER]] if OTHER in folded else [])


def survey_figures(raw: Raw) -> list[dict[str, Any]]:
    """Every question, answers of distinct people (their latest), merged by meaning."""
    answered: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = {key: Counter() for key in raw.questions}
    values: dict[str, list[float]] = {key: [] for key in raw.questions}
    for p in raw.people.values():
        for key, answer in p.answers.items():
            entry = raw.questions.get(key)
            if entry is None:
                continue
            answered[key] += 1
            if entry["kind"] in ("single", "scale"):
                counts[key][str(answer)] += 1
            elif entry["kind"] == "multiple" and isinstance(answer, list):
                counts[key].update(str(a) for a in answer)
            if entry["kind"] in ("number", "scale") and isinstance(answer, int | float) \
                    and not isinstance(answer, bool):
                values[key].append(float(answer))
    out = []
    for key, entry in raw.questions.items():
        item = {k: entry[k] for k in ("id", "question", "kind", "measure", "formula",
                                      "events")}
        item["answered"] = answered[key]
        ids = {ckey: c["id"] for ckey, c in entry["choices"].items()}
        labels = {c["id"]: c["label"] for c in entry["choices"].values()}
        by_id = Counter({ids.get(ckey, ckey): n for ckey, n in counts[key].items()})
        if entry["kind"] == "multiple":  # ranked: what is asked for most comes first
            item["choices"] = fold_small(by_id, labels)
        elif entry["kind"] == "single":  # in the kit's order: never ... every day
            order = list(entry["choices"])
            if entry["measure"] == "frequency":
                order.sort(key=lambda ckey: entry["per_month"].get(ckey) or 0)
            item["choices"] = fold_small(by_id, labels, order=[ids[c] for c in order])
        elif entry["kind"] == "scale":
            item["choices"] = fold_small(by_id, order=sorted(by_id, key=float))
            item["min"], item["max"] = entry["min"], entry["max"]
            item.update(spread(values[key]))
        elif entry["measure"] == "commute":
            item.update(commute_figures(values[key]))
        elif entry["kind"] == "number":
            item.update(spread(values[key]))
            edges = band_edges(values[key])
            item["bands"] = _ordered_bands(bands(values[key], edges), edges)
        out.append(item)
    return out


def measure_values(raw: Raw, measure: str) -> list[float]:
    keys = {key for key, entry in raw.questions.items() if entry["measure"] == measure}
    return [float(a) for p in raw.people.values() for key, a in p.answers.items()
            if key in keys and isinstance(a, int | float) and not isinstance(a, bool)]


def checklist(raw: Raw, summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The study's site criteria: what the data says of each and whether it is met.
    "unknown" whenever the data cannot tell; a verdict is never guessed."""
    months = [p.months for p in raw.people.values() if p.months is not None]
    weekly = sum(1 for m in months if m >= WEEKLY)
    answered = len(months)
    occasional = sum(1 for m in months if m >= 1)
    volunteers = sum(p.volunteer for p in raw.people.values())
    items = []

    def add(key: str, status: str, evidence: dict[str, Any]) -> None:
        items.append({"key": key, "status": status, "evidence": evidence})

    if not answered:
        add("core_of_users", "unknown", {"weekly": 0, "target": CORE_TARGET, "answered": 0})
    else:
        add("core_of_users", "met" if weekly >= CORE_TARGET else "not_met",
            {"weekly": small(weekly), "target": CORE_TARGET, "answered": answered})
    if answered < SURVEY_SAMPLE:
        add("survey_need", "unknown", {"answered": answered, "sample": SURVEY_SAMPLE})
    else:
        add("survey_need", "met" if occasional * 2 >= answered else "not_met",
            {"answered": answered, "would_come": small(occasional), "sample": SURVEY_SAMPLE})
    registered = len(raw.people)
    venue = {commune_key(e["commune"]) for e in raw.events}
    local = sum(1 for p in raw.people.values() if commune_key(p.commune) in venue)
    residents = _residents(raw)
    # The kit's catchment lists the communes within 20 minutes; of other communes we do
    # not know the distance, so a low share proves nothing.
    add("catchment", "met" if registered and residents * 2 >= registered else "unknown",
        {"from_venue_commune": small(local), "from_catchment": small(residents),
         "registered": registered, "communes": len(summary["communes"]),
         "minutes": CATCHMENT_MINUTES})
    volunteer_answers = sum(1 for p in raw.people.values() for key in p.answers
                            if raw.questions.get(key, {}).get("measure") == "volunteer")
    if volunteers >= MIN_GROUP:
        status = "met"
    elif volunteer_answers >= SURVEY_SAMPLE and volunteers == 0:
        status = "not_met"
    else:
        status = "unknown"
    add("founding_community", status, {"volunteers": small(volunteers),
                                       "answered": volunteer_answers})
    profiles = Counter(p.profile for p in raw.people.values())
    structure = sum(n for profile, n in profiles.items()
                    if any(hint in identity.fold(profile) for hint in STRUCTURE_HINTS))
    add("supporting_structure", "unknown", {"structure_profiles": small(structure)})
    wifi = next((c["count"] for q in summary["survey"] if q["measure"] == "services"
                 for c in q.get("choices", []) if c["key"] == "wifi"), 0)
    add("connectivity", "unknown", {"asking_for_wifi": wifi})
    add("access", "unknown", {})
    return items


def _residents(raw: Raw) -> int:
    return sum(1 for p in raw.people.values() if commune_key(p.commune) in raw.catchment)


def _communes(counts: dict[str, int], labels: dict[str, str],
              coding: territory.Coding | None) -> list[dict[str, Any]]:
    """People per commune, unified; coded from the official list, spellings of the same
    commune ("Grenoble", "38000 Grenoble") are one row under its official name, with its
    INSEE code, intercommunality and population class."""
    if coding is None:
        return fold_small({labels[k]: n for k, n in counts.items()})
    grouped: Counter[str] = Counter()
    official: dict[str, territory.Commune] = {}
    for key, n in counts.items():
        commune = coding.coded.get(key)
        label = coding.labels[key] if commune else labels[key]
        grouped[label] += n
        if commune:
            official[label] = commune
    rows = fold_small(grouped)
    for row in rows:
        found = official.get(row["key"])
        row.update(code=found.code if found else None, epci=found.epci if found else None,
                   population_class=found.population_class if found else None)
    return rows


def _catchment(raw: Raw) -> dict[str, Any]:
    inside = _residents(raw)
    unknown = sum(1 for p in raw.people.values() if not commune_key(p.commune))
    return {"communes": sorted(set(raw.catchment.values())), "residents": small(inside),
            "outside": small(len(raw.people) - inside - unknown),
            "unknown": small(unknown), "minutes": CATCHMENT_MINUTES}


def _behaviour(raw: Raw) -> dict[str, Any]:
    """What people did, beside what they said they would do."""
    b = raw.behaviour
    return {
        "preregistered": {"registered": b["preregistered"], "came": b["preregistered_came"],
                          "show_rate": rate(b["preregistered_came"], b["preregistered"])},
        "walk_in": {"registered": b["walk_in"], "came": b["walk_in_came"],
                    "show_rate": rate(b["walk_in_came"], b["walk_in"])},
        "workshops": {"confirmed": b["confirmed"], "attended": b["attended"],
                      "attendance_rate": rate(b["attended"], b["confirmed"])},
        "seats": {"booked": b["seats_booked"], "used": b["seats_used"],
                  "use_rate": rate(b["seats_used"], b["seats_booked"])},
    }


def signals(workshops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unmet demand: real workshops (not a meal or a plenary) with people still on
    their waiting list at the end, the longest list first."""
    rows = [w for w in workshops if w["kind"] == "workshop" and not w["cancelled"]
            and w["waitlisted"] > 0]
    return [{"event": w["event"], "id": w["id"], "title": w["title"], "day": w["day"],
             "start": w["start"], "waitlisted": w["waitlisted"]}
            for w in sorted(rows, key=lambda w: (-w["waitlisted"], w["start"], w["id"]))]


def _frequency(months: list[float]) -> dict[str, Any]:
    """Every answer in exactly one band: weekly or more, monthly, rarer, never."""
    weekly = sum(1 for m in months if m >= WEEKLY)
    return {"answered": len(months), "weekly": small(weekly),
            "occasional": small(sum(1 for m in months if 1 <= m < WEEKLY)),
            "rare": small(sum(1 for m in months if 0 < m < 1)),
            "never": small(sum(1 for m in months if m <= 0))}


def summarize(raws: list[Raw], prices: dict[str, float],
              budget_kit: dict[str, Any] | None = None,
              communes: territory.Communes | None = None) -> dict[str, Any]:
    """Every figure of the report, as published (see docs/report.md for each key).
    ``prices`` and ``budget_kit`` (``slug``, ``name``) are those of the kit the budget
    takes its prices and charges from; ``communes``, an official list of communes
    (``territory.official``), codes the communes when given."""
    raw = merge(raws)
    commune_counts, commune_labels = persons.commune_groups(raw.people)
    coding = None
    if communes:
        departements = territory.venue_departements(raw.events, communes)
        coding = territory.code_all(commune_labels, communes, departements)
        raw = replace(raw, catchment=territory.catchment_keys(
            raw.catchment, coding, communes, departements))
    people = raw.people.values()
    months = [p.months for p in people if p.months is not None]
    survey = survey_figures(raw)
    services = next((q["choices"] for q in survey if q["measure"] == "services"), [])
    prices_asked = {q["formula"]: {key: q[key] for key in ("id", "n", "median", "q1", "q3")}
                    for q in survey if q["measure"] == "price" and q.get("formula")}
    came = sum(p.came for p in people)
    catchment = _catchment(raw)
    frequency = _frequency(months)
    summary: dict[str, Any] = {
        "events": raw.events,
        "registered": len(raw.people),
        "registrations": raw.registrations,
        "checked_in": came,
        "show_rate": rate(came, len(raw.people)),
        "checkins_by_day": [{"day": d, "count": n} for d, n in sorted(raw.checkins_by_day.items())],
        "arrivals_by_hour": [{"day": d, "hour": h, "count": n}
                             for (d, h), n in sorted(raw.arrivals.items())],
        "profiles": fold_small(Counter(p.profile for p in people)),
        "communes": _communes(commune_counts, commune_labels, coding),
        "communes_coded": territory.coded(commune_counts, coding) if coding else None,
        "catchment": catchment,
        "commute": commute_figures(measure_values(raw, "commute")),
        "people": {"distinct": len(raw.people),
                   "at_several_events": sum(1 for p in people if len(p.events) > 1),
                   "by_event": faces(raw) if len(raw.events) > 1 else []},
        "workshops": [{**w, "fill_rate": rate(w["confirmed"], w["capacity"])}
                      for w in raw.workshops],
        "signals": signals(raw.workshops),
        "seats": [{**s, "occupancy": rate(s["booked"], s["seats"])} for s in raw.seats],
        "behaviour": _behaviour(raw),
        "desk_requests": fold_small(raw.desk_requests),
        "survey": survey,
        "survey_not_merged": raw.not_merged,
        "services": services,
        "frequency": frequency,
        "prices_asked": prices_asked,
        "weekly_core": frequency["weekly"],
        "core": {"weekly": frequency["weekly"],
                 "residents": small(sum(1 for p in people if p.months is not None
                                        and p.months >= WEEKLY
                                        and commune_key(p.commune) in raw.catchment))},
        "contact_optins": small(sum(p.optin for p in people)),
        "volunteers": small(sum(p.volunteer for p in people)),
        "swap": {"offers": raw.swap["offers"], "requests": raw.swap["requests"],
                 "categories": _swap_categories(raw.swap), "matches": raw.swap["matches"],
                 "meetings": raw.swap["meetings"]},
        "notes": {"notes": raw.notes["notes"], "photos": raw.notes["photos"],
                  "kinds": fold_small(raw.notes["kinds"], minimum=1),
                  "ideas": raw.notes["titles"]["idea"],
                  "did_not_work": raw.notes["titles"]["did_not_work"]},
    }
    accepted = {formula: p["median"] for formula, p in prices_asked.items()}
    summary["budget"] = budgets.budget(
        [(p.months, commune_key(p.commune) in raw.catchment) for p in people
         if p.months is not None], prices, accepted,
        budget_kit or {"slug": raw.events[0]["slug"], "name": raw.events[0]["name"]})
    summary["checklist"] = checklist(raw, summary)
    return summary


def _swap_categories(swap: dict[str, Any]) -> list[dict[str, Any]]:
    names = sorted(set(swap["offered"]) | set(swap["wanted"]),
                   key=lambda c: (-(swap["offered"][c] + swap["wanted"][c]), c))
    return [{"category": c, "offered": swap["offered"][c], "wanted": swap["wanted"][c]}
            for c in names]
