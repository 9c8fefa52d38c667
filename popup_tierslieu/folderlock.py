"""The lock that makes one process the owner of an event folder.

``popup up`` takes it before it writes anything in the folder, and the server's
store keeps it; it holds the owner's PID and, once the server listens, its URL, so
that a second start names them and ``popup stop`` finds the server through it.
An ``flock`` dies with its process: a crash never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Any

import orjson

from .durable import fsync_dir
from .errors import PopupError, StoreUnavailable

LOCK_FILE = ".lock"


def take_lock(folder: Path) -> int:
    """Hold ``folder`` for this process (the descriptor keeps it; the kernel frees it
    when the process dies), or refuse naming the process and URL that hold it. Taken
    before anything is written in the folder."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise in_use(folder, lock_holder(folder)) from None
    os.ftruncate(fd, 0)
    os.write(fd, orjson.dumps({"pid": os.getpid()}))
    return fd


def in_use(folder: Path, holder: dict[str, Any]) -> StoreUnavailable:
    """The refusal to start on ``folder`` while the server ``holder`` runs on it."""
    return StoreUnavailable(
        "Another popup server (PID %(pid)s, %(url)s) is already using %(folder)s; stop "
        "it first with: popup stop --data %(folder)s",
        params={"folder": str(folder), "pid": holder.get("pid", "?"),
                "url": holder.get("url", "?")})


def announce(fd: int, url: str) -> None:
    """Write the running server's URL beside its PID in the lock it holds."""
    os.ftruncate(fd, 0)
    os.pwrite(fd, orjson.dumps({"pid": os.getpid(), "url": url}), 0)


def lock_holder(folder: Path) -> dict[str, Any]:
    """The PID (and URL) of the server holding ``folder``, or {} when none does."""
    path = Path(folder) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return {}
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            with contextlib.suppress(orjson.JSONDecodeError):
                holder = orjson.loads(os.read(fd, 4096) or b"{}")
                return holder if isinstance(holder, dict) else {}
            return {"pid": "?"}
        return {}  # nobody holds it: a stale file from a stopped server
    finally:
        os.close(fd)


def writable_folder(folder: Path) -> None:
    """Create the event folder (0700, its parent directory synced so that it survives a
    power cut), or say in one line why it cannot be: read-only, missing parent, no
    permission."""
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, mode=0o700)
            fsync_dir(folder.resolve().parent)
        probe = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(probe)
    except OSError as exc:
        raise PopupError(
            "Cannot write in the event folder %(folder)s: %(reason)s. Fix: choose a "
            "writable folder with --data DIR.",
            params={"folder": str(folder), "reason": exc.strerror or str(exc)}) from None
