"""Durable storage of an event: TinyDB snapshots plus an append-only journal.

Why not TinyDB's JSON storage alone: it rewrites the whole file on every write,
and even in memory its table update converts every document id (measured here:
0.05 ms per update at 100 documents, 2 ms at 5,000). A registration desk would
slow down as the event fills. So:

* the live state is kept in memory (tables of documents, with indexes for the
  look-ups the domain needs, such as a participant by token);
* a document is serialised before memory changes (text that cannot be stored is a
  field error, not a phantom in memory); the documents one request wrote become one
  journal record behind one CRC-32 (journal.py), appended and made durable with
  ``fsync`` before the request is answered; concurrent requests share one ``fsync``
  (group commit), so a write costs the same at 100 or 5,000 participants;
* once the journal holds as many records as the last snapshot held documents (at
  least COMPACT_MIN), at shutdown and on demand, the state is compacted into ``db.json``,
  a plain TinyDB database (with a checksum in its ``_meta`` table) written to a 0600
  temporary file, synced and atomically renamed; the journal then starts afresh.
  A snapshot costs in proportion to the event's size, so spacing them in the same
  proportion keeps its share of each write constant: a check-in costs the same at
  3,000 or 12,000 participants (bench/checkin.py). Rotating copies are kept in ``snapshots/`` for
  ``popup restore``.

The rule for a batch of records: once its ``fsync`` succeeded it is committed, and
nothing after it (a snapshot, a backup copy) can undo it; those are retried later
and shown as a problem. A batch that fails before its ``fsync`` completes is cut
from the journal (truncated to the last committed byte, synced) and rolled back in
memory before any of its requests is answered ``StoreUnavailable``. If the cut
itself fails, the store turns read-only until restarted. A crash can only cut the
journal's last line, which was never acknowledged and is skipped on the next
start. Only this module imports ``tinydb``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import shutil
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import JSONStorage

from . import journal
from .durable import fsync_dir
from .errors import N_, InvalidInput, StoreCorrupted, StoreReadOnly, StoreUnavailable
from .folderlock import take_lock

DB_FILE = "db.json"
SNAPSHOTS = "snapshots"
META = "_meta"
JOURNAL_PREFIX = "journal-"

Document = dict[str, Any]
# An index covers one field ("token") or several together (("workshop_id", "status")).
IndexSpec = str | tuple[str, ...]
# An index's fields, and its map from their values to the ids of the documents holding them.
_Index = tuple[tuple[str, ...], dict[Any, set[int]]]
DISK_REFUSED = N_("The event's disk refused the write; nothing was saved. Try again in a moment.")
READ_ONLY = N_("The event's disk failed and the server stopped saving. Restart it (popup stop, "
               "then popup up); your last action may need to be made again.")
SNAPSHOT_FAILED = N_("The latest snapshot could not be written; every answered "
                     "write is safe in the journal. It will be tried again.")
UNSTORABLE = N_("This text holds characters that cannot be stored.")
SNAPSHOT_RETRY_SECONDS = 30.0
# The fewest journal records between two compactions of a small event.
COMPACT_MIN = 2000

log = logging.getLogger("popup.store")


def _no_fault(step: str) -> None:
    """The store's fault seam: each named step of the write path ("journal.write",
    "journal.fsync", "journal.cut", "snapshot.write", "snapshot.rename",
    "journal.rotate", "backup.copy") calls ``Store.io_check`` first, so that a test can
    make the disk fail at exactly that step (a full tmpfs can only fail writes)."""


@dataclass(slots=True)
class _Write:
    """One document written in memory, and what it replaced (to undo it)."""

    table: str
    doc_id: int
    encoded: bytes | None
    before: Document | None
    seq: int = 0  # the record holding it; 0 while its request has not committed




def _wake(waiter: asyncio.Future[None], flush: asyncio.Task[None]) -> None:
    """A batch ended: its waiter goes on (and finds out what became of its record)."""
    if flush.cancelled():
        if not waiter.done():
            waiter.cancel()
        return
    # Read even when the waiting request is gone (as asyncio.shield does): a failure no
    # one read is logged by asyncio as a traceback.
    failure = flush.exception()
    if waiter.done():
        return
    if failure is None or isinstance(failure, StoreUnavailable):
        waiter.set_result(None)
    else:
        waiter.set_exception(failure)  # a bug, not a disk: not swallowed


def _task() -> asyncio.Task[Any] | None:
    try:
        return asyncio.current_task()
    except RuntimeError:  # no running loop: a command-line tool, one writer
        return None


_NO_IDS: frozenset[int] = frozenset()


def _index_key(spec: tuple[str, ...], doc: dict[str, Any]) -> Any:
    return doc.get(spec[0]) if len(spec) == 1 else tuple(doc.get(name) for name in spec)


def _checksum(tables: dict[str, Any], seq: int, next_ids: dict[str, int]) -> str:
    """The CRC-32 of a snapshot's content, independent of how its JSON was laid out."""
    content = {"seq": seq, "next_ids": next_ids, "tables": tables}
    return f"{zlib.crc32(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)):08x}"


def _read_tinydb(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The tables and the ``_meta`` record of a TinyDB JSON file, read with TinyDB's
    own storage; raises ValueError (or a subclass) when it is not a table map or when
    its checksum does not match (a changed name that is still valid JSON)."""
    storage = JSONStorage(str(path), access_mode="r", encoding="utf-8")
    try:
        data = storage.read() or {}
    finally:
        storage.close()
    if not isinstance(data, dict):
        raise ValueError("not a table map")
    meta = data.pop(META, {}).get("1", {})
    # Files written before checksums existed carry none; they are read as before.
    if "crc32" in meta and meta["crc32"] != _checksum(data, int(meta.get("seq", 0)),
                                                      meta.get("next_ids", {})):
        raise ValueError("snapshot checksum mismatch")
    return data, meta


def snapshot_files(folder: Path) -> list[Path]:
    """The rotating snapshots of an event folder, newest first."""
    return sorted((folder / SNAPSHOTS).glob("db-*.json"), reverse=True)


def _corrupted(folder: Path, damaged: Path) -> StoreCorrupted:
    """The refusal to open a damaged event, naming the last good snapshot."""
    snapshots = snapshot_files(folder)
    if snapshots:
        return StoreCorrupted(
            "%(damaged)s cannot be read. The last good snapshot is %(snapshot)s; restore it "
            "with: popup restore %(folder)s --from %(snapshot)s (the journal's valid records "
            "after it are kept)",
            params={"damaged": str(damaged), "snapshot": str(snapshots[0]),
                    "folder": str(folder)})
    return StoreCorrupted(
        "%(damaged)s cannot be read and no snapshot exists in %(snapshots)s; move the damaged "
        "file aside to start an empty event", params={"damaged": str(damaged),
                                                     "snapshots": str(folder / SNAPSHOTS)})


class Store:
    """The event's data. Reads are in memory; writes are journaled, then committed."""

    def __init__(self, folder: Path, indexes: dict[str, tuple[IndexSpec, ...]] | None = None,
                 compact_every: int | None = None, keep_snapshots: int = 12,
                 snapshot_interval: float = 300.0, lock_fd: int | None = None) -> None:
        self.folder = Path(folder)
        self._index_fields: dict[str, tuple[tuple[str, ...], ...]] = {
            table: tuple((spec,) if isinstance(spec, str) else tuple(spec) for spec in specs)
            for table, specs in (indexes or {}).items()}
        # None: as many records as the last snapshot held documents (at least COMPACT_MIN).
        self.compact_every = compact_every
        self._snapshot_documents = 0
        self.keep_snapshots = keep_snapshots
        self.snapshot_interval = snapshot_interval
        self.io_check: Callable[[str], None] = _no_fault
        self._tables: dict[str, dict[int, Document]] = {}
        # Every index exists from the start and is never replaced: writes and look-ups
        # keep references to its map instead of building keys and empty defaults each time.
        self._indexes: dict[tuple[str, tuple[str, ...]], dict[Any, set[int]]] = {
            (table, spec): {} for table, specs in self._index_fields.items() for spec in specs}
        self._table_indexes: dict[str, tuple[_Index, ...]] = {
            table: tuple((spec, self._indexes[(table, spec)]) for spec in specs)
            for table, specs in self._index_fields.items()}
        # The index chosen for a table and the names of a query's criteria: each look-up
        # asks again (a first check-in makes five), and the answer never changes.
        self._best_index: dict[tuple[str, ...], _Index | None] = {}
        self._next_id: dict[str, int] = {}
        self._seq = 0
        self._durable = 0
        self._lost: list[tuple[int, int]] = []  # records rolled back: (after, up to]
        self._snapshot_seq = 0
        # The writes of each request (its asyncio task) not yet sealed into a record.
        self._open: dict[asyncio.Task[Any] | None, list[_Write]] = {}
        self._pending: list[bytes] = []
        self._undo: list[_Write] = []  # every write not yet durable, oldest first
        self._flush_task: asyncio.Task[None] | None = None
        self._compaction: asyncio.Task[Any] | None = None
        self._writer = asyncio.Lock()
        self._journal_fd: int | None = None
        self._journal_path: Path | None = None
        self._journal_size = 0
        self._lock_fd = lock_fd  # a lock the caller took already (popup up), or ours
        self._last_backup = 0.0
        self._snapshot_retry_at = 0.0
        self.read_only: str | None = None
        self.snapshot_problem: str | None = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, folder: str | Path, **options: Any) -> Store:
        store = cls(Path(folder), **options)
        store._open_folder()
        return store

    def _open_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock()
        try:
            self._remove_leftovers()
            self._load_snapshot()
            if self._replay_journals():
                self._compact_sync()  # folds the journals into db.json and opens a new one
            else:
                for old in self._journals():  # empty, or a torn line never acknowledged
                    old.unlink()
                self._start_journal()
        except BaseException:
            self._unlock()
            raise

    def _remove_leftovers(self) -> None:
        """Temporary files a crash or a full disk left behind (they may hold e-mails)."""
        for tmp in [self.folder / (DB_FILE + ".tmp"), *(self.folder / SNAPSHOTS).glob("*.tmp")]:
            with contextlib.suppress(OSError):  # gone already, or not ours to remove
                tmp.unlink()

    def _lock(self) -> None:
        if self._lock_fd is None:
            self._lock_fd = take_lock(self.folder)

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _load_snapshot(self) -> None:
        path = self.folder / DB_FILE
        if not path.exists():
            return
        try:
            data, meta = _read_tinydb(path)
            self._snapshot_seq = int(meta.get("seq", 0))
            # Ids are never reused, even those of removed documents (GDPR erasures).
            self._next_id.update({t: int(n) for t, n in meta.get("next_ids", {}).items()})
            for table, docs in data.items():
                for key, doc in docs.items():
                    self._put(table, int(key), doc)
                self._snapshot_documents += len(docs)
        except (ValueError, TypeError, AttributeError, UnicodeDecodeError, IsADirectoryError,
                PermissionError) as exc:
            raise _corrupted(self.folder, path) from exc
        self._seq = self._durable = self._snapshot_seq

    def _journals(self) -> list[Path]:
        return sorted(self.folder.glob(f"{JOURNAL_PREFIX}*.jsonl"))

    def _replay_journals(self) -> int:
        journals = self._journals()
        replayed = 0
        for number, path in enumerate(journals):
            try:
                found = journal.scan(path.read_bytes())
            except OSError as exc:  # a folder, or a file we may not read, in its place
                raise _corrupted(self.folder, path) from exc
            last = number == len(journals) - 1
            if found.damaged or (found.torn and not last):
                raise _corrupted(self.folder, path)
            for record in found.records:
                replayed += self._apply(record)
        return replayed

    def _apply(self, record: journal.Record) -> int:
        """Replay one record (a whole request); 0 if the snapshot already holds it."""
        if record.seq <= self._seq:
            return 0
        for table, doc_id, doc in record.ops:
            if doc is None:
                self._drop(table, doc_id)
            else:
                self._put(table, doc_id, doc)
        self._seq = self._durable = record.seq
        return 1

    def _start_journal(self) -> None:
        path = self.folder / f"{JOURNAL_PREFIX}{self._seq + 1:012d}.jsonl"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fsync_dir(self.folder)
        self._journal_fd, self._journal_path = fd, path
        self._journal_size = os.fstat(fd).st_size

    # -------------------------------------------------------------- in memory
    def _put(self, table: str, doc_id: int, doc: Document) -> None:
        docs = self._tables.get(table)
        if docs is None:
            docs = self._tables[table] = {}
        old = docs.get(doc_id)
        if old is not None:
            self._unindex(table, doc_id, old)
        docs[doc_id] = doc
        for spec, index in self._table_indexes.get(table, ()):
            key = _index_key(spec, doc)
            bucket = index.get(key)
            if bucket is None:
                index[key] = {doc_id}
            else:
                bucket.add(doc_id)
        if doc_id >= self._next_id.get(table, 1):
            self._next_id[table] = doc_id + 1

    def _drop(self, table: str, doc_id: int) -> None:
        old = self._tables.get(table, {}).pop(doc_id, None)
        if old is not None:
            self._unindex(table, doc_id, old)

    def _unindex(self, table: str, doc_id: int, doc: Document) -> None:
        for spec, index in self._table_indexes.get(table, ()):
            key = _index_key(spec, doc)
            bucket = index.get(key)
            if bucket is not None:
                bucket.discard(doc_id)
                if not bucket:
                    del index[key]

    # ------------------------------------------------------------------ reads
    def get(self, table: str, doc_id: int) -> Document | None:
        doc = self._tables.get(table, {}).get(doc_id)
        return dict(doc) if doc is not None else None

    def _index_for(self, table: str, criteria: dict[str, Any]
                   ) -> tuple[tuple[str, ...], set[int] | frozenset[int]] | None:
        """The index covering the most of ``criteria``, and its bucket for their values
        (the index's own set, or an empty frozenset: never mutate it)."""
        names = (table, *criteria)
        try:
            best = self._best_index[names]
        except KeyError:
            best = self._best_index[names] = self._choose_index(table, criteria)
        if best is None:
            return None
        spec, index = best
        key = criteria[spec[0]] if len(spec) == 1 else tuple(criteria[name] for name in spec)
        return spec, index.get(key, _NO_IDS)

    def _choose_index(self, table: str, criteria: dict[str, Any]) -> _Index | None:
        best = None
        for spec, index in self._table_indexes.get(table, ()):
            if all(name in criteria for name in spec) and (best is None
                                                           or len(spec) > len(best[0])):
                best = spec, index
        return best

    def _candidates(self, table: str, criteria: dict[str, Any]) -> tuple[Iterable[int], bool]:
        """The ids to look at, in insertion order, and whether each of them matches for
        certain (an index covers every criterion: nothing left to compare)."""
        found = self._index_for(table, criteria)
        if found is None:
            return list(self._tables.get(table, {})), False
        spec, bucket = found
        # A pass, a check-in code, a person's check-ins: most buckets hold 0 or 1 id.
        return (sorted(bucket) if len(bucket) > 1 else bucket), len(spec) == len(criteria)

    def ids(self, table: str, **criteria: Any) -> set[int] | frozenset[int]:
        """The ids of the documents matching ``criteria``, without copying documents:
        an index's own set when one covers the criteria exactly (never mutate it)."""
        found = self._index_for(table, criteria)
        if found is not None and len(found[0]) == len(criteria):
            return found[1]
        return {doc["id"] for doc in self.find(table, **criteria)}

    def find(self, table: str, **criteria: Any) -> list[Document]:
        """Documents whose fields equal ``criteria``, in insertion order (copies)."""
        docs = self._tables.get(table, {})
        ids, exact = self._candidates(table, criteria)
        if not ids:  # the usual answer for a person's bookings: no comprehension to run
            return []
        if exact:
            return [dict(docs[doc_id]) for doc_id in ids]
        return [dict(doc) for doc in map(docs.get, ids)
                if doc is not None and all(doc.get(k) == v for k, v in criteria.items())]

    def find_one(self, table: str, **criteria: Any) -> Document | None:
        docs = self._tables.get(table, {})
        ids, exact = self._candidates(table, criteria)
        for doc_id in ids:
            doc = docs.get(doc_id)
            if doc is not None and (exact or all(doc.get(k) == v for k, v in criteria.items())):
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
    def _encode(self, doc: Document) -> bytes:
        """The document's JSON, before memory changes: a lone surrogate (which a JSON
        parser accepts) would otherwise plant a document no snapshot can save."""
        if self.read_only is not None:
            raise StoreReadOnly(READ_ONLY)
        try:
            return orjson.dumps(doc)
        except orjson.JSONEncodeError:
            fields: dict[str, Any] = {}
            for name, value in doc.items():
                try:
                    orjson.dumps(value)
                except orjson.JSONEncodeError:
                    fields[str(name)] = UNSTORABLE
            raise InvalidInput(UNSTORABLE, fields=fields) from None

    def _log(self, table: str, doc_id: int, encoded: bytes | None,
             before: Document | None) -> None:
        task = _task()
        writes = self._open.get(task)
        if writes is None:
            writes = self._open[task] = []
        write = _Write(table, doc_id, encoded, before)
        writes.append(write)
        self._undo.append(write)

    def insert(self, table: str, doc: Document) -> int:
        doc_id = self._next_id.get(table, 1)
        record = {**doc, "id": doc_id}
        encoded = self._encode(record)
        self._put(table, doc_id, record)
        self._log(table, doc_id, encoded, None)
        return doc_id

    def update(self, table: str, doc_id: int, fields: Document) -> Document:
        before = self._tables.get(table, {}).get(doc_id)
        if before is None:
            raise KeyError(f"{table} {doc_id}")
        record = {**before, **fields, "id": doc_id}
        encoded = self._encode(record)
        self._put(table, doc_id, record)
        self._log(table, doc_id, encoded, before)
        return dict(record)

    def remove(self, table: str, doc_id: int) -> None:
        before = self._tables.get(table, {}).get(doc_id)
        if before is None:
            return
        if self.read_only is not None:
            raise StoreReadOnly(READ_ONLY)
        self._drop(table, doc_id)
        self._log(table, doc_id, None, before)

    def _seal(self, task: asyncio.Task[Any] | None) -> int:
        """Close a request: its writes become one journal record; returns its seq (0
        when it wrote nothing)."""
        writes = self._open.pop(task, None)
        if not writes:
            return 0
        self._seq += 1
        for write in writes:
            write.seq = self._seq
        self._pending.append(journal.encode(
            self._seq, ((w.table, w.doc_id, w.encoded) for w in writes)))
        return self._seq

    def _seal_finished(self) -> None:
        """Writes of a task that ended without committing are its request's all."""
        for task in [t for t, r in self._open.items() if t is not None and t.done()]:
            self._seal(task)

    def _undo_writes(self, writes: Iterable[_Write]) -> None:
        for write in reversed(list(writes)):
            if write.before is None:
                self._drop(write.table, write.doc_id)
            else:
                self._put(write.table, write.doc_id, write.before)

    def discard(self) -> None:
        """Undo the current request's writes that were not committed: called when the
        request fails (a 4xx after a first write), so that nothing it did is kept."""
        writes = self._open.pop(_task(), None)
        if writes:
            self._undo_writes(writes)
            mine = {id(w) for w in writes}
            self._undo = [w for w in self._undo if id(w) not in mine]

    def _rollback(self) -> None:
        """Undo every sealed record not on disk, newest first, and forget them."""
        sealed = [w for w in self._undo if w.seq]
        self._undo_writes(sealed)
        self._undo = [w for w in self._undo if not w.seq]
        if self._seq > self._durable:
            self._lost.append((self._durable, self._seq))
        self._pending.clear()

    def _was_lost(self, seq: int) -> bool:
        # The list is empty unless a disk failed: commit tests it before calling.
        return any(after < seq <= upto for after, upto in self._lost)

    # ----------------------------------------------------------------- commit
    @property
    def dirty(self) -> bool:
        return self._durable < self._seq or any(self._open.values())

    @property
    def problem(self) -> str | None:
        """What the desk should know about the disk (a message id), or None."""
        return self.read_only or self.snapshot_problem

    async def commit(self) -> None:
        """Return once the current request's writes (and every record before them) are
        on disk; raise StoreUnavailable if the disk refused them (they are then rolled
        back, and cut from the journal)."""
        own = self._seal(_task())
        target = own or self._seq
        if not own and self._lost and self._was_lost(target):
            return  # rolled back before this request asked: nothing left to wait for
        # A record rolled back stays refused even if a later batch makes it to disk. A
        # request that wrote nothing is refused too when a record it waited for was: its
        # answer may rest on it (a double tap handed the registration its first tap made).
        while self._durable < target or (own and self._lost and self._was_lost(own)):
            if self._lost and self._was_lost(target):
                raise StoreReadOnly(READ_ONLY) if self.read_only else StoreUnavailable(
                    DISK_REFUSED)
            flush = self._flush_task
            if flush is None:
                flush = self._flush_task = asyncio.get_running_loop().create_task(self._flush())
            # What asyncio.shield does, for a fraction of its cost (every write waits
            # here): a request cancelled meanwhile (its client gone) leaves the batch of
            # the others running. A batch the disk refused is checked for by the loop.
            waiter = flush.get_loop().create_future()
            flush.add_done_callback(functools.partial(_wake, waiter))
            await waiter

    async def _flush(self) -> None:
        try:
            # One turn of the loop first: the requests already running reach their commit
            # and share this fsync (measured at 20 desks: 18 records per fsync instead of
            # 12; an fsync costs this machine 100 to 400 us of CPU). Nothing is answered
            # before its fsync either way.
            await asyncio.sleep(0)
            async with self._writer:
                await self._write_pending()
        finally:
            self._flush_task = None
        if self._compaction_due():
            self._compaction = asyncio.get_running_loop().create_task(self._compact())

    async def _write_pending(self) -> None:
        """(writer held) Append the sealed records and make them durable, or cut them."""
        self._seal_finished()
        if not self._pending:
            return
        batch, last = b"".join(self._pending), self._seq
        self._pending = []
        try:
            await asyncio.get_running_loop().run_in_executor(None, self._append, batch)
        except OSError:
            self._rollback()
            raise StoreUnavailable(DISK_REFUSED) from None
        self._batch_done(last)

    def commit_sync(self) -> None:
        """The same as ``commit`` for code that runs outside the server's loop."""
        for task in list(self._open):
            self._seal(task)
        if not self._pending:
            return
        batch, last = b"".join(self._pending), self._seq
        self._pending = []
        try:
            self._append(batch)
        except OSError:
            self._rollback()
            raise (StoreReadOnly(READ_ONLY) if self.read_only
                   else StoreUnavailable(DISK_REFUSED)) from None
        self._batch_done(last)
        if self._compaction_due():
            self._snapshot_quietly(self._state_copy(self._durable), self._durable, False)

    def _batch_done(self, last: int) -> None:
        self._durable = max(self._durable, last)
        self._undo = [w for w in self._undo if not w.seq or w.seq > last]

    def _append(self, batch: bytes) -> None:
        """Write and sync a batch. If that fails, cut it off the journal before anyone is
        answered: a refused write must not come back after a restart."""
        fd = self._journal_fd
        if fd is None or self.read_only is not None:
            raise OSError("the journal is closed")
        try:
            self.io_check("journal.write")
            view = memoryview(batch)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            self.io_check("journal.fsync")
            os.fsync(fd)
        except OSError as exc:
            self._cut(fd, exc)
            raise
        self._journal_size += len(batch)

    def _cut(self, fd: int, cause: OSError) -> None:
        try:
            self.io_check("journal.cut")
            os.ftruncate(fd, self._journal_size)
            os.fsync(fd)
        except OSError as exc:
            # Memory and disk may now differ: stop writing rather than make it worse.
            self.read_only = READ_ONLY
            log.error("the journal could not be cut after %s: %s; read-only until restart",
                      cause, exc)

    # ------------------------------------------------------------- snapshots
    def _compaction_due(self) -> bool:
        return (self._durable - self._snapshot_seq >= self._compaction_threshold()
                and (self._compaction is None or self._compaction.done())
                and time.monotonic() >= self._snapshot_retry_at)

    def _compaction_threshold(self) -> int:
        if self.compact_every is not None:
            return self.compact_every
        return max(COMPACT_MIN, self._snapshot_documents)

    async def _compact(self, backup: bool = False) -> Path | None:
        """Fold the journal into db.json (and keep a rotating copy when ``backup``):
        committed records stay committed whatever happens here."""
        async with self._writer:
            await self._write_pending()
            seq = self._durable
            data = self._state_copy(seq)
            return await asyncio.get_running_loop().run_in_executor(
                None, self._snapshot_quietly, data, seq, backup)

    def _snapshot_quietly(self, data: dict[str, Any], seq: int, backup: bool) -> Path | None:
        try:
            self._write_snapshot(data, seq)
            due = time.time() - self._last_backup >= self.snapshot_interval
            copy = self._backup_copy(self.folder / DB_FILE) if backup or due else None
        except OSError as exc:
            self.snapshot_problem = SNAPSHOT_FAILED
            self._snapshot_retry_at = time.monotonic() + SNAPSHOT_RETRY_SECONDS
            log.error("snapshot failed (the journal keeps every write): %s", exc)
            return None
        self.snapshot_problem = None
        return copy

    def _state_copy(self, seq: int) -> dict[str, Any]:
        """The tables as of record ``seq``: memory minus the writes after it."""
        # Documents are replaced, never mutated, so copying the tables is enough.
        data: dict[str, Any] = {
            table: {str(k): v for k, v in docs.items()} for table, docs in self._tables.items()
        }
        for write in reversed([w for w in self._undo if not w.seq or w.seq > seq]):
            docs = data.setdefault(write.table, {})
            if write.before is None:
                docs.pop(str(write.doc_id), None)
            else:
                docs[str(write.doc_id)] = write.before
        next_ids = dict(self._next_id)
        data[META] = {"1": {"seq": seq, "next_ids": next_ids,
                            "written": dt.datetime.now(dt.UTC).isoformat(),
                            "crc32": _checksum(data, seq, next_ids)}}
        return data

    def _write_snapshot(self, data: dict[str, Any], seq: int) -> None:
        final = self.folder / DB_FILE
        tmp = self.folder / (DB_FILE + ".tmp")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            self.io_check("snapshot.write")
            # The JSON TinyDB reads, encoded by orjson: 8 times faster than the json
            # module TinyDB's own writer uses (40 ms at 12,000 participants), and the
            # commits wait while a snapshot is written.
            with open(tmp, "r+b") as handle:
                handle.write(orjson.dumps(data))
                handle.flush()
                os.fsync(handle.fileno())
            self.io_check("snapshot.rename")
            os.replace(tmp, final)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        fsync_dir(self.folder)
        self._snapshot_seq = seq
        self._snapshot_documents = sum(len(docs) for name, docs in data.items() if name != META)
        self._rotate_journal(seq)

    def _rotate_journal(self, seq: int) -> None:
        """Start the next journal, then drop those db.json now holds. A failure leaves
        the current journal in use: the next start replays it over db.json."""
        path = self.folder / f"{JOURNAL_PREFIX}{seq + 1:012d}.jsonl"
        if path == self._journal_path:
            return
        self.io_check("journal.rotate")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fsync_dir(self.folder)
        if self._journal_fd is not None:
            os.close(self._journal_fd)
        self._journal_fd, self._journal_path = fd, path
        self._journal_size = os.fstat(fd).st_size
        for old in self._journals():
            if old != path:
                with contextlib.suppress(FileNotFoundError):
                    old.unlink()
        fsync_dir(self.folder)

    def _backup_copy(self, source: Path) -> Path:
        folder = self.folder / SNAPSHOTS
        folder.mkdir(exist_ok=True, mode=0o700)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = folder / f"db-{stamp}.json"
        tmp = target.with_suffix(".tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            self.io_check("backup.copy")
            shutil.copyfile(source, tmp)
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        for stale in snapshot_files(self.folder)[self.keep_snapshots:]:
            stale.unlink()
        fsync_dir(folder)
        self._last_backup = time.time()
        return target

    def _compact_sync(self) -> None:
        self._write_snapshot(self._state_copy(self._seq), self._seq)

    async def idle(self) -> None:
        """Wait for a compaction in progress: the store closes with one writer only."""
        if self._compaction is not None:
            with contextlib.suppress(StoreUnavailable):
                await self._compaction

    async def checkpoint(self) -> Path | None:
        """Compact now and keep a rotating snapshot; returns the snapshot's path, or
        None when the disk refused it (the problem is then shown, and retried)."""
        return await self._compact(backup=True)

    def close(self) -> None:
        """Flush, compact, keep a last snapshot and release the folder."""
        if self._journal_fd is None:
            self._unlock()
            return
        try:
            self.commit_sync()
            if self.read_only is None:
                self._snapshot_quietly(self._state_copy(self._durable), self._durable, True)
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
    backups and restores. Raises StoreCorrupted when it is not a readable database or
    its checksum does not match."""
    path = Path(path)
    try:
        data, _meta = _read_tinydb(path)
        return {table: list(docs.values()) for table, docs in data.items()}
    except (ValueError, AttributeError, UnicodeDecodeError) as exc:
        raise StoreCorrupted("%(path)s is not a readable event database",
                             params={"path": str(path)}) from exc


def snapshot_seq(path: str | Path) -> int:
    """The journal record a snapshot (or db.json) holds everything up to."""
    try:
        return int(_read_tinydb(Path(path))[1].get("seq", 0))
    except (ValueError, AttributeError, UnicodeDecodeError) as exc:
        raise StoreCorrupted("%(path)s is not a readable event database",
                             params={"path": str(path)}) from exc


def journal_after(folder: str | Path, seq: int) -> tuple[bytes, int, int]:
    """What a restore keeps of a folder's journals on top of a snapshot at ``seq``: the
    records after it, up to the first damaged line, provided none is missing between
    the snapshot and them. Returns (those records as a journal, how many, how many
    lines are set aside)."""
    kept: list[journal.Record] = []
    aside = 0
    damaged = False
    for path in sorted(Path(folder).glob(f"{JOURNAL_PREFIX}*.jsonl")):
        try:
            found = journal.scan(path.read_bytes())
        except OSError:  # unreadable (a folder in its place): nothing from here on is kept
            damaged = True
            continue
        if damaged:
            aside += len(found.records) + found.lines_after
            continue
        kept += [r for r in found.records if r.seq > seq]
        aside += found.lines_after
        damaged = bool(found.rest)
    if kept and kept[0].seq != seq + 1:  # a gap: later records would apply to the wrong state
        aside, kept = aside + len(kept), []
    data = b"".join(journal.encode(r.seq, [(t, i, None if d is None else orjson.dumps(d))
                                           for t, i, d in r.ops]) for r in kept)
    return data, len(kept), aside


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
