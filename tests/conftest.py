"""Shared fixtures: a real ``popup up --headless`` server on 127.0.0.1, stopped by its PID."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
KITS = ROOT / "kits"


@pytest.fixture(autouse=True, scope="session")
def people_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The territory key of ``popup purge`` and ``popup report``: the tests' own, never
    the one in the home folder of whoever runs them (subprocesses inherit it)."""
    path = tmp_path_factory.mktemp("territory") / "people.key"
    before = os.environ.get("POPUP_PEOPLE_KEY")
    os.environ["POPUP_PEOPLE_KEY"] = str(path)
    yield path
    if before is None:
        del os.environ["POPUP_PEOPLE_KEY"]
    else:
        os.environ["POPUP_PEOPLE_KEY"] = before


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server process and what a client needs to talk to it."""

    data_dir: Path
    port: int
    kit: str | None = None
    extra: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return (self.data_dir / "concierge.token").read_text().strip()

    @property
    def concierge(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def start(self, timeout: float = 20.0) -> Server:
        command = [sys.executable, "-m", "popup_tierslieu", "up", "--headless", "--no-mdns",
                   "--host", "127.0.0.1", "--port", str(self.port), "--data", str(self.data_dir),
                   *self.extra]
        if self.kit:
            command.insert(4, self.kit)
        log = open(self.data_dir.parent / f"server-{self.port}.out", "ab")
        env = {**os.environ, "POPUP_LANG": "en"}
        self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, cwd=self.data_dir.parent)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: "
                                   + self.output())
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=0.5).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not become ready: " + self.output())

    def output(self) -> str:
        path = self.data_dir.parent / f"server-{self.port}.out"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15.0) -> int | None:
        """Stop by PID (SIGINT, like Ctrl-C); SIGKILL only if it does not stop in time."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        os.kill(self.proc.pid, sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(5)

    def kill(self) -> None:
        """A pulled plug: SIGKILL, no chance to save anything more."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)

    def csrf(self, client: httpx.Client) -> str:
        """The value a form post must carry in its ``csrf`` field: the client's CSRF
        cookie, set by the first page it fetched (web/security.py)."""
        if "csrf" not in client.cookies:
            client.get(self.url + "/")
        return client.cookies["csrf"]

    def register(self, client: httpx.Client | None = None, **fields: object) -> dict:
        body = {"name": "Camille Martin", "profile": "Habitant·e", "commune": "Lourmarin",
                "consent": True, "charter": True, **fields}
        response = (client or httpx).post(self.url + "/api/v1/participants", json=body,
                                          timeout=10)
        assert response.status_code == 201, response.text
        return response.json()


@contextlib.contextmanager
def module_server(folder: Path, kit: Path | str | None = None) -> Iterator[Server]:
    """One server shared by a test module (starting one costs seconds on a busy machine),
    stopped by its PID at the end."""
    server = Server(folder / "event", free_port(), str(kit) if kit else None).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def make_server(tmp_path: Path) -> Iterator:
    """Start servers on free loopback ports; every one is stopped at the end of the test."""
    started: list[Server] = []

    def make(kit: str | None = None, extra: list[str] | None = None,
             data_dir: Path | None = None, start: bool = True) -> Server:
        folder = data_dir or tmp_path / f"event-{len(started)}"
        server = Server(folder, free_port(), kit, extra or [])
        started.append(server)
        return server.start() if start else server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def server(make_server) -> Server:
    """One server on the embedded default kit."""
    return make_server()
