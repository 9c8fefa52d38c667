"""Check-in benchmark: how fast the desk can check people in, and whether registering
slows down as the event fills.

Starts the real server (``python -m popup_tierslieu up --headless``) on a free loopback
port with a throw-away event folder, then, in one run:

1. registers 100 participants, and times 200 sequential registrations (size ~100);
2. registers up to 3,000 participants (50 clients at once);
3. throughput of ``GET /api/v1/health`` with 50 concurrent keep-alive clients (a);
4. throughput of ``POST /api/v1/checkins`` with 50 concurrent clients (b), each request
   the first check-in of a different participant, so each one is a durable write;
5. registers up to 5,000 and times 200 sequential registrations again (size ~5,000).

It prints (a), (b), b/a, the latency figures and their growth, how busy the client and
the server were (CPU seconds over wall seconds), so a reader can tell which side was the
bottleneck, and the server's CPU time per request, which stays meaningful when other
programs share the machine (requests per second do not). The server is stopped by its
PID.

Run: /work/venv/bin/python bench/checkin.py [--seconds 5] [--compare-httpx]
Targets: b/a >= 0.25 (goal 0.5); registration latency growth (5,000 / 100) < 2.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 50
CHECKINS = 3000
SMALL, LARGE, SAMPLE = 100, 5000, 200
TICKS = os.sysconf("SC_CLK_TCK")


class HttpConnection:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams.

    httpx is the project's client elsewhere, but a benchmark client has to cost far
    less CPU than the server it measures; on a shared 2-core machine httpx's per-request
    overhead is of the same order as Sanic's (see ``--compare-httpx``)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.prefix = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}",
                                                            **headers}.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> HttpConnection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self

    async def request(self, method: str, path: str, payload: object = None,
                      auth: str | None = None) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        body = b"" if payload is None else json.dumps(payload).encode()
        head = f"{method} {path} HTTP/1.1\r\n{self.prefix}"
        if auth:
            head += f"Authorization: Bearer {auth}\r\n"
        if payload is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"{method} {path}: response without Content-Length")
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    folder: Path

    @property
    def token(self) -> str:
        return (self.folder / "concierge.token").read_text().strip()

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def start_server(folder: Path, profile: str | None) -> Server:
    port = free_port()
    profiler = ["-m", "cProfile", "-o", profile] if profile else []
    with open(folder.parent / "server.out", "wb") as log:  # the child keeps its own copy
        proc = subprocess.Popen(
            [sys.executable, *profiler, "-m", "popup_tierslieu", "up", "--headless",
             "--no-mdns", "--host", "127.0.0.1", "--port", str(port), "--data", str(folder)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
            # Every registration comes from this one address: lift the per-address limit
            # that stops a script filling a real event (web/security.py).
            env={**os.environ, "POPUP_LANG": "en", "POPUP_RATE_REGISTER": "1000000/1"})
    server = Server(proc, port, folder)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("server exited: " + (folder.parent / "server.out").read_text())
        try:
            conn = await HttpConnection("127.0.0.1", port, {}).open()
            status, _ = await conn.request("GET", "/api/v1/health")
            conn.close()
            if status == 200:
                return server
        except OSError:
            await asyncio.sleep(0.1)
    server.stop()
    raise SystemExit("server did not become ready")


class Load:
    """CPU of both sides over the wall time of one phase."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def __enter__(self) -> Load:
        self.wall = time.perf_counter()
        self.client_cpu = time.process_time()
        self.server_cpu = self.server.cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.client_cpu = time.process_time() - self.client_cpu
        self.server_cpu = self.server.cpu_seconds() - self.server_cpu

    def __str__(self) -> str:
        return (f"client CPU {self.client_cpu / self.wall:4.0%}, "
                f"server CPU {self.server_cpu / self.wall:4.0%} of one core")

    def server_us(self, requests: int) -> float:
        """Server CPU microseconds per request: unlike requests per second, it does not
        depend on how much of the machine other programs take meanwhile."""
        return self.server_cpu / requests * 1e6


def participant(number: int, profile: str) -> dict[str, object]:
    return {"name": f"Participant·e {number}", "profile": profile, "commune": "Lourmarin",
            "consent": True, "charter": True}


async def run_clients(conns: list[HttpConnection],
                      work: Callable[[HttpConnection], Awaitable[None]]) -> None:
    await asyncio.gather(*(work(conn) for conn in conns))


async def register_up_to(conns: list[HttpConnection], total: int, count: Iterator[int],
                         profile: str, tokens: list[str], have: int) -> None:
    """Register concurrently until ``total`` participants exist."""
    todo = iter(range(total - have))

    async def work(conn: HttpConnection) -> None:
        for _ in todo:
            status, body = await conn.request("POST", "/api/v1/participants",
                                              participant(next(count), profile))
            if status != 201:
                raise SystemExit(f"registration failed: {status} {body[:200]!r}")
            tokens.append(json.loads(body)["token"])

    await run_clients(conns, work)


async def timed_registrations(conn: HttpConnection, count: Iterator[int], profile: str,
                              tokens: list[str]) -> list[float]:
    latencies = []
    for _ in range(SAMPLE):
        started = time.perf_counter()
        status, body = await conn.request("POST", "/api/v1/participants",
                                          participant(next(count), profile))
        latencies.append(time.perf_counter() - started)
        if status != 201:
            raise SystemExit(f"registration failed: {status} {body[:200]!r}")
        tokens.append(json.loads(body)["token"])
    return latencies


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


async def check_in_all(conns: list[HttpConnection], tokens: list[str], desk: str) -> None:
    todo = iter(tokens)

    async def work(conn: HttpConnection) -> None:
        for token in todo:
            status, body = await conn.request("POST", "/api/v1/checkins", {"token": token},
                                              auth=desk)
            if status != 200 or json.loads(body)["already_checked_in"]:
                raise SystemExit(f"check-in failed: {status} {body[:200]!r}")

    await run_clients(conns, work)


async def httpx_health_rate(port: int, seconds: float) -> int:
    import httpx

    done = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits) as http:
        async def work() -> None:
            nonlocal done
            while time.perf_counter() < stop:
                (await http.get("/api/v1/health")).raise_for_status()
                done += 1

        await asyncio.gather(*(work() for _ in range(CLIENTS)))
    return done


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def ms(value: float) -> str:
    return f"{value * 1000:6.2f} ms"


async def bench(seconds: float, compare_httpx: bool, profile: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="popup-bench-") as tmp:
        server = await start_server(Path(tmp) / "event", profile)
        try:
            await measure(server, seconds, compare_httpx)
        finally:
            server.stop()


async def measure(server: Server, seconds: float, compare_httpx: bool) -> None:
    headers = {"Accept-Language": "fr"}
    conns = [await HttpConnection("127.0.0.1", server.port, headers).open()
             for _ in range(CLIENTS)]
    status, body = await conns[0].request("GET", "/api/v1/event")
    profile = json.loads(body)["profiles"][0]
    desk = server.token
    count = itertools.count(1)
    tokens: list[str] = []
    print(f"server PID {server.proc.pid} on 127.0.0.1:{server.port}, "
          f"{os.cpu_count()} CPU(s), {CLIENTS} clients")

    await register_up_to(conns, SMALL, count, profile, tokens, 0)
    with Load(server) as small_load:
        small = await timed_registrations(conns[0], count, profile, tokens)

    with Load(server) as filling:
        before = len(tokens)
        await register_up_to(conns, CHECKINS, count, profile, tokens, len(tokens))
    print(f"registrations, {CLIENTS} at once: {(len(tokens) - before) / filling.wall:7.0f}"
          f"/s  ({filling})")

    await health_rate(conns, 0.5)  # warm-up
    with Load(server) as health_load:
        health_count = await health_rate(conns, seconds)
    health = health_count / health_load.wall
    health_us = health_load.server_us(health_count)
    print(f"(a) GET  /api/v1/health:   {health:7.0f} requests/s, server CPU {health_us:5.0f} us"
          f"/request  ({health_load})")

    with Load(server) as checkin_load:
        await check_in_all(conns, tokens[:CHECKINS], desk)
    checkins = CHECKINS / checkin_load.wall
    checkin_us = checkin_load.server_us(CHECKINS)
    print(f"(b) POST /api/v1/checkins: {checkins:7.0f} check-ins/s, server CPU {checkin_us:5.0f} "
          f"us/request  ({checkin_load}; {CHECKINS} first check-ins, each fsynced)")
    print(f"    b/a = {checkins / health:.2f} measured; {health_us / checkin_us:.2f} from server "
          f"CPU per request (target >= 0.25, goal 0.5)")

    if compare_httpx:
        with Load(server) as httpx_load:
            rate = await httpx_health_rate(server.port, seconds) / seconds
        print(f"    the same (a) with httpx.AsyncClient: {rate:7.0f} requests/s ({httpx_load})")

    await register_up_to(conns, LARGE, count, profile, tokens, len(tokens))
    with Load(server) as large_load:
        large = await timed_registrations(conns[0], count, profile, tokens)
    for conn in conns:
        conn.close()

    growth = statistics.median(large) / statistics.median(small)
    for size, latencies, load in ((SMALL, small, small_load), (LARGE, large, large_load)):
        print(f"registration latency, {SAMPLE} sequential, at {size:>5}: "
              f"median {ms(statistics.median(latencies))}, p95 {ms(percentile(latencies, 0.95))}"
              f", server CPU {load.server_us(SAMPLE):5.0f} us/registration")
    print(f"    growth (median at {LARGE} / at {SMALL}) = {growth:.2f}, p95 growth = "
          f"{percentile(large, 0.95) / percentile(small, 0.95):.2f}, server CPU growth = "
          f"{large_load.server_cpu / small_load.server_cpu:.2f}  (target < 2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="duration of the health throughput phase")
    parser.add_argument("--compare-httpx", action="store_true",
                        help="also measure (a) with httpx.AsyncClient, to size the client")
    parser.add_argument("--profile", metavar="FILE",
                        help="run the server under cProfile and write its statistics to FILE "
                             "(read them with: python -m pstats FILE)")
    args = parser.parse_args()
    profile = str(Path(args.profile).resolve()) if args.profile else None
    try:
        import uvloop
    except ImportError:
        asyncio.run(bench(args.seconds, args.compare_httpx, profile))
    else:
        uvloop.run(bench(args.seconds, args.compare_httpx, profile))


if __name__ == "__main__":
    main()
