"""The morning rush of a forum, on loopback: 1,000 phones register within 60 seconds
while 200 pass pages hold the live stream open and two desks check people in.

Each phone opens its own connection, registers (``POST /api/v1/participants``) and
loads its pass page (``GET /pass/<token>``); the two desks check each new participant
in (``POST /api/v1/checkins``) as they arrive. Then, in the same run and with the
streams still open, each route is saturated for a few seconds by 20 keep-alive
clients, ``GET /api/v1/health`` first: its throughput is the baseline and every
route's ratio to it is printed.

Prints requests done, errors (must be 0), p50/p95/p99 latency per route.
Targets: no error, p99 under 200 ms for every route, check-in at least 0.25 of the
baseline (goal 0.5).

Run: /work/venv/bin/python bench/arrivals.py [--phones 1000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback import HttpConnection, Load, participant, start_server  # noqa: E402

STREAMS, DESKS, SATURATING = 200, 2, 20


class Figures:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)

    async def timed(self, route: str, conn: HttpConnection, method: str, path: str,
                    payload: object = None, auth: str | None = None,
                    ok: tuple[int, ...] = (200, 201)) -> bytes:
        started = time.perf_counter()
        try:
            status, body = await conn.request(method, path, payload, auth)
        except (OSError, asyncio.IncompleteReadError, RuntimeError):
            self.errors[route] += 1
            return b""
        self.latency[route].append(time.perf_counter() - started)
        if status not in ok:
            self.errors[route] += 1
        return body

    def report(self) -> None:
        print(f"{'route':32} {'done':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8}")
        for route, values in sorted(self.latency.items()):
            cuts = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
            print(f"{route:32} {len(values):6d} {self.errors[route]:6d} "
                  f"{cuts[49] * 1000:8.1f} {cuts[94] * 1000:8.1f} {cuts[98] * 1000:8.1f}")


async def hold_stream(port: int, opened: asyncio.Event, counter: list[int]) -> None:
    """A pass page's live stream: open, read what comes, until cancelled."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /api/v1/stream HTTP/1.1\r\nHost: x\r\n\r\n")
    await reader.readuntil(b"\r\n\r\n")
    counter[0] += 1
    if counter[0] == STREAMS:
        opened.set()
    try:
        while await reader.read(65536):
            pass
    finally:
        writer.close()


async def rush(port: int, token: str, phones: int, seconds: float, figures: Figures,
               profile: str) -> None:
    arrivals: asyncio.Queue[str | None] = asyncio.Queue()
    rng = random.Random(1)
    starts = sorted(rng.uniform(0, seconds * 0.95) for _ in range(phones))
    began = time.perf_counter()

    async def phone(number: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - (time.perf_counter() - began)))
        conn = await HttpConnection("127.0.0.1", port, {}).open()
        body = await figures.timed("POST /participants", conn, "POST",
                                   "/api/v1/participants", participant(number, profile))
        if body:
            created = json.loads(body)
            await figures.timed("GET /pass/<token>", conn, "GET", f"/pass/{created['token']}")
            await arrivals.put(created["token"])
        conn.close()

    async def desk() -> None:
        conn = await HttpConnection("127.0.0.1", port, {}).open()
        while (pass_token := await arrivals.get()) is not None:
            await figures.timed("POST /checkins", conn, "POST", "/api/v1/checkins",
                                {"token": pass_token}, auth=token)
        conn.close()

    desks = [asyncio.create_task(desk()) for _ in range(DESKS)]
    await asyncio.gather(*(phone(n, at) for n, at in enumerate(starts)))
    for _ in desks:
        await arrivals.put(None)
    await asyncio.gather(*desks)
    print(f"rush: {phones} phones in {time.perf_counter() - began:.1f} s")


async def saturate(server, route: str, make, seconds: float,
                   figures: Figures) -> tuple[float, float]:
    """Requests per second of one route with SATURATING keep-alive clients, and the
    server's CPU microseconds per request (which, unlike the rate, does not depend on
    how much of the machine other programs take meanwhile)."""
    conns = [await HttpConnection("127.0.0.1", server.port, {}).open()
             for _ in range(SATURATING)]
    done = 0
    stop = time.perf_counter() + seconds

    async def client(conn: HttpConnection) -> None:
        nonlocal done
        while time.perf_counter() < stop:
            request = make()
            if request is None:
                return
            await figures.timed(route, conn, *request)
            done += 1

    with Load(server) as load:
        await asyncio.gather(*(client(c) for c in conns))
    for conn in conns:
        conn.close()
    return done / load.wall, load.server_us(max(1, done))


async def main(args: argparse.Namespace) -> None:
    # Every phone, stream and desk of the bench comes from 127.0.0.1: lift the cap on
    # connections per device (web/security.py) that a real room never reaches.
    os.environ["POPUP_MAX_CONNECTIONS_PER_CLIENT"] = "100000"
    folder = Path(tempfile.mkdtemp(prefix="popup-arrivals-")) / "event"
    server = await start_server(folder, args.profile)
    try:
        conn = await HttpConnection("127.0.0.1", server.port, {}).open()
        profile = json.loads((await conn.request("GET", "/api/v1/event"))[1])["profiles"][0]
        conn.close()
        opened, counter = asyncio.Event(), [0]
        streams = [asyncio.create_task(hold_stream(server.port, opened, counter))
                   for _ in range(STREAMS)]
        await asyncio.wait_for(opened.wait(), 30)
        print(f"{STREAMS} live streams open")
        figures = Figures()
        with Load(server) as load:
            await rush(server.port, server.token, args.phones, args.seconds, figures, profile)
        figures.report()
        requests = sum(len(v) for v in figures.latency.values())
        print(f"server CPU {load.server_us(requests) / 1000:.2f} ms per request; {load}")

        print(f"\nthroughput, {SATURATING} keep-alive clients, {args.burst:.0f} s each, "
              f"{STREAMS} streams still open")
        saturated = Figures()
        numbers = iter(range(10**6, 10**7))

        def register():
            return ("POST", "/api/v1/participants", participant(next(numbers), profile))

        def one_each(request):
            """One request per pass not checked in yet, read when the phase starts (after
            the registrations phase has added fresh ones)."""
            remaining = None

            def make():
                nonlocal remaining
                if remaining is None:
                    remaining = iter(unchecked_passes(server))
                token = next(remaining, None)
                return None if token is None else request(token)

            return make

        plans = [
            ("GET /health", lambda: ("GET", "/api/v1/health")),
            ("POST /participants", register),
            ("GET /pass/<token>", one_each(lambda t: ("GET", f"/pass/{t}"))),
            ("POST /checkins", one_each(lambda t: (
                "POST", "/api/v1/checkins", {"token": t}, server.token))),
            ("GET /event", lambda: ("GET", "/api/v1/event")),
        ]
        rates = {route: await saturate(server, route, make, args.burst, saturated)
                 for route, make in plans}
        base_rate, base_us = rates["GET /health"]
        for route, (rate, cpu_us) in rates.items():
            print(f"{route:20} {rate:6.0f} req/s, ratio {rate / base_rate:.2f};  server CPU "
                  f"{cpu_us:6.0f} us/request, ratio {base_us / max(cpu_us, 1e-9):.2f}")
        errors = sum(figures.errors.values()) + sum(saturated.errors.values())
        slow = [r for r, v in figures.latency.items()
                if statistics.quantiles(v, n=100)[98] > 0.2]
        print(f"\nerrors: {errors}; routes with p99 over 200 ms during the rush: "
              f"{', '.join(slow) or 'none'}")
        for task in streams:
            task.cancel()
        await asyncio.gather(*streams, return_exceptions=True)
    finally:
        server.stop()


def unchecked_passes(server) -> list[str]:
    """Passes of participants not yet checked in, read the way a report would."""
    from popup_tierslieu.store import load_tables

    tables = load_tables(server.folder)
    done = {c["participant_id"] for c in tables.get("checkins", [])}
    return [p["token"] for p in tables["participants"] if p["id"] not in done]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--burst", type=float, default=3.0)
    parser.add_argument("--profile", help="write the server's cProfile statistics here")
    asyncio.run(main(parser.parse_args()))
