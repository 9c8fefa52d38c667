"""What the benchmarks share: a lean HTTP/1.1 client, the real server started on a free
loopback port (stopped by its PID), and the CPU both sides spent during a phase.

Not a benchmark itself; ``bench/checkin.py``, ``arrivals.py``, ``capacity.py`` and the
others import it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


class HttpConnection:
    """A minimal HTTP/1.1 keep-alive client over asyncio streams.

    httpx is the project's client elsewhere, but a benchmark client has to cost far
    less CPU than the server it measures; on a shared 2-core machine httpx's per-request
    overhead is of the same order as Sanic's (docs/performance.md).
    A server that closes after each answer (gunicorn's sync workers, for a peer) is
    followed: the next request opens a new connection."""

    def __init__(self, host: str, port: int, headers: dict[str, str],
                 auth_scheme: str = "Bearer") -> None:
        self.host, self.port = host, port
        self.prefix = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}",
                                                            **headers}.items())
        self.auth_scheme = auth_scheme
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reopened = 0

    async def open(self) -> HttpConnection:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self

    async def request(self, method: str, path: str, payload: object = None,
                      auth: str | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            await self.open()
            self.reopened += 1
        assert self.reader is not None and self.writer is not None
        body = b"" if payload is None else orjson.dumps(payload)
        head = f"{method} {path} HTTP/1.1\r\n{self.prefix}"
        if auth:
            head += f"Authorization: {self.auth_scheme} {auth}\r\n"
        if payload is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        if b"content-length" in headers:
            answer = await self.reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            answer = await self._chunks()
        else:
            raise RuntimeError(f"{method} {path}: response without a length")
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return status, answer

    async def _chunks(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append((await self.reader.readexactly(size + 2))[:-2])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    port: int
    folder: Path

    @property
    def token(self) -> str:
        return (self.folder / "concierge.token").read_text().strip()

    def cpu_seconds(self) -> float:
        """User and system time of every thread (the commit's fsync thread included)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def start_server(folder: Path, profile: str | None = None) -> Server:
    """``popup up --headless`` on a free loopback port; optionally under cProfile."""
    port = free_port()
    profiler = ["-m", "cProfile", "-o", profile] if profile else []
    with open(folder.parent / "server.out", "ab") as log:  # the child keeps its own copy
        proc = subprocess.Popen(
            [sys.executable, *profiler, "-m", "popup_tierslieu", "up", "--headless",
             "--no-mdns", "--host", "127.0.0.1", "--port", str(port), "--data", str(folder)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT,
            # Every registration comes from this one address: lift the per-address limit
            # that stops a script filling a real event (web/security.py).
            env={**os.environ, "POPUP_LANG": "en", "POPUP_RATE_REGISTER": "1000000/1"})
    server = Server(proc, port, folder)
    deadline = time.monotonic() + 60
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
            await asyncio.sleep(0.05)
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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
