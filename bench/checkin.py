"""First check-ins against the server's cheapest request, and registration latency as
the event fills: the morning queue at full speed.

One command prints everything (under a minute on a quiet 2-core machine, 2 to 3 on
a busy one):

1. fills events of 100, 3,000 and 12,000 participants through the API, keeping a
   stopped copy of each event folder;
2. registration latency: two servers side by side, one on the 100-participant event,
   one on the 12,000-participant event, get 200 sequential registrations each,
   alternately, so that both see the same machine; their medians' ratio is the growth;
3. for each event size (3,000 and 12,000 participants) and each number of keep-alive
   connections (20 and 50), three runs; each run starts the real server
   (``python -m popup_tierslieu up --headless``) on a fresh copy of the filled event
   folder, so every pass is still unused, then measures in the same run:
   (a) ``GET /api/v1/health`` for 1.5 seconds, and
   (b) ``POST /api/v1/checkins``, 2,800 requests (after 200 to warm up), each the
   **first** check-in of a different participant, sent as the pass's QR reads: each one
   a durable write (fsynced before the answer);
   (a) and (b) alternate in four slices each (0.375 s of health, 700 check-ins, ...),
   so that other programs on the machine weigh on both alike;
4. per size and connection count, b/a as the median of the three runs with their
   spread, from the requests per second and from the server's CPU time per request
   (which stays meaningful when other programs share the machine).

Servers are stopped by their PID; everything stays on 127.0.0.1.

``--pretix URL TOKEN LIST SECRETS`` sends the same first-scan load, with the same client,
to a pretix server's check-in RPC (``POST URL/checkinrpc/redeem/``, URL being the
organizer's API root, e.g. ``http://127.0.0.1:8345/api/v1/organizers/demo``), one
unused ticket secret (one per line of the SECRETS file) per request, on check-in list
LIST. See docs/performance.md for how to set pretix up.

Run: .venv/bin/python bench/checkin.py [--runs 3] [--py-spy FILE]
Targets: b/a >= 0.5 at 12,000 participants; registration latency growth < 1.5.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback import HttpConnection, Load, Server, participant, percentile, start_server  # noqa: E402

SIZES = (3000, 12000)
CONNECTIONS = (20, 50)
CHECKINS = 2800
WARM_UP = 200  # first check-ins before the measure, so that no run pays a cold start
SLICES = 4  # health and check-ins measured in alternating slices of each run
SMALL, SAMPLE = 100, 200
FILLERS = 50


async def run_clients(conns: list[HttpConnection],
                      work: Callable[[HttpConnection], Awaitable[None]]) -> None:
    await asyncio.gather(*(work(conn) for conn in conns))


async def open_connections(port: int, count: int) -> list[HttpConnection]:
    return [await HttpConnection("127.0.0.1", port, {"Accept-Language": "fr"}).open()
            for _ in range(count)]


# ------------------------------------------------------------------ filling
def scanned(registered: dict[str, str]) -> str:
    """What the desk's scanner reads from this person's pass: its QR's URL (the check-in
    URL where the server gives one, else the pass URL)."""
    return registered.get("checkin_url") or registered["pass_url"]


async def register_up_to(conns: list[HttpConnection], total: int, count: Iterator[int],
                         profile: str, passes: list[str]) -> None:
    """Register concurrently until ``total`` participants exist."""
    todo = iter(range(total - len(passes)))

    async def work(conn: HttpConnection) -> None:
        for _ in todo:
            status, body = await conn.request("POST", "/api/v1/participants",
                                              participant(next(count), profile))
            if status != 201:
                raise SystemExit(f"registration failed: {status} {body[:200]!r}")
            passes.append(scanned(orjson.loads(body)))

    await run_clients(conns, work)


@dataclass
class Filled:
    folders: dict[int, Path]
    passes: list[str]


async def fill(base: Path, sizes: tuple[int, ...]) -> Filled:
    """Register every size in turn through the real server, keeping a stopped copy of
    the event folder at each size."""
    folder, passes, copies = base / "filling", [], {}
    count = itertools.count(1)
    for size in sorted(sizes):
        server = await start_server(folder)
        try:
            conns = await open_connections(server.port, FILLERS)
            await register_up_to(conns, size, count, await first_profile(conns[0]), passes)
            for conn in conns:
                conn.close()
        finally:
            server.stop()  # compacts the journal into db.json
        copies[size] = base / f"event-{size}"
        shutil.copytree(folder, copies[size])
    return Filled(copies, passes)


async def first_profile(conn: HttpConnection) -> str:
    _, body = await conn.request("GET", "/api/v1/event")
    return orjson.loads(body)["profiles"][0]


@dataclass
class Latencies:
    small: list[float]
    large: list[float]
    small_us: float
    large_us: float

    @property
    def growth(self) -> float:
        return statistics.median(self.large) / statistics.median(self.small)


async def registration_latency(filled: Filled, small: int, large: int) -> Latencies:
    """200 sequential registrations on each of two servers running side by side, one at
    ``small`` participants and one at ``large``, alternately: both see the same machine
    (the same other programs, the same disk), so their ratio measures the event's size."""
    servers = []
    for size in (small, large):
        folder = filled.folders[size].with_name(f"latency-{size}")
        shutil.copytree(filled.folders[size], folder)
        servers.append(await start_server(folder))
    try:
        conns = [await HttpConnection("127.0.0.1", s.port, {}).open() for s in servers]
        profile = await first_profile(conns[0])
        count = itertools.count(10**6)
        timings: list[list[float]] = [[], []]
        with Load(servers[0]) as small_load, Load(servers[1]) as large_load:
            for _ in range(SAMPLE):
                for conn, times in zip(conns, timings, strict=True):
                    started = time.perf_counter()
                    status, body = await conn.request("POST", "/api/v1/participants",
                                                      participant(next(count), profile))
                    times.append(time.perf_counter() - started)
                    if status != 201:
                        raise SystemExit(f"registration failed: {status} {body[:200]!r}")
        for conn in conns:
            conn.close()
    finally:
        for server in servers:
            server.stop()
            shutil.rmtree(server.folder, ignore_errors=True)
    return Latencies(timings[0], timings[1], small_load.server_us(SAMPLE),
                     large_load.server_us(SAMPLE))


# ------------------------------------------------------------------ measuring
async def health_rate(conns: list[HttpConnection], seconds: float) -> int:
    done = 0
    stop = time.perf_counter() + seconds

    async def work(conn: HttpConnection) -> None:
        nonlocal done
        while time.perf_counter() < stop:
            status, _ = await conn.request("GET", "/api/v1/health")
            if status != 200:
                raise SystemExit(f"health answered {status}")
            done += 1

    await run_clients(conns, work)
    return done


Scan = Callable[[HttpConnection, str], Awaitable[bool]]


async def first_scans(conns: list[HttpConnection], passes: list[str],
                      scan: Scan) -> tuple[list[float], int]:
    """Each pass scanned once, by whichever connection is free; returns the latencies and
    the count of scans not answered as a first check-in."""
    todo = iter(passes)
    latencies: list[float] = []
    errors = 0

    async def work(conn: HttpConnection) -> None:
        nonlocal errors
        for item in todo:
            started = time.perf_counter()
            ok = await scan(conn, item)
            latencies.append(time.perf_counter() - started)
            errors += not ok

    await run_clients(conns, work)
    return latencies, errors


def popup_scan(desk: str) -> Scan:
    async def scan(conn: HttpConnection, url: str) -> bool:
        status, body = await conn.request("POST", "/api/v1/checkins", {"token": url},
                                          auth=desk)
        return status == 200 and not orjson.loads(body)["already_checked_in"]

    return scan


def pretix_scan(path: str, token: str, checkin_list: int) -> Scan:
    """pretix's check-in RPC: 201 and status "ok" for a first entry."""
    async def scan(conn: HttpConnection, secret: str) -> bool:
        status, body = await conn.request(
            "POST", path, {"secret": secret, "source_type": "barcode",
                           "lists": [checkin_list], "type": "entry"}, auth=token)
        return status == 201 and orjson.loads(body).get("status") == "ok"

    return scan


@dataclass
class Run:
    size: int
    connections: int
    health: float
    health_us: float
    checkins: float
    checkin_us: float
    p99: float
    errors: int
    server_share: float

    @property
    def ratio(self) -> float:
        return self.checkins / self.health

    @property
    def cpu_ratio(self) -> float:
        return self.health_us / self.checkin_us


@dataclass
class Phase:
    """The wall and server CPU time of the slices of one kind of request, summed."""

    wall: float = 0.0
    server_cpu: float = 0.0

    def add(self, load: Load) -> None:
        self.wall += load.wall
        self.server_cpu += load.server_cpu


def py_spy(server: Server, output: str | None) -> subprocess.Popen[bytes] | None:
    """Sample the server during the check-in phase (py-spy, if installed)."""
    if output is None:
        return None
    return subprocess.Popen(["py-spy", "record", "--pid", str(server.proc.pid), "--rate",
                             "500", "--format", "raw", "--output", output, "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


async def one_run(source: Path, size: int, connections: int, passes: list[str],
                  seconds: float, spy: str | None) -> Run:
    folder = source.with_name(f"run-{size}-{connections}")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder)
    chosen = random.sample(passes[:size], WARM_UP + CHECKINS)
    server = await start_server(folder)
    try:
        conns = await open_connections(server.port, connections)
        desk = server.token
        await health_rate(conns, 0.3)
        await first_scans(conns, chosen[:WARM_UP], popup_scan(desk))
        # Health and check-ins in alternating slices, so that both see the same machine:
        # other programs' bursts fall on both alike instead of on one phase.
        health_count, health_phase, phase = 0, Phase(), Phase()
        latencies, errors = [], 0
        sampler = py_spy(server, spy)
        measured = chosen[WARM_UP:]
        step = -(-len(measured) // SLICES)
        for start in range(0, len(measured), step):
            with Load(server) as health_load:
                health_count += await health_rate(conns, seconds / SLICES)
            health_phase.add(health_load)
            with Load(server) as load:
                slice_latencies, slice_errors = await first_scans(
                    conns, measured[start:start + step], popup_scan(desk))
            phase.add(load)
            latencies += slice_latencies
            errors += slice_errors
        if sampler is not None:
            sampler.send_signal(signal.SIGINT)
            _, failure = sampler.communicate()
            if sampler.returncode:
                print(f"py-spy failed: {failure.decode().strip()}")
        for conn in conns:
            conn.close()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return Run(size, connections, health_count / health_phase.wall,
               health_phase.server_cpu / health_count * 1e6, CHECKINS / phase.wall,
               phase.server_cpu / CHECKINS * 1e6, percentile(latencies, 0.99), errors,
               phase.server_cpu / phase.wall)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f} to {max(values):.2f})"


def ms(value: float) -> str:
    return f"{value * 1000:6.2f} ms"


def report(runs: list[Run], latency: Latencies) -> None:
    print(f"\n{'participants':>12} {'conns':>5} {'health/s':>9} {'check-ins/s':>11} "
          f"{'b/a':>5} {'CPU b/a':>7} {'p99':>9} {'errors':>6} {'server CPU':>10}")
    for r in runs:
        print(f"{r.size:>12,} {r.connections:>5} {r.health:>9.0f} {r.checkins:>11.0f} "
              f"{r.ratio:>5.2f} {r.cpu_ratio:>7.2f} {ms(r.p99):>9} {r.errors:>6} "
              f"{r.server_share:>10.0%}")
    print("\nfirst check-ins / health, median of the runs (min to max):")
    for size, connections in itertools.product(SIZES, CONNECTIONS):
        group = [r for r in runs if (r.size, r.connections) == (size, connections)]
        if group:
            print(f"  {size:>6,} participants, {connections} connections: measured "
                  f"{spread([r.ratio for r in group])}, from server CPU per request "
                  f"{spread([r.cpu_ratio for r in group])}; server CPU "
                  f"{statistics.median(r.checkin_us for r in group):.0f} us per check-in, "
                  f"{statistics.median(r.health_us for r in group):.0f} us per health")
    print("\nregistration latency, 200 sequential on each of two servers side by side, "
          "alternately:")
    for size, values, cpu in ((SMALL, latency.small, latency.small_us),
                              (max(SIZES), latency.large, latency.large_us)):
        print(f"  from {size:>6,} participants: median {ms(statistics.median(values))}, p95 "
              f"{ms(percentile(values, 0.95))}, server CPU {cpu:5.0f} us/registration")
    print(f"  growth (median at {max(SIZES):,} / at {SMALL}) = {latency.growth:.2f}, server CPU "
          f"growth = {latency.large_us / latency.small_us:.2f}  (target < 1.5)")
    top = [r for r in runs if r.size == max(SIZES)]
    if top:
        print(f"\nverdict at {max(SIZES):,} participants: b/a median "
              f"{statistics.median(r.ratio for r in top):.2f} measured, "
              f"{statistics.median(r.cpu_ratio for r in top):.2f} from server CPU "
              f"(goal >= 0.5); errors {sum(r.errors for r in runs)}")


async def bench(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    print(f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}; "
          f"{CHECKINS} first check-ins per run, {args.runs} runs per case")
    with tempfile.TemporaryDirectory(prefix="popup-bench-") as tmp:
        filled = await fill(Path(tmp), (SMALL, *SIZES))
        print(f"filled {SMALL}, {', '.join(f'{s:,}' for s in SIZES)} participants in "
              f"{time.perf_counter() - started:.0f} s")
        latency = await registration_latency(filled, SMALL, max(SIZES))
        runs = []
        for number, size in itertools.product(range(args.runs), SIZES):
            for connections in CONNECTIONS:
                spy = (args.py_spy if number == 0 and size == max(SIZES)
                       and connections == CONNECTIONS[0] else None)
                run = await one_run(filled.folders[size], size, connections, filled.passes,
                                    args.seconds, spy)
                print(f"  run {number + 1}: {size:>6,} participants, {connections} conns: "
                      f"b/a {run.ratio:.2f}, CPU b/a {run.cpu_ratio:.2f}", flush=True)
                runs.append(run)
        report(runs, latency)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end; run time "
          f"{time.perf_counter() - started:.0f} s")


# ------------------------------------------------------------------ pretix
async def pretix(url: str, token: str, checkin_list: str, secrets_file: str) -> None:
    """The same first-scan load against pretix's check-in RPC, with the same client."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.rstrip("/"))
    if parts.scheme != "http" or parts.hostname is None:
        raise SystemExit("--pretix URL: an http:// URL (this client speaks plain HTTP/1.1)")
    path = f"{parts.path}/checkinrpc/redeem/"
    secrets = [line.strip() for line in Path(secrets_file).read_text().splitlines()
               if line.strip()]
    need = len(CONNECTIONS) * 100
    if len(secrets) < need:
        raise SystemExit(f"{secrets_file}: {len(secrets)} secrets, at least {need} needed "
                         "(each used once, half per connection count)")
    share = len(secrets) // len(CONNECTIONS)
    scan = pretix_scan(path, token, int(checkin_list))
    for number, connections in enumerate(CONNECTIONS):
        batch = secrets[number * share:(number + 1) * share]
        try:
            conns = [await HttpConnection(parts.hostname, parts.port or 80, {},
                                          auth_scheme="Token").open()
                     for _ in range(connections)]
        except OSError as exc:
            raise SystemExit(f"--pretix {url}: cannot connect ({exc.strerror})") from None
        wall = time.perf_counter()
        latencies, errors = await first_scans(conns, batch, scan)
        wall = time.perf_counter() - wall
        reopened = sum(conn.reopened for conn in conns)
        for conn in conns:
            conn.close()
        print(f"pretix, {connections} connections: {len(batch) / wall:7.0f} first check-ins/s, "
              f"errors {errors}, p99 {ms(percentile(latencies, 0.99))}, "
              f"{len(batch)} secrets, {reopened} reconnections")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per case (default 3)")
    parser.add_argument("--seconds", type=float, default=1.5,
                        help="duration of each health phase (default 1.5)")
    parser.add_argument("--py-spy", metavar="FILE",
                        help="sample the server with py-spy during the first 12,000-participant "
                             "check-in phase; collapsed stacks to FILE")
    parser.add_argument("--pretix", nargs=4, metavar=("URL", "TOKEN", "LIST", "SECRETS"),
                        help="send the first-scan load to pretix instead (see the docstring)")
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        run = asyncio.run
    else:
        run = uvloop.run
    if args.pretix:
        run(pretix(*args.pretix))
    else:
        run(bench(args))


if __name__ == "__main__":
    main()
