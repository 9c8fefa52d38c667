"""Copies of an event folder that survive the laptop: ``popup backup``, ``popup restore``
and ``popup purge``.

A backup is taken while the server runs, without its lock and without writing in
the event folder: the database as of the last acknowledged write (``db.json`` plus
the journal's complete lines, see store.py), and the files beside it (the kit,
uploaded photos). A restore needs the folder to itself, and never deletes what it
replaces: the current database and journals are moved aside first, and the journal's
valid records written after the chosen snapshot are replayed on top of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from . import domain, territory_key
from .domain import retention
from .durable import fsync_dir, write_private
from .errors import PopupError, StoreUnavailable
from .folderlock import LOCK_FILE
from .settings import PRINTS, TOKEN_FILE
from .store import (
    DB_FILE,
    JOURNAL_PREFIX,
    SNAPSHOTS,
    Store,
    consistent_state,
    journal_after,
    read_snapshot,
    snapshot_seq,
)

# What a backup leaves out: the server's own working files and the concierge's secret.
NOT_COPIED = {DB_FILE, DB_FILE + ".tmp", LOCK_FILE, TOKEN_FILE, "server.pid", SNAPSHOTS,
              "logs"}


def _stamp() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def backup(folder: Path, to: Path) -> Path:
    """Copy a consistent snapshot of ``folder`` into a new folder under ``to`` (an
    existing directory, a USB stick say) or to ``to`` itself; returns the copy."""
    if not (folder / DB_FILE).exists() and not any(folder.glob(f"{JOURNAL_PREFIX}*")):
        raise PopupError("%(folder)s holds no event data.", params={"folder": str(folder)})
    state = consistent_state(folder)
    target = to / f"{folder.resolve().name}-{_stamp()}" if to.is_dir() else to
    if target.exists():
        raise PopupError("%(target)s already exists; choose another place.",
                         params={"target": str(target)})
    try:
        target.mkdir(parents=True, mode=0o700)
        _copy_beside(folder, target)
        write_private(target / DB_FILE, orjson.dumps(state))
    except OSError as exc:
        raise PopupError("Cannot write %(path)s: %(reason)s",
                         params={"path": str(target), "reason": exc.strerror or exc}) from None
    return target


def _copy_beside(source: Path, target: Path, aside: Path | None = None) -> None:
    """Copy the files that live beside the database (the kit, uploaded photos); with
    ``aside``, what they replace in ``target`` is moved there first."""
    for item in source.iterdir():
        if item.name in NOT_COPIED or item.name.startswith((JOURNAL_PREFIX, ".")):
            continue
        here = target / item.name
        if aside is not None and here.exists():
            os.replace(here, aside / item.name)
        if item.is_dir():
            shutil.copytree(item, here)
        else:
            shutil.copy2(item, here)


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold the folder as a server would, or refuse while a server holds it."""
    fd = os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreUnavailable(
                "A popup server is using %(folder)s; stop it first (popup stop --data "
                "%(folder)s).", params={"folder": str(folder)}) from None
        yield
    finally:
        os.close(fd)


@dataclass
class Restored:
    aside: Path  # where the replaced files went
    kept: int  # acknowledged writes after the snapshot, replayed on top of it
    set_aside: int  # journal lines not replayed (damaged, or after the damage)


def restore(folder: Path, source: Path) -> Restored:
    """Make ``source`` (a snapshot, or a backup folder or its db.json) the event's
    database, keeping the journal's valid records written after it. The replaced files
    are moved to a new folder."""
    backup_folder = source if source.is_dir() else None
    if backup_folder is not None:
        source = source / DB_FILE
    if not source.is_file():
        raise PopupError("%(path)s is not a snapshot or a backup made by popup backup.",
                         params={"path": str(source)})
    read_snapshot(source)  # refuses a damaged or foreign file before anything moves
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except (FileExistsError, NotADirectoryError):
        raise PopupError("Cannot make the folder %(path)s: a file is in its way. Fix: give "
                         "the event folder to restore into (for example popup-data/<slug>).",
                         params={"path": str(folder)}) from None
    with exclusive(folder):
        seq = snapshot_seq(source)
        # A backup brought from elsewhere has its own history: this folder's journal
        # continues another one, so none of it is replayed on top.
        kept, count, set_aside = journal_after(folder, seq) if backup_folder is None else (
            b"", 0, 0)
        aside = folder / f"replaced-{_stamp()}"
        aside.mkdir(mode=0o700)
        for old in [folder / DB_FILE, *folder.glob(f"{JOURNAL_PREFIX}*.jsonl")]:
            if old.exists():
                os.replace(old, aside / old.name)
        tmp = folder / (DB_FILE + ".tmp")
        shutil.copyfile(source, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, folder / DB_FILE)
        if kept:
            write_private(folder / f"{JOURNAL_PREFIX}{seq + 1:012d}.jsonl", kept)
        if backup_folder is not None:  # its photos and kit come back with the data
            _copy_beside(backup_folder, folder, aside)
        fsync_dir(folder)
    return Restored(aside, count, set_aside)


def purge(folder: Path) -> dict[str, int]:
    """Remove the personal data of a finished event (see domain/retention.py), and
    every copy that still holds it: snapshots, replaced databases, temporary files."""
    if not (folder / DB_FILE).exists():
        raise PopupError("%(folder)s holds no event data.", params={"folder": str(folder)})
    with Store.open(folder, indexes=domain.INDEXES) as store:
        changed = retention.purge(store, territory_key.load())
        store.commit_sync()
        for stale in (folder / SNAPSHOTS).glob("db-*.json"):
            stale.unlink()
        for replaced in folder.glob("replaced-*"):
            shutil.rmtree(replaced)
        shutil.rmtree(folder / PRINTS, ignore_errors=True)  # passes and sheets name people
        for leftover in folder.rglob("*.tmp"):  # a copy or a photo cut short (ENOSPC, crash)
            leftover.unlink()
    return changed
