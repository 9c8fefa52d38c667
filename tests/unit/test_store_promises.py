"""The store's whole promise: nothing answered is lost, nothing refused comes back,
no request is replayed by half, no damaged file is read silently.

Disk failures are injected through the store's ``io_check`` seam, which names each
step of the write path: a full tmpfs can only refuse writes, while an fsync, a
rename or a backup copy can fail too, and each must be met at its own step.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import gc
import json
import os
import shutil
import threading

import pytest

from popup_tierslieu import domain
from popup_tierslieu.domain import bookings, participants
from popup_tierslieu.errors import InvalidInput, StoreCorrupted, StoreReadOnly, StoreUnavailable
from popup_tierslieu.kit import default_kit
from popup_tierslieu.store import DB_FILE, Store, load_tables, read_snapshot

KIT = default_kit(dt.date(2026, 6, 12))
NOON = dt.datetime(2026, 6, 12, 10, 0, tzinfo=dt.UTC)


def person(name: str) -> dict:
    return {"name": name, "profile": KIT.profiles[0], "commune": "Cucuron", "consent": True,
            "charter": True}


def crash(store: Store) -> None:
    """The process dies: no snapshot at exit, the lock goes with it."""
    if store._journal_fd is not None:
        os.close(store._journal_fd)
        store._journal_fd = None
    store._unlock()


def fail_at(step: str, times: set[int], also: tuple[str, ...] = ()):
    """An io_check that makes the disk fail at the n-th time ``step`` is reached (and
    at every step in ``also`` while it does)."""
    seen = {"count": 0, "failing": False}

    def check(name: str) -> None:
        if name == step:
            seen["count"] += 1
            seen["failing"] = seen["count"] in times
            if seen["failing"]:
                raise OSError(errno.EIO, f"injected at {name}")
        elif name in also and seen["failing"]:
            raise OSError(errno.EIO, f"injected at {name}")

    return check


async def register_many(store: Store, names: list[str], batch: int = 4) -> dict[str, str]:
    """Concurrent registrations, each answered as a phone would see it."""
    async def one(name: str) -> tuple[str, str]:
        await asyncio.sleep(0)
        store.insert("participants", {"name": name})
        try:
            await store.commit()
        except StoreReadOnly:
            return name, "unknown"
        except StoreUnavailable:
            return name, "refused"
        return name, "saved"

    answers: dict[str, str] = {}
    for start in range(0, len(names), batch):  # batches of concurrent requests
        answers.update(await asyncio.gather(*(one(n) for n in names[start:start + batch])))
    await store.idle()
    return answers


@pytest.mark.parametrize("step", ["journal.write", "journal.fsync", "snapshot.write",
                                  "snapshot.rename", "journal.rotate", "backup.copy"])
def test_after_a_disk_error_at_any_step_the_disk_holds_exactly_what_was_answered(tmp_path,
                                                                                  step):
    store = Store.open(tmp_path, compact_every=3, snapshot_interval=0)
    store.io_check = fail_at(step, {2, 3, 5})
    names = [f"p{i}" for i in range(24)]
    answers = asyncio.run(register_many(store, names))
    saved = {n for n, a in answers.items() if a == "saved"}
    refused = {n for n, a in answers.items() if a == "refused"}
    if step.startswith("journal.") and step != "journal.rotate":
        assert refused, "the injected failure refused nothing"
    else:  # after the journal's fsync nothing can fail a request any more
        assert saved == set(names)
        assert store.problem is not None, "the desk is not told the snapshot failed"
    assert {p["name"] for p in store.all("participants")} == saved
    crash(store)
    on_disk = {p["name"] for p in load_tables(tmp_path)["participants"]}
    assert on_disk == saved
    assert not list(tmp_path.glob("**/*.tmp")), "a temporary file was left behind"
    with Store.open(tmp_path) as reopened:  # and the event opens again, whole
        assert {p["name"] for p in reopened.all("participants")} == saved


def test_a_journal_that_cannot_be_cut_turns_the_store_read_only(tmp_path):
    store = Store.open(tmp_path)
    store.io_check = fail_at("journal.fsync", {2}, also=("journal.cut",))
    answers = asyncio.run(register_many(store, ["avant", "pendant"], batch=1))
    assert answers == {"avant": "saved", "pendant": "unknown"}
    with pytest.raises(StoreReadOnly):
        store.insert("participants", {"name": "après"})
    assert store.problem is not None
    crash(store)
    assert "avant" in {p["name"] for p in load_tables(tmp_path)["participants"]}


def test_text_that_cannot_be_stored_is_a_field_error_and_changes_nothing(tmp_path):
    with Store.open(tmp_path) as store:
        store.insert("participants", {"name": "Avant"})
        with pytest.raises(InvalidInput) as caught:
            store.insert("participants", {"name": "Evil \ud800", "commune": "Apt"})
        assert set(caught.value.fields) == {"name"}
        store.commit_sync()
        assert [p["name"] for p in store.all("participants")] == ["Avant"]
    assert [p["name"] for p in read_snapshot(tmp_path / DB_FILE)["participants"]] == ["Avant"]


def test_an_erasure_cut_at_any_byte_leaves_the_person_whole_or_gone(tmp_path):
    """A crash keeps any prefix of the journal's bytes; replay applies whole requests."""
    event = tmp_path / "event"
    store = Store.open(event, indexes=domain.INDEXES)
    helene = participants.register(store, KIT, person("Hélène Roux"), NOON)
    store.commit_sync()
    for workshop in bookings.programme(store, KIT)[:2]:
        bookings.register(store, KIT, helene["id"], workshop.id, now=NOON, by_desk=True)
        store.commit_sync()
    participants.check_in(store, KIT, helene["token"], now=NOON)
    store.commit_sync()
    before = store._journal_size
    assert participants.delete(store, KIT, helene["id"]) >= 3
    store.commit_sync()
    journal = store._journal_path
    raw = journal.read_bytes()
    crash(store)
    whole = {"participants": 1, "registrations": 2, "checkins": 1}
    for cut in range(before, len(raw) + 1):
        journal.write_bytes(raw[:cut])
        tables = load_tables(event)
        left = {table: sum(1 for d in tables.get(table, [])
                           if d.get("participant_id", d["id"]) == helene["id"]
                           and d.get("status") != "cancelled")
                for table in whole}
        assert left in (whole, dict.fromkeys(whole, 0)), f"cut at byte {cut}: {left}"
    assert left == dict.fromkeys(whole, 0)


def test_a_snapshot_altered_on_disk_is_refused_even_if_it_is_still_valid_json(tmp_path):
    event = tmp_path / "event"
    with Store.open(event) as store:
        store.insert("participants", {"name": "Hélène", "seat": 4})
        store.commit_sync()
    data = json.loads((event / DB_FILE).read_text())
    data["participants"]["1"].update(name="Mallory", seat=1)
    altered = json.dumps(data)
    (event / DB_FILE).write_text(altered)
    with pytest.raises(StoreCorrupted):
        Store.open(event)
    with pytest.raises(StoreCorrupted):
        read_snapshot(event / DB_FILE)
    assert (event / DB_FILE).read_text() == altered


def test_temporary_files_are_private_and_leftovers_are_removed(tmp_path):
    event = tmp_path / "event"
    with Store.open(event) as store:
        store.insert("participants", {"name": "Hélène", "email": "h@example.org"})
        store.commit_sync()
        modes = []

        def look(step: str) -> None:
            if step == "snapshot.write":  # the temporary file exists, still empty
                modes.append((event / (DB_FILE + ".tmp")).stat().st_mode & 0o777)

        store.io_check = look
        store._write_snapshot(store._state_copy(store._durable), store._durable)
        assert modes == [0o600]
    (event / "snapshots" / "db-20260612-100000-000000.tmp").write_text("h@example.org")
    shutil.copy(event / DB_FILE, event / (DB_FILE + ".tmp"))
    Store.open(event).close()
    assert not list(event.glob("**/*.tmp"))


def test_a_restore_after_a_damaged_journal_keeps_its_valid_records(tmp_path):
    from popup_tierslieu.backup import restore
    from popup_tierslieu.store import snapshot_files

    event = tmp_path / "event"
    store = Store.open(event)
    store.insert("participants", {"name": "Avant l'instantané"})
    store.commit_sync()
    asyncio.run(store.checkpoint())
    for name in ("Après 1", "Après 2", "Abîmée", "Après la ligne abîmée"):
        store.insert("participants", {"name": name})
        store.commit_sync()
    journal = store._journal_path
    crash(store)
    journal.write_bytes(journal.read_bytes().replace(b"Ab\xc3\xaem\xc3\xa9e", b"Abimee!"))
    with pytest.raises(StoreCorrupted) as refused:
        Store.open(event)
    assert "kept" in str(refused.value)
    done = restore(event, snapshot_files(event)[0])
    assert (done.kept, done.set_aside) == (2, 2)
    with Store.open(event) as reopened:
        assert [p["name"] for p in reopened.all("participants")] == [
            "Avant l'instantané", "Après 1", "Après 2"]


def test_a_request_that_fails_after_a_first_write_keeps_none_of_it(tmp_path):
    """What the error handler does for a 4xx raised after a write: the request's writes
    are undone, another request's are kept, and nothing of the failed one is journaled."""
    store = Store.open(tmp_path)
    kept = store.insert("participants", {"name": "Hélène", "seat": 1})
    store.commit_sync()

    async def failing() -> None:
        store.update("participants", kept, {"seat": 2})
        store.insert("checkins", {"participant_id": kept})
        store.discard()

    async def succeeding() -> None:
        store.insert("participants", {"name": "Jules"})
        await store.commit()

    async def both() -> None:
        await asyncio.gather(failing(), succeeding())

    asyncio.run(both())
    assert store.get("participants", kept)["seat"] == 1 and store.count("checkins") == 0
    crash(store)
    tables = load_tables(tmp_path)
    assert [p["name"] for p in tables["participants"]] == ["Hélène", "Jules"]
    assert tables["participants"][0]["seat"] == 1 and not tables.get("checkins")


def test_a_request_gone_while_its_batch_is_synced_leaves_the_others_saved(tmp_path):
    """A phone that closes its connection while its write is being synced cancels its own
    request, not the batch it shares with the others: they are answered, and both
    writes are on disk (the batch was already on its way)."""
    folder = tmp_path / "event"
    store = Store.open(folder, indexes=domain.INDEXES)
    syncing, release = threading.Event(), threading.Event()

    def slow_disk(step: str) -> None:
        if step == "journal.fsync":
            syncing.set()
            release.wait(5)

    store.io_check = slow_disk

    async def scenario() -> None:
        async def register(name: str) -> str:
            store.insert("participants", {"name": name})
            await store.commit()
            return name

        gone = asyncio.ensure_future(register("Gone"))
        stays = asyncio.ensure_future(register("Stays"))
        while not syncing.is_set():
            await asyncio.sleep(0.001)
        gone.cancel()
        await asyncio.sleep(0)
        release.set()
        assert await stays == "Stays"
        with pytest.raises(asyncio.CancelledError):
            await gone

    asyncio.run(scenario())
    crash(store)
    reopened = Store.open(folder, indexes=domain.INDEXES)
    assert sorted(p["name"] for p in reopened.all("participants")) == ["Gone", "Stays"]
    reopened.close()


def test_a_batch_refused_after_its_only_request_was_gone_logs_no_traceback(tmp_path):
    """A phone gone while the disk refuses its write: the write is rolled back as ever,
    and the batch's failure is not left for asyncio to log as a traceback ("Task
    exception was never retrieved") in the server log."""
    store = Store.open(tmp_path / "event", indexes=domain.INDEXES)
    syncing, release = threading.Event(), threading.Event()

    def refusing_disk(step: str) -> None:
        if step == "journal.fsync":
            syncing.set()
            release.wait(5)
            raise OSError(errno.EIO, "injected at journal.fsync")

    store.io_check = refusing_disk
    logged: list[dict] = []

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: logged.append(ctx))

        async def register() -> None:
            store.insert("participants", {"name": "Gone"})
            await store.commit()

        gone = asyncio.ensure_future(register())
        while not syncing.is_set():
            await asyncio.sleep(0.001)
        gone.cancel()
        await asyncio.sleep(0)
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await gone
        while store._flush_task is not None:
            await asyncio.sleep(0.001)
        gc.collect()
        await asyncio.sleep(0)

    asyncio.run(scenario())
    assert [ctx.get("message") for ctx in logged] == []
    assert store.all("participants") == []
    store.close()


def test_a_request_that_read_a_refused_write_is_refused_with_it(tmp_path):
    """A double tap finds the registration its first tap made, writes nothing, and waits
    for it to be on disk: when the disk refuses it, the second tap is refused too rather
    than answered with a pass that no longer exists."""
    store = Store.open(tmp_path / "event", indexes=domain.INDEXES)
    store.io_check = fail_at("journal.fsync", {1})

    async def scenario() -> list[str]:
        async def first_tap() -> str:
            store.insert("participants", {"name": "Awa", "form_nonce": "n" * 22})
            await store.commit()
            return "saved"

        async def second_tap() -> str:
            await asyncio.sleep(0)
            assert store.find_one("participants", form_nonce="n" * 22) is not None
            await store.commit()
            return "saved"

        answers = await asyncio.gather(first_tap(), second_tap(), return_exceptions=True)
        return [a if isinstance(a, str) else type(a).__name__ for a in answers]

    assert asyncio.run(scenario()) == ["StoreUnavailable", "StoreUnavailable"]
    assert store.find_one("participants", form_nonce="n" * 22) is None
    store.close()


def test_after_a_refused_batch_a_request_that_writes_nothing_is_answered(tmp_path):
    """The records the disk refused are gone from memory too: a later request that only
    reads (a pass scanned twice) waits for nothing and is answered."""
    store = Store.open(tmp_path / "event", indexes=domain.INDEXES)
    store.io_check = fail_at("journal.fsync", {1})

    async def scenario() -> str:
        store.insert("participants", {"name": "Awa"})
        with pytest.raises(StoreUnavailable):
            await store.commit()
        await store.commit()  # a request that wrote nothing
        return "answered"

    assert asyncio.run(scenario()) == "answered"
    store.close()
