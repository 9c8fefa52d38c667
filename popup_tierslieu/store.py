"""Durable storage of an event: TinyDB snapshots plus an append-only journal.

Why not TinyDB's JSON storage alone: it rewrites the whole file on every write,
and even in memory its table update converts every document id (measured here:
0.05 ms per update at 100 documents, 2 ms at 5,000). A registration desk would
slow down as the event fills. So:

* the live state is kept in memory (tables of documents, with indexes for the
  look-ups the domain needs, such as a participant by token);
* every write is appended to a journal (one JSON line per document written, behind
  its CRC-32 so that damage is detected) and
  made durable with ``fsync`` before it is acknowledged; concurrent requests share
  one ``fsync`` (group commit), so a write costs the same at 100 or 5,000
  participants;
* every few thousand writes, at shutdown and on demand, the state is compacted
  into ``db.json``, a plain TinyDB database written to a temporary file, synced
  and atomically renamed; the journal then starts afresh. Rotating copies are
  kept in ``snapshots/`` for ``popup restore``.

A crash can only cut the journal's last line, which was never acknowledged and
is skipped on the next start. A write the disk refuses (full, read-only) is
rolled back in memory and reported as ``StoreUnavailable``: nothing that was not
on disk was ever answered as saved. Only this module imports ``tinydb``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import os
import shutil
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import JSONStorage

from .errors import N_, StoreCorrupted, StoreUnavailable

DB_FILE = "db.json"
SNAPSHOTS = "snapshots"
LOCK_FILE = ".lock"
META = "_meta"
JOURNAL_PREFIX = "journal-"

Document = dict[str, Any]
# An index covers one field ("token") or several together (("workshop_id", "status")).
IndexSpec = str | tuple[str, ...]
DISK_REFUSED = N_("The event's disk refused the write; nothing was saved. Try again in a moment.")


@dataclass
class _Undo:
    seq: int
    table: str
    doc_id: int
    before: Document | None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _framed(payload: bytes) -> bytes:
    """A journal line: the CRC-32 of its JSON, so that a line altered on disk (a bad
    sector, a careless edit) is refused even when it still parses."""
    return b"%08x " % zlib.crc32(payload) + payload + b"\n"


def _checked(line: bytes) -> bytes:
    """The JSON of a journal line whose checksum matches; ValueError otherwise."""
    crc, _, payload = line.partition(b" ")
    if len(crc) != 8 or int(crc, 16) != zlib.crc32(payload):
        raise ValueError("journal line checksum mismatch")
    return payload


def _index_key(spec: tuple[str, ...], doc: dict[str, Any]) -> Any:
    return doc.get(spec[0]) if len(spec) == 1 else tuple(doc.get(name) for name in spec)


def _read_tinydb(path: Path) -> dict[str, Any]:
    """The tables of a TinyDB JSON file, read with TinyDB's own storage; raises
    ValueError (or a subclass) when it is not a table map."""
    storage = JSONStorage(str(path), access_mode="r", encoding="utf-8")
    try:
        data = storage.read() or {}
    finally:
        storage.close()
    if not isinstance(data, dict):
        raise ValueError("not a table map")
    return data


def snapshot_files(folder: Path) -> list[Path]:
    """The rotating snapshots of an event folder, newest first."""
    return sorted((folder / SNAPSHOTS).glob("db-*.json"), reverse=True)


def _corrupted(folder: Path, damaged: Path) -> StoreCorrupted:
    """The refusal to open a damaged event, naming the last good snapshot."""
    snapshots = snapshot_files(folder)
    if snapshots:
        return StoreCorrupted(
            "%(damaged)s cannot be read. The last good snapshot is %(snapshot)s; restore it "
            "with: popup restore %(folder)s --from %(snapshot)s",
            params={"damaged": str(damaged), "snapshot": str(snapshots[0]),
                    "folder": str(folder)})
    return StoreCorrupted(
        "%(damaged)s cannot be read and no snapshot exists in %(snapshots)s; move the damaged "
        "file aside to start an empty event", params={"damaged": str(damaged),
                                                     "snapshots": str(folder / SNAPSHOTS)})


class Store:
    """The event's data. Reads are in memory; writes are journaled, then committed."""

    def __init__(self, folder: Path, indexes: dict[str, tuple[IndexSpec, ...]] | None = None,
                 compact_every: int = 2000, keep_snapshots: int = 12,
                 snapshot_interval: float = 300.0) -> None:
        self.folder = Path(folder)
        self._index_fields: dict[str, tuple[tuple[str, ...], ...]] = {
            table: tuple((spec,) if isinstance(spec, str) else tuple(spec) for spec in specs)
            for table, specs in (indexes or {}).items()}
        self.compact_every = compact_every
        self.keep_snapshots = keep_snapshots
        self.snapshot_interval = snapshot_interval
        self._tables: dict[str, dict[int, Document]] = {}
        self._indexes: dict[tuple[str, tuple[str, ...]], dict[Any, set[int]]] = {}
        self._next_id: dict[str, int] = {}
        self._seq = 0
        self._durable = 0
        self._lost_upto = 0
        self._snapshot_seq = 0
        self._pending: list[bytes] = []
        self._undo: list[_Undo] = []
        self._flush_task: asyncio.Task[None] | None = None
        self._writer = asyncio.Lock()
        self._journal_fd: int | None = None
        self._journal_path: Path | None = None
        self._journal_size = 0
        self._lock_fd: int | None = None
        self._last_backup = 0.0

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, folder: str | Path, **options: Any) -> Store:
        store = cls(Path(folder), **options)
        store._open()
        return store

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock()
        try:
            self._load_snapshot()
            if self._replay_journals():
                self._compact_sync()  # folds the journals into db.json and opens a new one
            else:
                for journal in self._journals():  # empty, or a torn line never acknowledged
                    journal.unlink()
                self._start_journal()
        except BaseException:
            self._unlock()
            raise

    def _lock(self) -> None:
        fd = os.open(self.folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreUnavailable(
                "Another popup server is already using %(folder)s; stop it first",
                params={"folder": str(self.folder)}) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _load_snapshot(self) -> None:
        path = self.folder / DB_FILE
        if not path.exists():
            return
        try:
            data = _read_tinydb(path)
            meta = data.pop(META, {}).get("1", {})
            self._snapshot_seq = int(meta.get("seq", 0))
            # Ids are never reused, even those of removed documents (GDPR erasures).
            self._next_id.update({t: int(n) for t, n in meta.get("next_ids", {}).items()})
            for table, docs in data.items():
                for key, doc in docs.items():
                    self._put(table, int(key), doc)
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise _corrupted(self.folder, path) from exc
        self._seq = self._durable = self._snapshot_seq

    def _journals(self) -> list[Path]:
        return sorted(self.folder.glob(f"{JOURNAL_PREFIX}*.jsonl"))

    def _replay_journals(self) -> int:
        journals = self._journals()
        replayed = 0
        for number, path in enumerate(journals):
            raw = path.read_bytes()
            lines = raw.split(b"\n")
            for position, line in enumerate(lines):
                if not line:
                    continue
                torn = position == len(lines) - 1  # no newline after it: cut by a crash
                try:
                    op = orjson.loads(_checked(line))
                    seq, table, doc_id, doc = op["s"], op["t"], int(op["i"]), op["d"]
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    if torn and number == len(journals) - 1:
                        break
                    raise _corrupted(self.folder, path) from exc
                if torn and number == len(journals) - 1:
                    break  # never fsynced as a whole line, so never acknowledged
                if seq <= self._seq:
                    continue
                if doc is None:
                    self._drop(table, doc_id)
                else:
                    self._put(table, doc_id, doc)
                self._seq = self._durable = seq
                replayed += 1
        return replayed

    def _start_journal(self) -> None:
        path = self.folder / f"{JOURNAL_PREFIX}{self._seq + 1:012d}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _fsync_dir(self.folder)
        self._journal_fd, self._journal_path = fd, path
        self._journal_size = os.fstat(fd).st_size

    # -------------------------------------------------------------- in memory
    def _put(self, table: str, doc_id: int, doc: Document) -> None:
        docs = self._tables.setdefault(table, {})
        old = docs.get(doc_id)
        if old is not None:
            self._unindex(table, doc_id, old)
        docs[doc_id] = doc
        for spec in self._index_fields.get(table, ()):
            self._indexes.setdefault((table, spec), {}).setdefault(
                _index_key(spec, doc), set()).add(doc_id)
        if doc_id >= self._next_id.get(table, 1):
            self._next_id[table] = doc_id + 1

    def _drop(self, table: str, doc_id: int) -> None:
        old = self._tables.get(table, {}).pop(doc_id, None)
        if old is not None:
            self._unindex(table, doc_id, old)

    def _unindex(self, table: str, doc_id: int, doc: Document) -> None:
        for spec in self._index_fields.get(table, ()):
            key = _index_key(spec, doc)
            bucket = self._indexes.get((table, spec), {}).get(key)
            if bucket is not None:
                bucket.discard(doc_id)
                if not bucket:
                    del self._indexes[(table, spec)][key]

    # ------------------------------------------------------------------ reads
    def get(self, table: str, doc_id: int) -> Document | None:
        doc = self._tables.get(table, {}).get(doc_id)
        return dict(doc) if doc is not None else None

    def _index_for(self, table: str, criteria: dict[str, Any]) -> tuple[tuple[str, ...],
                                                                         set[int]] | None:
        """The index covering the most of ``criteria``, and its bucket for their values."""
        best = None
        for spec in self._index_fields.get(table, ()):
            if all(name in criteria for name in spec) and (best is None or len(spec) > len(best)):
                best = spec
        if best is None:
            return None
        bucket = self._indexes.get((table, best), {}).get(_index_key(best, criteria), set())
        return best, bucket

    def _candidates(self, table: str, criteria: dict[str, Any]) -> Iterable[int]:
        found = self._index_for(table, criteria)
        if found is not None:
            return sorted(found[1])
        return list(self._tables.get(table, {}))

    def ids(self, table: str, **criteria: Any) -> set[int]:
        """The ids of the documents matching ``criteria``, without copying documents:
        an index's own set when one covers the criteria exactly (never mutate it)."""
        found = self._index_for(table, criteria)
        if found is not None and len(found[0]) == len(criteria):
            return found[1]
        return {doc["id"] for doc in self.find(table, **criteria)}

    def find(self, table: str, **criteria: Any) -> list[Document]:
        """Documents whose fields equal ``criteria``, in insertion order (copies)."""
        docs = self._tables.get(table, {})
        found = []
        for doc_id in self._candidates(table, criteria):
            doc = docs.get(doc_id)
            if doc is not None and all(doc.get(k) == v for k, v in criteria.items()):
                found.append(dict(doc))
        return found

    def find_one(self, table: str, **criteria: Any) -> Document | None:
        docs = self._tables.get(table, {})
        for doc_id in self._candidates(table, criteria):
            doc = docs.get(doc_id)
            if doc is not None and all(doc.get(k) == v for k, v in criteria.items()):
                return dict(doc)
        return None

    def count(self, table: str, **criteria: Any) -> int:
        if not criteria:
            return len(self._tables.get(table, {}))
        return len(self.ids(table, **criteria))

    def distinct(self, table: str, name: str) -> int:
        """How many different values an indexed field holds (e.g. people checked in)."""
        return len(self._indexes.get((table, (name,)), {}))

    def all(self, table: str) -> list[Document]:
        return [dict(doc) for doc in self._tables.get(table, {}).values()]

    def scan(self, table: str) -> Iterator[Document]:
        """Iterate without copying, for read-only aggregates: never mutate what it yields."""
        return iter(list(self._tables.get(table, {}).values()))

    def tables(self) -> list[str]:
        return sorted(self._tables)

    # ----------------------------------------------------------------- writes
    def _log(self, table: str, doc_id: int, doc: Document | None, before: Document | None) -> None:
        self._seq += 1
        self._undo.append(_Undo(self._seq, table, doc_id, before))
        self._pending.append(
            _framed(orjson.dumps({"s": self._seq, "t": table, "i": doc_id, "d": doc})))

    def insert(self, table: str, doc: Document) -> int:
        doc_id = self._next_id.get(table, 1)
        record = {**doc, "id": doc_id}
        self._put(table, doc_id, record)
        self._log(table, doc_id, record, None)
        return doc_id

    def update(self, table: str, doc_id: int, fields: Document) -> Document:
        before = self._tables.get(table, {}).get(doc_id)
        if before is None:
            raise KeyError(f"{table} {doc_id}")
        record = {**before, **fields, "id": doc_id}
        self._put(table, doc_id, record)
        self._log(table, doc_id, record, before)
        return dict(record)

    def remove(self, table: str, doc_id: int) -> None:
        before = self._tables.get(table, {}).get(doc_id)
        if before is None:
            return
        self._drop(table, doc_id)
        self._log(table, doc_id, None, before)

    def _rollback(self) -> None:
        """Undo every write not yet on disk, newest first, and forget them."""
        for undo in reversed(self._undo):
            if undo.before is None:
                self._drop(undo.table, undo.doc_id)
            else:
                self._put(undo.table, undo.doc_id, undo.before)
        self._lost_upto = self._seq
        self._undo.clear()
        self._pending.clear()

    # ----------------------------------------------------------------- commit
    @property
    def dirty(self) -> bool:
        return self._durable < self._seq

    async def commit(self) -> None:
        """Return once every write made so far is on disk; raise StoreUnavailable if the
        disk refused it (the writes are then rolled back)."""
        target = self._seq
        while self._durable < target:
            if target <= self._lost_upto:
                raise StoreUnavailable(DISK_REFUSED)
            if self._flush_task is None:
                self._flush_task = asyncio.get_running_loop().create_task(self._flush())
            with contextlib.suppress(StoreUnavailable):
                await asyncio.shield(self._flush_task)

    async def _flush(self) -> None:
        try:
            async with self._writer:
                batch, last, snapshot = self._take_batch()
                await asyncio.get_running_loop().run_in_executor(
                    None, self._write_batch, batch, last, snapshot)
                self._batch_done(last)
        except OSError:
            self._rollback()
            raise StoreUnavailable(DISK_REFUSED) from None
        finally:
            self._flush_task = None

    def commit_sync(self) -> None:
        """The same as ``commit`` for code that runs outside the server's loop."""
        if not self.dirty:
            return
        try:
            batch, last, snapshot = self._take_batch()
            self._write_batch(batch, last, snapshot)
            self._batch_done(last)
        except OSError:
            self._rollback()
            raise StoreUnavailable(DISK_REFUSED) from None

    def _take_batch(self) -> tuple[bytes, int, dict[str, Any] | None]:
        batch = b"".join(self._pending)
        self._pending = []
        last = self._seq
        due = last - self._snapshot_seq >= self.compact_every
        return batch, last, self._state_copy(last) if due else None

    def _batch_done(self, last: int) -> None:
        self._durable = max(self._durable, last)
        self._undo = [u for u in self._undo if u.seq > last]

    def _write_batch(self, batch: bytes, last: int, snapshot: dict[str, Any] | None) -> None:
        fd = self._journal_fd
        assert fd is not None, "store is closed"
        if os.fstat(fd).st_size != self._journal_size:
            os.ftruncate(fd, self._journal_size)  # drop the torn tail of a failed write
        view = memoryview(batch)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
        self._journal_size += len(batch)
        if snapshot is not None:
            self._write_snapshot(snapshot, last)

    # ------------------------------------------------------------- snapshots
    def _state_copy(self, seq: int) -> dict[str, Any]:
        # Documents are replaced, never mutated, so copying the tables is enough.
        data: dict[str, Any] = {
            table: {str(k): v for k, v in docs.items()} for table, docs in self._tables.items()
        }
        data[META] = {"1": {"seq": seq, "next_ids": dict(self._next_id),
                            "written": dt.datetime.now(dt.UTC).isoformat()}}
        return data

    def _write_snapshot(self, data: dict[str, Any], seq: int) -> None:
        final = self.folder / DB_FILE
        tmp = self.folder / (DB_FILE + ".tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        storage = JSONStorage(str(tmp), access_mode="r+", encoding="utf-8", ensure_ascii=False)
        try:
            storage.write(data)  # TinyDB's own writer: dumps, flush, fsync
        finally:
            storage.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, final)
        _fsync_dir(self.folder)
        self._snapshot_seq = seq
        self._rotate_journal(seq)
        now = dt.datetime.now().timestamp()
        if now - self._last_backup >= self.snapshot_interval:
            self._backup_copy(final)
            self._last_backup = now

    def _rotate_journal(self, seq: int) -> None:
        old = self._journals()
        if self._journal_fd is not None:
            os.close(self._journal_fd)
            self._journal_fd = None
        path = self.folder / f"{JOURNAL_PREFIX}{seq + 1:012d}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._journal_fd, self._journal_path, self._journal_size = fd, path, 0
        for journal in old:
            if journal != path:
                with contextlib.suppress(FileNotFoundError):
                    journal.unlink()
        _fsync_dir(self.folder)

    def _backup_copy(self, source: Path) -> Path:
        folder = self.folder / SNAPSHOTS
        folder.mkdir(exist_ok=True, mode=0o700)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = folder / f"db-{stamp}.json"
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(source, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
        for stale in snapshot_files(self.folder)[self.keep_snapshots:]:
            stale.unlink()
        _fsync_dir(folder)
        return target

    def _compact_sync(self) -> None:
        self._write_snapshot(self._state_copy(self._seq), self._seq)

    async def checkpoint(self) -> Path:
        """Compact now and keep a rotating snapshot; returns the snapshot's path."""
        await self.commit()
        async with self._writer:
            data = self._state_copy(self._durable)
            return await asyncio.get_running_loop().run_in_executor(
                None, self._checkpoint_sync, data, self._durable)

    def _checkpoint_sync(self, data: dict[str, Any], seq: int) -> Path:
        self._write_snapshot(data, seq)
        self._last_backup = dt.datetime.now().timestamp()
        return self._backup_copy(self.folder / DB_FILE)

    def close(self) -> None:
        """Flush, compact, keep a last snapshot and release the folder."""
        if self._journal_fd is None:
            self._unlock()
            return
        try:
            self.commit_sync()
            self._write_snapshot(self._state_copy(self._durable), self._durable)
            self._backup_copy(self.folder / DB_FILE)
        finally:
            if self._journal_fd is not None:
                os.close(self._journal_fd)
                self._journal_fd = None
            self._unlock()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_snapshot(path: str | Path) -> dict[str, list[Document]]:
    """Read a ``db.json`` (or a snapshot) without opening the event: for reports,
    backups and restores. Raises StoreCorrupted when it is not a readable database."""
    path = Path(path)
    try:
        data = _read_tinydb(path)
        data.pop(META, None)
        return {table: list(docs.values()) for table, docs in data.items()}
    except (ValueError, AttributeError, UnicodeDecodeError) as exc:
        raise StoreCorrupted("%(path)s is not a readable event database",
                             params={"path": str(path)}) from exc


def _read_acknowledged(folder: Path, attempts: int = 20) -> Store:
    """A reader holding what the folder acknowledged. A compaction by the running server
    between reading db.json and its journals would leave a gap (the journal read starts
    after the snapshot that was read) or a vanished journal: then read again."""
    for _ in range(attempts):
        reader = Store(folder)
        try:
            reader._load_snapshot()
            journals = reader._journals()
            first = int(journals[0].name[len(JOURNAL_PREFIX):].split(".")[0]) if journals else 0
            if first > reader._seq + 1:
                continue
            reader._replay_journals()
        except FileNotFoundError:
            continue
        return reader
    raise StoreUnavailable("The event data kept changing while being read; try again.")


def consistent_state(folder: str | Path) -> dict[str, Any]:
    """Everything acknowledged in an event folder as one ``db.json`` document (ids and
    next ids included), read-only and safe while the server runs: for backups."""
    reader = _read_acknowledged(Path(folder))
    return reader._state_copy(reader._seq)


def load_tables(folder: str | Path) -> dict[str, list[Document]]:
    """Everything acknowledged in an event folder, read-only: the snapshot plus the
    journal's complete lines. Safe while the server runs (no lock taken, nothing
    written), for reports, exports and backups."""
    reader = _read_acknowledged(Path(folder))
    return {table: [dict(doc) for doc in docs.values()]
            for table, docs in reader._tables.items()}
