"""The durable store: what was committed survives a restart or a crash, and nothing else."""

from __future__ import annotations

import asyncio
import errno
import json
import os

import pytest

from popup_tierslieu import store as store_module
from popup_tierslieu.errors import StoreCorrupted, StoreUnavailable
from popup_tierslieu.store import DB_FILE, Store, read_snapshot, snapshot_files

INDEXES = {"participants": ("token",)}


def open_store(folder, **options):
    return Store.open(folder, indexes=INDEXES, **options)


def test_committed_writes_survive_reopen(tmp_path):
    with open_store(tmp_path) as store:
        first = store.insert("participants", {"name": "Hélène", "token": "a" * 22})
        store.update("participants", first, {"name": "Hélène B."})
        second = store.insert("participants", {"name": "Jules", "token": "b" * 22})
        store.remove("participants", second)
        store.commit_sync()
    with open_store(tmp_path) as store:
        assert store.all("participants") == [{"name": "Hélène B.", "token": "a" * 22, "id": 1}]
        assert store.find_one("participants", token="a" * 22)["id"] == 1
        # ids are never reused, even after a removal and a restart
        assert store.insert("participants", {"name": "Zoé", "token": "c" * 22}) == 3


def test_db_json_is_a_tinydb_database(tmp_path):
    from tinydb import TinyDB

    with open_store(tmp_path) as store:
        store.insert("participants", {"name": "Inès", "token": "t" * 22})
        store.commit_sync()
    db = TinyDB(tmp_path / DB_FILE)
    assert db.table("participants").all()[0]["name"] == "Inès"
    db.close()


def test_a_crash_keeps_every_commit_and_skips_a_torn_line(tmp_path):
    store = open_store(tmp_path)
    for i in range(5):
        store.insert("participants", {"name": f"p{i}", "token": f"{i:022d}"})
        store.commit_sync()
    journal = store._journal_path
    # Simulate a pulled plug in the middle of the next write: half a line, no newline.
    with open(journal, "ab") as handle:
        handle.write(b'{"s": 6, "t": "participants", "i": 6, "d": {"na')
    store._unlock()  # the process is gone: its lock goes with it
    with open_store(tmp_path) as reopened:
        assert [p["name"] for p in reopened.all("participants")] == [f"p{i}" for i in range(5)]


def test_a_crash_during_compaction_leaves_the_previous_state_readable(tmp_path):
    with open_store(tmp_path) as store:
        store.insert("participants", {"name": "avant", "token": "x" * 22})
        store.commit_sync()
    # A crash while writing the next snapshot leaves only a half-written temporary file.
    (tmp_path / (DB_FILE + ".tmp")).write_text('{"participants": {"1": {"na')
    with open_store(tmp_path) as store:
        assert store.find_one("participants", token="x" * 22)["name"] == "avant"


def test_concurrent_commits_share_fsyncs_and_all_land(tmp_path):
    store = open_store(tmp_path)
    fsyncs = 0
    real_fsync = os.fsync

    def counting(fd):
        nonlocal fsyncs
        fsyncs += 1
        real_fsync(fd)

    async def one(i):
        store.insert("participants", {"name": f"n{i}", "token": f"{i:022d}"})
        await store.commit()

    async def main():
        await asyncio.gather(*(one(i) for i in range(300)))

    os.fsync = counting
    try:
        asyncio.run(main())
    finally:
        os.fsync = real_fsync
    assert fsyncs < 300 / 5, f"{fsyncs} fsyncs for 300 commits: no group commit"
    store.close()
    with open_store(tmp_path) as store:
        assert store.count("participants") == 300


def test_a_refused_write_is_rolled_back_and_reported(tmp_path):
    store = open_store(tmp_path)
    store.insert("participants", {"name": "saved", "token": "s" * 22})
    store.commit_sync()
    real_write = os.write

    def disk_full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    os.write = disk_full
    try:
        store.insert("participants", {"name": "lost", "token": "l" * 22})
        with pytest.raises(StoreUnavailable):
            store.commit_sync()
    finally:
        os.write = real_write
    # Nothing unacknowledged stays visible, and the store works again once space is back.
    assert [p["name"] for p in store.all("participants")] == ["saved"]
    store.insert("participants", {"name": "after", "token": "a" * 22})
    store.commit_sync()
    store.close()
    with open_store(tmp_path) as store:
        assert [p["name"] for p in store.all("participants")] == ["saved", "after"]


def test_a_damaged_database_is_refused_and_left_untouched(tmp_path):
    with open_store(tmp_path) as store:
        store.insert("participants", {"name": "x", "token": "x" * 22})
        store.commit_sync()
    assert snapshot_files(tmp_path), "closing keeps a snapshot"
    damaged = b'{"participants": {"1": '
    (tmp_path / DB_FILE).write_bytes(damaged)
    with pytest.raises(StoreCorrupted) as caught:
        open_store(tmp_path)
    assert "popup restore" in str(caught.value)
    assert str(snapshot_files(tmp_path)[0]) in str(caught.value)
    assert (tmp_path / DB_FILE).read_bytes() == damaged


def test_a_second_server_cannot_open_the_same_folder(tmp_path):
    with open_store(tmp_path):
        with pytest.raises(StoreUnavailable):
            open_store(tmp_path)


def test_compaction_folds_the_journal_into_a_snapshot(tmp_path):
    with open_store(tmp_path, compact_every=10) as store:
        for i in range(25):
            store.insert("participants", {"name": f"n{i}", "token": f"{i:022d}"})
            store.commit_sync()
        on_disk = json.loads((tmp_path / DB_FILE).read_text())
        assert len(on_disk["participants"]) >= 20
    assert len(read_snapshot(tmp_path / DB_FILE)["participants"]) == 25


def test_an_index_over_two_fields_counts_without_copying_and_survives_reopen(tmp_path):
    indexes = {"registrations": ("workshop_id", ("workshop_id", "status"))}
    with Store.open(tmp_path, indexes=indexes) as store:
        for i in range(10):
            store.insert("registrations", {"workshop_id": "a" if i < 7 else "b",
                                           "status": "confirmed" if i % 2 else "waitlisted"})
        first = store.find_one("registrations", workshop_id="a", status="waitlisted")
        store.update("registrations", first["id"], {"status": "cancelled"})
        store.commit_sync()
        assert store.count("registrations", workshop_id="a", status="waitlisted") == 3
        assert store.count("registrations", workshop_id="a", status="confirmed") == 3
    with Store.open(tmp_path, indexes=indexes) as store:
        assert store.count("registrations", workshop_id="a", status="cancelled") == 1
        assert store.ids("registrations", workshop_id="b", status="confirmed") == {8, 10}
        assert store.count("registrations", workshop_id="a") == 7


def test_a_journal_line_altered_on_disk_is_refused_even_if_it_still_parses(tmp_path):
    store = open_store(tmp_path)
    store.insert("participants", {"name": "Hélène", "token": "h" * 22, "checked": False})
    store.insert("participants", {"name": "Jules", "token": "j" * 22, "checked": False})
    store.commit_sync()
    journal = store._journal_path
    store._unlock()  # the process dies: only the journal holds the writes
    altered = journal.read_bytes().replace(b'"checked":false', b'"checked":true ', 1)
    journal.write_bytes(altered)
    with pytest.raises(StoreCorrupted):
        open_store(tmp_path)
    assert journal.read_bytes() == altered


def test_snapshots_are_spaced_by_the_event_size_so_a_write_costs_the_same_at_any_size(
        tmp_path, monkeypatch):
    """A snapshot rewrites every document: taken every N records whatever the size, its
    share of each check-in grew with the event (bench/checkin.py, 12,000 participants).
    The next one waits until the journal holds as many records as the last one held
    documents."""
    monkeypatch.setattr(store_module, "COMPACT_MIN", 5)

    def register(store, first, count):
        for i in range(first, first + count):
            store.insert("participants", {"name": f"n{i}", "token": f"{i:022d}"})
        store.commit_sync()

    with open_store(tmp_path) as store:
        register(store, 0, 30)  # one request registering 30 people: one record
        for i in range(30, 34):
            register(store, i, 1)
        assert len(read_snapshot(tmp_path / DB_FILE)["participants"]) == 34
        for i in range(34, 67):  # 33 records: fewer than the 34 people of the snapshot
            register(store, i, 1)
        assert len(read_snapshot(tmp_path / DB_FILE)["participants"]) == 34
        register(store, 67, 1)
        assert len(read_snapshot(tmp_path / DB_FILE)["participants"]) == 68
