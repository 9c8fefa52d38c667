"""What the paper route costs on the desk's laptop: building a participant's pass PDF
(A6, A4, receipt) and a workshop's sign-in sheet, as the console does in a worker
thread before handing the file to ``lp``.

Prints the median and worst time per document over ``--repeat`` runs, and its size.
Target: a pass ready in well under a second, so the person waits for the printer,
not for us.

Run: .venv/bin/python bench/paper.py [--repeat 20] [--names 60]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from popup_tierslieu import paper  # noqa: E402

EVENT = {"name": "Tiers-lieu éphémère", "slots": [{"id": "matin", "label": "Matin"}],
         "spaces": [{"id": "salle-1", "name": "Salle 1"}, {"id": "coworking",
                                                          "name": "Espace coworking"}]}
PERSON = {"name": "Ayşe Yılmaz-Łukasz", "checkin_url": "http://10.42.0.1/c/" + "x" * 22,
          "registrations": [
              {"title": "Bien travailler à distance : la visio sans stress",
               "start": "2026-06-12T10:30:00+02:00", "status": "confirmed", "position": None},
              {"title": "Plateau ouvert : un tiers-lieu chez nous ?",
               "start": "2026-06-13T16:00:00+02:00", "status": "waitlisted", "position": 2}],
          "seats": [{"slot_id": "matin", "space_id": "coworking", "seat": 3}]}


def timed(build: Callable[[], bytes], repeat: int) -> tuple[float, float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(build())
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, max(times) * 1000, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--names", type=int, default=60)
    args = parser.parse_args()
    roster = {"workshop": {"title": "Bien travailler à distance", "room": "salle-1",
                           "start": "2026-06-12T10:30:00+02:00", "host": "Marie"},
              "confirmed": [{"name": f"Personne {i:03d}"} for i in range(args.names)],
              "waitlisted": [{"name": f"Attente {i}", "position": i} for i in range(1, 6)]}
    print(f"unicode font: {paper.font_files() or 'none (Helvetica, Latin-1)'}")
    for label, build in (
            ("pass A6", lambda: paper.pass_pdf(PERSON, EVENT, "a6")),
            ("pass A4", lambda: paper.pass_pdf(PERSON, EVENT, "a4")),
            ("pass receipt", lambda: paper.pass_pdf(PERSON, EVENT, "receipt")),
            (f"sign-in sheet, {args.names}+5 names", lambda: paper.sign_in_pdf(roster, EVENT))):
        median, worst, size = timed(build, args.repeat)
        print(f"{label:32} median {median:7.1f} ms   worst {worst:7.1f} ms   "
              f"{size / 1024:6.1f} KiB")


if __name__ == "__main__":
    main()
