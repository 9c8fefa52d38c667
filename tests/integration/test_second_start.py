"""``popup up`` takes the folder's lock before it writes anything: a second start on a
folder in use touches no file and names the running server; ``popup stop`` finds the
server through the lock; a folder that cannot be written is one line, not a traceback."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port


def popup(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "popup_tierslieu", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env={**os.environ, "POPUP_LANG": "en"})


def popup_at_a_terminal(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``popup`` run from a terminal, as the console needs; stderr kept apart."""
    master, slave = pty.openpty()
    try:
        return subprocess.run([sys.executable, "-m", "popup_tierslieu", *args], cwd=cwd,
                              stdin=slave, stdout=slave, stderr=subprocess.PIPE, text=True,
                              timeout=60, env={**os.environ, "POPUP_LANG": "fr"})
    finally:
        os.close(slave)
        os.close(master)


def assert_unreadable_token_said(answer: subprocess.CompletedProcess[str], token: Path,
                                 fix: str) -> None:
    assert answer.returncode == 1
    lines = answer.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith(
        "popup: Impossible de lire le jeton de conciergerie " + str(token)), answer.stderr
    assert "Solution :" in lines[0] and fix in lines[0], answer.stderr


def listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def test_a_second_start_touches_nothing_and_popup_stop_finds_the_server(make_server,
                                                                        tmp_path):
    server = make_server()
    server.register(name="Hélène Roux")
    other_kit = tmp_path / "other.toml"
    assert popup("kit", "new", str(other_kit)).returncode == 0
    before = listing(server.data_dir)
    second = popup("up", str(other_kit), "--headless", "--no-mdns", "--host", "127.0.0.1",
                   "--port", str(free_port()), "--data", str(server.data_dir))
    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert f"PID {server.proc.pid}" in lines[0] and server.url in lines[0]
    assert listing(server.data_dir) == before, "the second start changed a file"
    stop = popup("stop", "--data", str(server.data_dir))
    assert stop.returncode == 0, stop.stderr
    assert server.proc.wait(15) == 0
    assert "Hélène Roux" in (server.data_dir / "db.json").read_text()


@pytest.mark.parametrize("kind", ["under a file", "read-only"])
def test_a_folder_that_cannot_be_written_is_one_line(tmp_path, kind):
    if kind == "under a file":
        (tmp_path / "a-file").write_text("x")
        folder = tmp_path / "a-file" / "event"
    else:
        if os.geteuid() != 0 or not shutil.which("mount"):
            pytest.skip("a read-only mount needs root")
        folder = tmp_path / "ro"
        folder.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
                       check=True)
    try:
        answer = popup("up", "--headless", "--no-mdns", "--host", "127.0.0.1", "--port",
                       str(free_port()), "--data", str(folder))
    finally:
        if kind == "read-only":
            subprocess.run(["umount", "-l", str(folder)], check=False)
    assert answer.returncode == 1
    lines = answer.stderr.strip().splitlines()
    assert len(lines) == 1 and str(folder) in lines[0] and "--data" in lines[0], answer.stderr


# A token that cannot be read: a folder in its place (chmod 000 stops no one as root).
@pytest.mark.parametrize("console", [False, True], ids=["headless", "with the console"])
def test_a_token_file_that_cannot_be_read_stops_popup_up_with_one_french_line(tmp_path,
                                                                              console):
    token = tmp_path / "event" / "concierge.token"
    token.mkdir(parents=True)
    answer = popup_at_a_terminal("up", *([] if console else ["--headless"]), "--no-mdns",
                                 "--host", "127.0.0.1", "--port", str(free_port()), "--data",
                                 str(token.parent), cwd=tmp_path)
    assert_unreadable_token_said(answer, token, "supprimez-le")


def test_attaching_with_a_token_file_that_cannot_be_read_is_one_french_line(make_server,
                                                                            tmp_path):
    server = make_server()
    token = server.data_dir / "concierge.token"
    token.unlink()
    token.mkdir()
    answer = popup_at_a_terminal("up", "--attach", "--data", str(server.data_dir),
                                 cwd=tmp_path)
    assert_unreadable_token_said(answer, token, "popup console --url " + server.url)
