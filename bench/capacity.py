"""How the server grows with the event: cost growth, memory and start-up time.

1. Cost growth: event folders holding 100, 1,000 and 5,000 participants, first with
   registrations only, then with each participant also on a workshop (the default kit
   has three, so most wait on long waiting lists) and in a seat; for each, the server
   is started and 200 sequential registrations and 200 sequential check-ins are timed
   (median, p95). Target: the 5,000 / 100 ratio under 2.
2. Memory: the resident memory of the server holding 5,000 participants, their
   workshop registrations and seat bookings, and 500 swap posts, after it has served
   the event, stats and swap board once. Target: under 150 MB.
3. Start-up: ``popup up --headless`` until ``GET /api/v1/health`` answers, on a new
   folder (the default kit) and on the 5,000-participant folder. Targets: 2 s and 3 s.

The folders are filled in-process through the domain functions (the same rules as the
API, without the HTTP round trips), then served by the real ``popup up``.

Run: /work/venv/bin/python bench/capacity.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback import HttpConnection, participant, start_server  # noqa: E402

from popup_tierslieu import domain  # noqa: E402
from popup_tierslieu.domain import bookings, participants, swap  # noqa: E402
from popup_tierslieu.errors import PopupError  # noqa: E402
from popup_tierslieu.kit import default_kit  # noqa: E402
from popup_tierslieu.store import Store  # noqa: E402

SIZES = (100, 1000, 5000)
SAMPLE = 200
SWAP_POSTS = 500


def fill(folder: Path, count: int, swap_posts: int = 0, booked: bool = True) -> list[str]:
    """An event folder with ``count`` participants, with ``booked`` each on a workshop
    (confirmed or waiting) and in a seat while seats last; returns their passes."""
    kit = default_kit()
    store = Store.open(folder, indexes=domain.INDEXES)
    tokens = []
    workshops = [w.id for w in kit.workshops]
    places = [(slot.id, space.id) for slot in kit.slots for space in kit.coworking_spaces]
    for n in range(count):
        p = participants.register(store, kit, {**participant(n, kit.profiles[0]),
                                               "commune": f"Commune {n % 40}"})
        tokens.append(p["token"])
        if not booked:
            continue
        bookings.register(store, kit, p["id"], workshops[n % len(workshops)])
        if places:
            slot_id, space_id = places[n % len(places)]
            try:
                bookings.book_seat(store, kit, p["id"], slot_id, space_id)
            except PopupError:
                pass  # the zone is full: as at a real event
        if n < swap_posts:
            swap.create(store, kit, p, {
                "kind": "offer" if n % 2 else "request", "title": f"Atelier couture {n}",
                "description": "Je peux montrer comment réparer un vêtement.",
                "category": kit.swap_categories[n % len(kit.swap_categories)],
                "tags": ["couture", "réparation"]})
        if n % 500 == 0:
            store.commit_sync()
    store.close()
    return tokens


def quantile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def latencies(size: int, root: Path, booked: bool) -> dict[str, list[float]]:
    folder = root / f"event-{size}-{'booked' if booked else 'plain'}"
    tokens = fill(folder, size, booked=booked)
    server = await start_server(folder, None)
    try:
        conn = await HttpConnection("127.0.0.1", server.port, {}).open()
        profile = json.loads((await conn.request("GET", "/api/v1/event"))[1])["profiles"][0]
        times: dict[str, list[float]] = {"registration": [], "check-in": []}
        for n in range(SAMPLE + 20):  # the first 20 warm the server up
            started = time.perf_counter()
            status, _ = await conn.request("POST", "/api/v1/participants",
                                           participant(10**6 + n, profile))
            if status != 201:
                raise SystemExit(f"registration answered {status}")
            if n >= 20:
                times["registration"].append(time.perf_counter() - started)
        for n, token in enumerate(tokens[: SAMPLE + 20]):
            started = time.perf_counter()
            status, _ = await conn.request("POST", "/api/v1/checkins", {"token": token},
                                           auth=server.token)
            if status != 200:
                raise SystemExit(f"check-in answered {status}")
            if n >= 20:
                times["check-in"].append(time.perf_counter() - started)
        conn.close()
        return times
    finally:
        server.stop()


async def ready_seconds(folder: Path) -> tuple[float, object]:
    started = time.perf_counter()
    server = await start_server(folder, None)
    return time.perf_counter() - started, server


async def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="popup-capacity-"))
    print("1. cost growth (sequential, one keep-alive client)")
    for booked in (False, True):
        print("   with workshop registrations and seats" if booked else
              "   registrations only")
        medians: dict[str, dict[int, float]] = {"registration": {}, "check-in": {}}
        for size in SIZES:
            times = await latencies(size, root, booked)
            for route, values in times.items():
                medians[route][size] = statistics.median(values)
                print(f"   {size:5d} participants  {route:12}  median "
                      f"{statistics.median(values) * 1000:6.2f} ms  p95 "
                      f"{quantile(values, 0.95) * 1000:6.2f} ms")
        for route, by_size in medians.items():
            print(f"   {route}: 5,000 / 100 = {by_size[5000] / by_size[100]:.2f} (target < 2)")

    print("\n2. memory with 5,000 participants, bookings and 500 swap posts")
    big = root / "event-memory"
    fill(big, 5000, SWAP_POSTS)
    startup_big, server = await ready_seconds(big)
    try:
        conn = await HttpConnection("127.0.0.1", server.port, {}).open()
        for path in ("/api/v1/event", "/api/v1/swap", "/api/v1/seats"):
            await conn.request("GET", path)
        await conn.request("GET", "/api/v1/stats", auth=server.token)
        conn.close()
        rss = psutil.Process(server.proc.pid).memory_info().rss / 2**20
        print(f"   resident memory: {rss:.0f} MB (target < 150 MB)")
    finally:
        server.stop()

    print("\n3. start-up until health answers")
    empty = []
    for n in range(3):
        seconds, server = await ready_seconds(root / f"empty-{n}")
        server.stop()
        empty.append(seconds)
    loaded = [startup_big]
    for _ in range(2):
        seconds, server = await ready_seconds(big)
        server.stop()
        loaded.append(seconds)
    print(f"   new folder, default kit: median {statistics.median(empty):.2f} s (target < 2 s)")
    print(f"   5,000 participants on disk: median {statistics.median(loaded):.2f} s "
          f"(target < 3 s)")


if __name__ == "__main__":
    asyncio.run(main())
