"""The last places of a workshop: hundreds of phones press "register" at the same instant.

On loopback, against ``popup up --headless`` with the embedded kit: N participants
register at the desk, then each opens its own connection and, all together, asks for
a place in the workshop "visio" (12 places), then for a coworking seat in the morning
slot (12 seats). Then the pages that live.js re-fetches on every event are timed.

Prints latency per step (p50, p95, max), the outcome (must be exactly 12 confirmed and
N - 12 waiting with positions 1..N - 12; 12 seats and N - 12 refusals) and the time to
render the pass page, its fragment and the screen's fragment.

Run: /work/venv/bin/python bench/workshop_rush.py [--phones 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loopback import HttpConnection, participant, start_server  # noqa: E402


def figures(name: str, seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (f"{name:<28} n={len(ordered):<4} p50={statistics.median(ordered) * 1000:7.1f} ms"
            f"  p95={p95 * 1000:7.1f} ms  max={ordered[-1] * 1000:7.1f} ms")


async def press_all(port: int, tokens: list[str], method: str, path: str,
                    payload: object = None) -> tuple[list[tuple[int, bytes]], list[float]]:
    """Every phone connected first, then all requests written at the same instant."""
    conns = [await HttpConnection("127.0.0.1", port, {}).open() for _ in tokens]
    start = asyncio.Event()
    times: list[float] = []

    async def press(conn: HttpConnection, token: str) -> tuple[int, bytes]:
        await start.wait()
        began = time.perf_counter()
        answer = await conn.request(method, path, payload, auth=token)
        times.append(time.perf_counter() - began)
        conn.close()
        return answer

    tasks = [asyncio.create_task(press(c, t)) for c, t in zip(conns, tokens, strict=True)]
    await asyncio.sleep(0.05)
    start.set()
    return await asyncio.gather(*tasks), times


async def timed_gets(port: int, path: str, times: int = 50) -> list[float]:
    conn = await HttpConnection("127.0.0.1", port, {}).open()
    spent = []
    for _ in range(times):
        began = time.perf_counter()
        status, _ = await conn.request("GET", path)
        assert status == 200, (path, status)
        spent.append(time.perf_counter() - began)
    conn.close()
    return spent


async def main(phones: int) -> None:
    import orjson

    with tempfile.TemporaryDirectory() as tmp:
        server = await start_server(Path(tmp) / "event", None)
        try:
            token = server.token
            desk = await HttpConnection("127.0.0.1", server.port, {}).open()
            tokens = []
            for n in range(phones):
                status, body = await desk.request("POST", "/api/v1/participants",
                                                  participant(n, "Habitant·e"), auth=token)
                assert status == 201, body
                tokens.append(orjson.loads(body)["token"])
            desk.close()

            answers, times = await press_all(server.port, tokens, "POST",
                                             "/api/v1/workshops/visio/registrations")
            results = [orjson.loads(body) for _, body in answers]
            confirmed = sum(r.get("status") == "confirmed" for r in results)
            positions = sorted(r["position"] for r in results if r.get("status") == "waitlisted")
            print(figures("workshop registration", times))
            print(f"  confirmed={confirmed} (capacity 12), waiting={len(positions)}, positions "
                  f"1..{phones - 12} exact: {positions == list(range(1, phones - 11))}")

            answers, times = await press_all(server.port, tokens, "POST",
                                             "/api/v1/seats/bookings",
                                             {"slot_id": "matin", "space_id": "coworking"})
            booked = [orjson.loads(b)["seat"] for s, b in answers if s == 201]
            print(figures("seat booking", times))
            print(f"  seats booked={len(booked)} (12 in the zone), distinct seats 1..12: "
                  f"{sorted(booked) == list(range(1, 13))}, refused="
                  f"{sum(s == 409 for s, _ in answers)}")

            print(figures("GET /pass/<token>", await timed_gets(server.port,
                                                                f"/pass/{tokens[-1]}")))
            print(figures("GET /pass/<token>/fragment",
                          await timed_gets(server.port, f"/pass/{tokens[-1]}/fragment")))
            print(figures("GET /screen/fragment", await timed_gets(server.port,
                                                                   "/screen/fragment")))
        finally:
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300)
    asyncio.run(main(parser.parse_args().phones))
