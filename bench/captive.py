"""A wave of phones joining the hotspot, on loopback: each one asks the captive DNS
for its OS's probe host, sends the probe (redirected to the portal), opens the
welcome page, registers, and sends the probe again (now "online").

Every phone has its own loopback source address (127.0.1.x, 127.0.2.x...), as it
would have its own address on the hotspot. Prints, per step, the count, errors
(must be 0) and p50/p95/p99 latency, then the DNS throughput over UDP when the
phones all ask at once.
Targets: no error; p99 under 100 ms for DNS and probes, under 300 ms for a
registration, while 200 phones arrive at once.

Run: /work/venv/bin/python bench/captive.py [--phones 200]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
from dnslib import DNSRecord

ROOT = Path(__file__).resolve().parent.parent
TLS = ssl.create_default_context()
PROBE_HOSTS = [("connectivitycheck.gstatic.com", "/generate_204"),
               ("captive.apple.com", "/hotspot-detect.html"),
               ("www.msftconnecttest.com", "/connecttest.txt"),
               ("detectportal.firefox.com", "/canonical.html")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DnsClient(asyncio.DatagramProtocol):
    """One UDP socket for every phone; answers matched by query id."""

    def __init__(self) -> None:
        self.waiting: dict[int, asyncio.Future[bytes]] = {}

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        future = self.waiting.pop(DNSRecord.parse(data).header.id, None)
        if future is not None and not future.done():
            future.set_result(data)


async def phone(number: int, port: int, dns: DnsClient, transport: asyncio.DatagramTransport,
                dns_port: int, timings: dict[str, list[float]], errors: dict[str, int],
                ready: asyncio.Event) -> None:
    host, path = PROBE_HOSTS[number % len(PROBE_HOSTS)]
    source = f"127.0.{1 + number // 250}.{1 + number % 250}"
    url = f"http://127.0.0.1:{port}"

    async def step(name: str, work):
        start = time.perf_counter()
        try:
            ok = await work()
        except (httpx.HTTPError, TimeoutError):
            ok = False
        timings[name].append(time.perf_counter() - start)
        if not ok:
            errors[name] += 1

    async def ask() -> bool:
        query = DNSRecord.question(host)
        query.header.id = number + 1
        future = asyncio.get_running_loop().create_future()
        dns.waiting[query.header.id] = future
        transport.sendto(query.pack(), ("127.0.0.1", dns_port))
        answer = DNSRecord.parse(await asyncio.wait_for(future, 5))
        return str(answer.rr[0].rdata) == "127.0.0.1"

    # One TLS context for all: building one per phone would cost the bench seconds.
    transport_http = httpx.AsyncHTTPTransport(local_address=source, verify=TLS)
    async with httpx.AsyncClient(transport=transport_http, timeout=10) as client:
        await ready.wait()
        probe_headers = {"Host": host}

        async def probe_redirected() -> bool:
            return (await client.get(url + path, headers=probe_headers)).status_code == 302

        async def welcome() -> bool:
            return (await client.get(url + "/welcome")).status_code == 200

        async def register() -> bool:
            body = {"name": f"Phone {number}", "profile": "Habitant·e", "commune": "Lourmarin",
                    "consent": True, "charter": True}
            return (await client.post(url + "/api/v1/participants", json=body)).status_code == 201

        async def probe_online() -> bool:
            status = (await client.get(url + path, headers=probe_headers)).status_code
            return status in (200, 204)

        await step("dns", ask)
        await step("probe before", probe_redirected)
        await step("welcome page", welcome)
        await step("register", register)
        await step("probe after", probe_online)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def dns_burst(dns_port: int, count: int, in_flight: int = 64) -> tuple[float, int]:
    """Queries per second (and queries lost) with ``in_flight`` queries outstanding."""
    loop = asyncio.get_running_loop()
    client = DnsClient()
    transport, _ = await loop.create_datagram_endpoint(lambda: client,
                                                       local_addr=("127.0.0.1", 0))
    lost = 0
    ids = itertools.cycle(range(1, 65536))

    async def asker(share: int) -> None:
        nonlocal lost
        for number in range(share):
            query = DNSRecord.question(f"host{number}.example")
            query.header.id = next(ids)  # unique while in flight: random ids would collide
            future = loop.create_future()
            client.waiting[query.header.id] = future
            transport.sendto(query.pack(), ("127.0.0.1", dns_port))
            try:
                await asyncio.wait_for(future, 2)
            except TimeoutError:
                lost += 1

    start = time.perf_counter()
    await asyncio.gather(*(asker(count // in_flight) for _ in range(in_flight)))
    elapsed = time.perf_counter() - start
    transport.close()
    return (count // in_flight * in_flight - lost) / elapsed, lost


async def main(phones: int) -> None:
    port, dns_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="popup-bench-captive-") as place:
        log = open(Path(place) / "server.out", "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "popup_tierslieu", "up", "--headless", "--no-mdns",
             "--captive", "--host", "127.0.0.1", "--port", str(port), "--dns-port",
             str(dns_port), "--data", str(Path(place) / "event")],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            env={**os.environ, "POPUP_LANG": "en", "POPUP_RATE_REGISTER": "1000000/1"})
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=0.5)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise SystemExit("server did not start") from None
                    await asyncio.sleep(0.1)
            loop = asyncio.get_running_loop()
            client = DnsClient()
            transport, _ = await loop.create_datagram_endpoint(
                lambda: client, local_addr=("127.0.0.1", 0))
            timings: dict[str, list[float]] = defaultdict(list)
            errors: dict[str, int] = defaultdict(int)
            ready = asyncio.Event()
            wave = [asyncio.create_task(phone(n, port, client, transport, dns_port, timings,
                                              errors, ready)) for n in range(phones)]
            await asyncio.sleep(0.5)  # every phone has its client: now they all arrive
            start = time.perf_counter()
            ready.set()
            await asyncio.gather(*wave)
            wall = time.perf_counter() - start
            transport.close()
            print(f"{phones} phones joined at once in {wall:.1f} s")
            print(f"{'step':<14}{'count':>6}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
            for name, values in timings.items():
                print(f"{name:<14}{len(values):>6}{errors[name]:>8}"
                      f"{statistics.median(values) * 1000:>9.1f}{percentile(values, 0.95):>9.1f}"
                      f"{percentile(values, 0.99):>9.1f}")
            rate, lost = await dns_burst(dns_port, 6400)
            print(f"DNS over UDP, 64 queries in flight: {rate:.0f} queries/s, {lost} lost")
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(15)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    asyncio.run(main(parser.parse_args().phones))
