"""How long ``popup report`` takes for a large event: 5,000 participants.

    python bench/report.py [--participants 5000] [--keep DIR]

Builds a realistic event folder with the store API (registrations with survey answers,
check-ins for most, workshop registrations with waiting lists, seat bookings), then times
reading it and writing the whole report (HTML, Markdown, summary.json, CSV). Target: under
3 seconds on the project's machine. The report's time includes loading the official list
of communes (once per process); that load is also timed alone: target under 0.3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from popup_tierslieu import kit as kits
from popup_tierslieu.domain import INDEXES
from popup_tierslieu.report import territory
from popup_tierslieu.report.render import write_report
from popup_tierslieu.report.source import read_event
from popup_tierslieu.store import Store

COMMUNES = ["Lourmarin", "Cadenet", "Vaugines", "Cucuron", "Puyvert", "Lauris", "Mérindol",
            "Pertuis", "Ansouis", "Villelaure", "Apt", "Bonnieux"]


# The communes within about 20 minutes of the venue: the budget counts their residents.
CATCHMENT = '\n[report]\ncatchment = ["Lourmarin", "Cadenet", "Vaugines", "Cucuron", "Puyvert"]\n'


def build_event(folder: Path, count: int, seed: int = 7, day: dt.date = dt.date(2026, 6, 12),
                slug: str = "tiers-lieu-ephemere", kit_text: str | None = None) -> None:
    """An event folder of ``count`` registrations; ``kit_text`` (a kit with the starter
    kit's survey ids, such as kits/festival-3-jours.toml) replaces the starter kit, and
    then check-ins spread over its days."""
    rng = random.Random(seed)
    text = kit_text or kits.starter_text(day).replace(
        'slug = "tiers-lieu-ephemere"', f'slug = "{slug}"').replace(
        'commune = "Votre commune"', 'commune = "Lourmarin"') + CATCHMENT
    folder.mkdir(parents=True, exist_ok=True)
    (folder / kits.KIT_COPY).write_text(text, encoding="utf-8")
    kit = kits.load_event_kit(folder)
    days = [kit.event.start_date + dt.timedelta(days=n)
            for n in range((kit.event.end_date - kit.event.start_date).days + 1)]
    day = days[0]
    start = dt.datetime(day.year, day.month, day.day, 7, 0, tzinfo=dt.UTC)
    # A kit's own venue draws its neighbours: a third of the people live in its commune.
    communes = COMMUNES + [kit.venue.commune] * 6 if kit_text else COMMUNES
    store = Store.open(folder, indexes=INDEXES)
    try:
        frequency = [c.id for c in kit.question("frequence").choices]
        services = [c.id for c in kit.question("services").choices]
        seats: dict[str, list[int]] = {slot.id: [] for slot in kit.slots}
        places = {w.id: 0 for w in kit.workshops}
        for n in range(count):
            created = start - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 10))
            answers = {"frequence": rng.choices(frequency, weights=[2, 5, 3, 2, 1])[0],
                       "services": rng.sample(services, rng.randint(1, 4)),
                       "prix-journee": rng.choice([10, 12, 15, 15, 18, 20, 25]),
                       "prix-mois": rng.choice([80, 100, 120, 150, 160, 180]),
                       "trajet": rng.randint(0, 75),
                       "benevole": rng.choice(["oui", "peut-etre", "non", "non"]),
                       "convivialite": rng.randint(1, 5)}
            pid = store.insert("participants", {
                "token": f"bench-token-{n:08d}", "name": f"Personne {n}",
                "email": f"personne{n}@example.org" if rng.random() < 0.6 else "",
                "profile": rng.choice(kit.profiles), "commune": rng.choice(communes),
                "consent": True, "contact_optin": rng.random() < 0.4, "charter_accepted": True,
                "answers": answers, "lang": "fr", "created_at": created.isoformat(),
                "source": "portal"})
            if rng.random() < 0.75:
                offset = rng.randrange(len(days))
                at = start + dt.timedelta(days=offset, minutes=rng.randint(0, 600))
                store.insert("checkins", {"participant_id": pid,
                                          "day": days[offset].isoformat(),
                                          "at": at.isoformat(), "desk": "desk"})
            if rng.random() < 0.2:
                workshop = rng.choice(kit.workshops)
                places[workshop.id] += 1
                status = "confirmed" if places[workshop.id] <= workshop.capacity else "waitlisted"
                store.insert("registrations", {
                    "workshop_id": workshop.id, "participant_id": pid, "status": status,
                    "created_at": created.isoformat(), "attended": rng.random() < 0.5})
            slot = rng.choice(kit.slots).id
            if rng.random() < 0.1 and len(seats[slot]) < 12:
                seats[slot].append(pid)
                store.insert("seat_bookings", {
                    "participant_id": pid, "slot_id": slot, "space_id": "coworking",
                    "seat": len(seats[slot]), "status": "active",
                    "created_at": created.isoformat()})
        asyncio.run(store.commit())
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=5000)
    parser.add_argument("--keep", help="build the event in this folder and keep it")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="popup-bench-"))
    folder = root / "event"
    try:
        build_event(folder, args.participants)
        began = time.perf_counter()
        event = read_event(folder)
        write_report([event], folder / "report")
        elapsed = time.perf_counter() - began
        print(f"report for {args.participants} participants: {elapsed:.2f} s "
              f"(target < 3 s) -> {folder / 'report'}")
        territory.shipped.cache_clear()
        began = time.perf_counter()
        communes = territory.shipped()
        loading = time.perf_counter() - began
        print(f"official list of communes: {len(communes):,} loaded in {loading:.3f} s "
              "(target < 0.3 s)")
        return 0 if elapsed < 3 and loading < 0.3 else 1
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
