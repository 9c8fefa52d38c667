"""A pulled plug, for real: a loop-mounted ext4 whose log is thrown away mid-load
(FS_IOC_SHUTDOWN with NOLOGFLUSH: what reached the disk stays, the rest is gone, as
after a power cut), ten times under concurrent mixed writes. Each time: every write
answered as saved is there, none answered 503 is, no request is there by half.
(kill -9 under the same load: tests/integration/test_faults.py.)"""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import struct
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from popup_tierslieu.store import load_tables
from tests.conftest import free_port
from tests.mixed_load import MixedLoad, check

FS_IOC_SHUTDOWN = 0x8004587D  # _IOR('X', 125, __u32)
FSOP_GOING_FLAGS_NOLOGFLUSH = 0x2
TRIALS = 10


def start(folder: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A server on a free loopback port, its output outside the disk that will fail."""
    port = free_port()
    env = {**os.environ, "POPUP_LANG": "en", "POPUP_RATE_REGISTER": "100000/1"}
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "popup_tierslieu", "up", "--headless", "--no-mdns", "--host",
             "127.0.0.1", "--port", str(port), "--data", str(folder)],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url + "/api/v1/health", timeout=0.5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server did not start: " + log.read_text(errors="replace")[-2000:])


def kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, 9)
    proc.wait(10)


def can_mount_loop() -> str | None:
    """Why the power-cut test cannot run here, or None."""
    if os.geteuid() != 0:
        return "mounting a loop device and shutting its file system down needs root"
    if not (shutil.which("mkfs.ext4") and shutil.which("mount")):
        return "mkfs.ext4 or mount is missing"
    if not Path("/dev/loop-control").exists():
        return "no loop device on this machine (/dev/loop-control)"
    return None


@pytest.fixture
def ext4(tmp_path):
    """A small ext4 file system on a loop device; yields (mount point, remount)."""
    reason = can_mount_loop()
    if reason:
        pytest.skip(reason)
    image, mount_point = tmp_path / "disk.img", tmp_path / "disk"
    mount_point.mkdir()
    with open(image, "wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True, capture_output=True)

    def mount() -> None:
        done = subprocess.run(["mount", "-o", "loop", str(image), str(mount_point)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a loop device here: {done.stderr.strip()}")

    def remount() -> None:
        subprocess.run(["umount", str(mount_point)], check=True)
        mount()

    mount()
    yield mount_point, remount
    subprocess.run(["umount", str(mount_point)], check=False)


def shutdown(mount_point: Path) -> None:
    """The power cut: the file system stops, its log is not flushed."""
    fd = os.open(mount_point, os.O_RDONLY)
    try:
        fcntl.ioctl(fd, FS_IOC_SHUTDOWN, struct.pack("I", FSOP_GOING_FLAGS_NOLOGFLUSH))
    finally:
        os.close(fd)


def test_power_cut_mid_load_keeps_the_answered_and_drops_the_refused(ext4, tmp_path):
    mount_point, remount = ext4
    folder = mount_point / "event"
    rng = random.Random(12)
    loads = []
    for trial in range(TRIALS):
        proc, url = start(folder, tmp_path / "server.out")
        token = (folder / "concierge.token").read_text().strip()
        with MixedLoad(url, token, f"coupure {trial}") as load:
            time.sleep(rng.uniform(0.2, 0.5))
            cut_at = time.monotonic()
            shutdown(mount_point)
            time.sleep(0.1)  # requests in flight meet the dead disk
            kill(proc)
        loads.append((load, cut_at))
        remount()
        tables = load_tables(folder)  # the event opens again, or this raises
        for earlier, when in loads:
            check(tables, earlier, when)
    assert sum(load.count("saved") for load, _ in loads) > 50, "the load did not run"
