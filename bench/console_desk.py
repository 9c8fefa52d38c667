"""The concierge console at a full event, on loopback: 1,000 participants, 800 in.

Measures what the concierge waits for:
- each desk route the console reads (p50/p95 over 100 calls): the dashboard
  reloads ``/stats`` and ``/desk/programme`` after every event of the stream;
- a scan: from Enter in the desk input to the result on screen (headless Textual);
- a check-in made at another desk: until this console's figures show it (stream
  event, then refresh);
- a burst: 100 pass URLs and their Enters arriving in one read (a scanner that sends
  its buffer at once), until every one is answered: scans per second.

Targets: every route p95 under 50 ms; scan to screen p95 under 150 ms; another
desk's check-in on screen under 500 ms; a burst at 20 scans per second or more.

Run: /work/venv/bin/python bench/console_desk.py [--participants 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

import httpx
from textual import events
from textual.keys import _character_to_key

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback import participant, percentile, start_server  # noqa: E402

from popup_tierslieu.console.app import create_app  # noqa: E402
from popup_tierslieu.console.client import ApiClient  # noqa: E402
from popup_tierslieu.console.offline import ScanQueue  # noqa: E402

ROUTES = ("/stats", "/desk/programme", "/desk/workshops/visio", "/desk/checklist", "/seats")


def ms(value: float) -> str:
    return f"{value * 1000:7.1f} ms"


async def fill(api: httpx.AsyncClient, total: int) -> list[dict]:
    people: list[dict] = []
    queue = iter(range(total))

    async def phone() -> None:
        for number in queue:
            answer = await api.post("/participants", json=participant(number, "Habitant·e"))
            people.append(answer.json())

    await asyncio.gather(*(phone() for _ in range(20)))
    for p in people[:24]:
        await api.post("/desk/workshops/visio/registrations", json={"participant_id": p["id"]})
    for p in people[:12]:
        await api.post("/seats/bookings", json={"participant_id": p["id"], "slot_id": "matin",
                                                "space_id": "coworking"})

    async def desk(share: list[dict]) -> None:
        for p in share:
            await api.post("/checkins", json={"token": p["token"]})

    arrived = people[: int(total * 0.8)]
    await asyncio.gather(desk(arrived[0::2]), desk(arrived[1::2]))
    return people


async def routes(api: httpx.AsyncClient) -> None:
    for route in ROUTES:
        times = []
        for _ in range(100):
            start = time.perf_counter()
            answer = await api.get(route)
            times.append(time.perf_counter() - start)
            assert answer.status_code == 200, answer.text
        print(f"  GET {route:<24} p50 {ms(percentile(times, 0.5))}  "
              f"p95 {ms(percentile(times, 0.95))}")


async def console(url: str, token: str, api: httpx.AsyncClient, late: list[dict],
                  queue: Path) -> None:
    app = create_app(ApiClient(url, token), scan_queue=ScanQueue(queue))
    async with app.run_test(size=(110, 36)) as pilot:
        while not app.stats:
            await pilot.pause(0.01)
        scans = []
        for p in late[:20]:
            result = app.screen.query_one("#result")
            result.set_classes("")
            scan = app.screen.query_one("#scan")
            scan.value = p["pass_url"]
            start = time.perf_counter()
            await scan.action_submit()  # Enter, without the test pilot's own waits
            while not result.classes & {"good", "warn", "bad"}:
                await pilot.pause(0.002)
            scans.append(time.perf_counter() - start)
        alone = []
        for p in late[40:60]:
            start = time.perf_counter()
            await app.client.check_in(p["pass_url"])
            alone.append(time.perf_counter() - start)
        print(f"  POST /checkins from the app  p50 {ms(percentile(alone, 0.5))}  "
              f"p95 {ms(percentile(alone, 0.95))}")
        print(f"  scan -> result on screen     p50 {ms(percentile(scans, 0.5))}  "
              f"p95 {ms(percentile(scans, 0.95))}  ({len(scans)} scans)")
        elsewhere = []
        for p in late[20:40]:
            before = app.stats["checked_in"]
            start = time.perf_counter()
            await api.post("/checkins", json={"token": p["token"], "desk": "other"})
            while app.stats["checked_in"] == before:
                await pilot.pause(0.002)
            elsewhere.append(time.perf_counter() - start)
        print(f"  other desk -> figures here   p50 {ms(percentile(elsewhere, 0.5))}  "
              f"p95 {ms(percentile(elsewhere, 0.95))}  ({len(elsewhere)} check-ins)")
        await burst(app, pilot, late[60:160])


async def burst(app, pilot, people: list[dict]) -> None:
    """Every key of every scan posted at once, then wait until the last is answered."""
    last = people[-1]["id"]
    start = time.perf_counter()
    for p in people:
        for char in p["pass_url"]:
            app.post_message(events.Key(_character_to_key(char), char))
        app.post_message(events.Key("enter", "\r"))
    while len(app.scans.queue) or not app.scans.history or (
            (app.scans.history[0].participant or {}).get("id") != last):
        await pilot.pause(0.005)
    took = time.perf_counter() - start
    print(f"  burst of {len(people)} scans -> all answered {took:6.2f} s  "
          f"({len(people) / took:5.1f} scans/s)")


async def bench(total: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = await start_server(Path(tmp) / "event", None)
        url = f"http://127.0.0.1:{server.port}"
        try:
            async with httpx.AsyncClient(
                    base_url=url + "/api/v1", timeout=30,
                    headers={"Authorization": f"Bearer {server.token}"}) as api:
                start = time.perf_counter()
                people = await fill(api, total)
                print(f"{total} participants, {int(total * 0.8)} checked in "
                      f"(filled in {time.perf_counter() - start:.1f} s)")
                await routes(api)
                await console(url, server.token, api, people[int(total * 0.8):],
                              Path(tmp) / "desk-scans.jsonl")
        finally:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    asyncio.run(bench(parser.parse_args().participants))


if __name__ == "__main__":
    main()
