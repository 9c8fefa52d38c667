"""What `popup up` prints on a real terminal (a pseudo-terminal): our French banner, and
no library line (Sanic prints its "PRODUCTION mode" notice only on a TTY)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time

from tests.conftest import free_port


def read_until(fd: int, needle: str, timeout: float = 20.0) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:  # the server exited and closed the terminal
                break
    return seen.decode(errors="replace")


def test_the_terminal_shows_our_french_banner_and_no_library_line(tmp_path):
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANIC_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "popup_tierslieu", "up", "--headless", "--no-mdns", "--host",
         "127.0.0.1", "--port", str(free_port()), "--data", str(tmp_path / "event")],
        stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, cwd=tmp_path,
        env={**env, "POPUP_LANG": "fr"})
    os.close(slave)
    try:
        shown = read_until(master, "Ctrl-C")
    finally:
        os.kill(proc.pid, signal.SIGINT)
        proc.wait(15)
        os.close(master)
    assert "Portail pour les téléphones" in shown, shown
    for english in ("PRODUCTION", "Sanic", "Consider using"):
        assert english not in shown, shown


def test_popup_up_shows_the_portal_and_the_second_desk_command_before_the_console(tmp_path):
    from popup_tierslieu.folderlock import lock_holder

    master, slave = pty.openpty()
    port, folder = free_port(), tmp_path / "event"
    proc = subprocess.Popen(
        [sys.executable, "-m", "popup_tierslieu", "up", "--no-mdns", "--host", "127.0.0.1",
         "--port", str(port), "--data", str(folder)],
        stdin=slave, stdout=slave, stderr=slave, cwd=tmp_path,
        env={**os.environ, "POPUP_LANG": "fr"})
    os.close(slave)
    try:
        shown = read_until(master, "ouvrir la console")
    finally:
        server = lock_holder(folder).get("pid")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(15)
        if isinstance(server, int):
            os.kill(server, signal.SIGINT)
        os.close(master)
    assert "Portail pour les téléphones" in shown and f"127.0.0.1:{port}" in shown, shown
    assert "█" in shown or "▀" in shown, "the portal's QR code"
    assert (f'popup console --url http://127.0.0.1:{port} --token "$(cat concierge.token)"'
            in shown), shown
    assert str(folder / "concierge.token") in shown.replace("\r\n", "")
