"""A pulled plug, a full disk, a damaged file: nothing acknowledged is lost, and the
organiser is told what to do. Real servers on loopback; bounded in time."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from popup_tierslieu import domain
from popup_tierslieu.errors import StoreUnavailable
from popup_tierslieu.store import Store, load_tables, read_snapshot, snapshot_files
from tests.mixed_load import MixedLoad, check

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


def popup(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "popup_tierslieu", *args], input=stdin,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "POPUP_LANG": "fr"})


def body(name: str) -> dict:
    return {"name": name, "profile": "Habitant·e", "commune": "Lourmarin", "consent": True,
            "charter": True}


def test_kill_9_under_concurrent_mixed_writes_loses_nothing(make_server, monkeypatch):
    """Registrations, check-ins and erasures (several documents each) at once, then
    kill -9, ten times: nothing answered is lost, nothing is there by half."""
    monkeypatch.setenv("POPUP_RATE_REGISTER", "100000/1")
    server = make_server()
    loads = []
    rng = random.Random(9)
    for trial in range(10):
        with MixedLoad(server.url, server.token, f"essai {trial}") as load:
            time.sleep(rng.uniform(0.2, 0.7))
            server.kill()
        loads.append(load)
        server.start()  # the database opens every time, or this raises
    server.stop()
    tables = load_tables(server.data_dir)
    for load in loads:
        check(tables, load)
    assert sum(load.count("saved") for load in loads) > 50, "the load did not run"
    assert sum(len(load.erasures) for load in loads) > 5, "no erasure ran"


def test_a_disk_refusing_writes_rolls_back_and_recovers(tmp_path, monkeypatch):
    """The failure injected in the store itself: the write is refused, the memory is
    rolled back to what is on disk, and the next write works once space is back."""
    store = Store.open(tmp_path / "event", indexes=domain.INDEXES)
    store.insert("participants", {"name": "Avant", "token": "a" * 22})
    store.commit_sync()
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("popup_tierslieu.store.os.write", full)
    store.insert("participants", {"name": "Pendant", "token": "b" * 22})
    with pytest.raises(StoreUnavailable):
        store.commit_sync()
    assert [p["name"] for p in store.all("participants")] == ["Avant"]
    monkeypatch.setattr("popup_tierslieu.store.os.write", real_write)
    store.insert("participants", {"name": "Après", "token": "c" * 22})
    store.commit_sync()
    store.close()
    names = [p["name"] for p in load_tables(tmp_path / "event")["participants"]]
    assert names == ["Avant", "Après"]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"),
                    reason="mounting a small tmpfs needs root")
def test_full_disk_answers_503_in_french_and_recovers(make_server, tmp_path, monkeypatch):
    monkeypatch.setenv("POPUP_RATE_REGISTER", "100000/1")
    disk = tmp_path / "usb"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], check=True)
    try:
        server = make_server(data_dir=disk / "event")
        with httpx.Client(base_url=server.url, timeout=10, headers=FR) as http:
            before = server.register(http, name="Avant le plein")
            filler = disk / "filler"
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
            for chunk in (65536, 4096, 1):
                try:
                    while True:
                        os.write(fd, b"x" * chunk)
                except OSError:
                    pass
            os.close(fd)
            # The journal's last memory page may still have room for a few lines.
            acknowledged = ["Avant le plein"]
            for attempt in range(100):
                refused = http.post("/api/v1/participants", json=body(f"Pendant {attempt}"))
                if refused.status_code != 201:
                    break
                acknowledged.append(f"Pendant {attempt}")
            assert refused.status_code == 503
            assert refused.json()["error"]["message"].startswith("Le disque")
            page = http.post("/register", data={**body("Par le formulaire"), "consent": "on",
                                                "charter": "on", "csrf": server.csrf(http)})
            assert page.status_code == 503 and "Le disque" in page.text
            me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {before['token']}"})
            assert me.json()["name"] == "Avant le plein"
            filler.unlink()
            after = server.register(http, name="Après le plein")
        server.stop()
        names = [p["name"] for p in load_tables(server.data_dir)["participants"]]
        assert names == [*acknowledged, "Après le plein"]
        assert after["id"] != before["id"]
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_damaged_database_is_refused_untouched_then_restored(make_server):
    server = make_server()
    kept = server.register(name="Hélène Roux")
    server.stop()
    db = server.data_dir / "db.json"
    snapshot = snapshot_files(server.data_dir)[0]
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])  # a half-written file
    damaged = hashlib.sha256(db.read_bytes()).hexdigest()

    refused = popup("up", "--headless", "--no-mdns", "--host", "127.0.0.1", "--port",
                    str(server.port), "--data", str(server.data_dir))
    assert refused.returncode == 1
    message = refused.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert str(snapshot) in message and "popup restore" in message
    assert hashlib.sha256(db.read_bytes()).hexdigest() == damaged

    restored = popup("restore", str(server.data_dir), "--from", str(snapshot))
    assert restored.returncode == 0, restored.stderr
    aside = next(server.data_dir.glob("replaced-*"))
    assert hashlib.sha256((aside / "db.json").read_bytes()).hexdigest() == damaged
    server.start()
    me = httpx.get(server.url + "/api/v1/me",
                   headers={"Authorization": f"Bearer {kept['token']}"})
    assert me.json()["name"] == "Hélène Roux"


def test_a_damaged_journal_line_is_refused_untouched(make_server):
    server = make_server()
    for n in range(3):
        server.register(name=f"Personne {n}")
    server.kill()  # the writes are only in the journal
    (journal,) = server.data_dir.glob("journal-*.jsonl")
    lines = journal.read_bytes().split(b"\n")
    lines[1] = lines[1][:30]  # a line cut short in the middle, not a torn tail
    journal.write_bytes(b"\n".join(lines))
    damaged = journal.read_bytes()
    refused = popup("up", "--headless", "--no-mdns", "--host", "127.0.0.1", "--port",
                    str(server.port), "--data", str(server.data_dir))
    assert refused.returncode == 1
    assert str(journal) in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert journal.read_bytes() == damaged


def test_snapshots_rotate_while_the_server_runs(make_server, monkeypatch):
    monkeypatch.setenv("POPUP_CHECKPOINT_SECONDS", "0.3")
    server = make_server()
    first = server.register(name="Avant l'instantané")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(snapshot_files(server.data_dir)) < 2:
        time.sleep(0.1)
    snapshots = snapshot_files(server.data_dir)
    assert len(snapshots) >= 2
    names = [p["name"] for p in read_snapshot(snapshots[0])["participants"]]
    assert names == ["Avant l'instantané"] and first["id"] == 1
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in snapshots)


def test_backup_while_running_then_restore_elsewhere(make_server, tmp_path, monkeypatch):
    monkeypatch.setenv("POPUP_RATE_REGISTER", "100000/1")
    server = make_server()
    usb = tmp_path / "usb"
    usb.mkdir()
    with MixedLoad(server.url, server.token, "sauvegarde", erase=False) as load:
        # Wait for writes to be under way however loaded the machine is: a fixed sleep
        # saw none acknowledged yet on a busy 2-core runner.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and load.count("saved") < 5:
            time.sleep(0.05)
        with load.lock:
            acknowledged = [{**answer, "name": name} for name, (said, answer)
                            in load.registrations.items() if said == "saved"]
        made = popup("backup", str(server.data_dir), "--to", str(usb))
        time.sleep(0.2)
    assert made.returncode == 0, made.stderr
    (copy,) = usb.iterdir()
    assert not (copy / "concierge.token").exists()

    refused = popup("restore", str(server.data_dir), "--from", str(copy))
    assert refused.returncode == 1 and "popup stop" in refused.stderr

    elsewhere = tmp_path / "autre-portable"
    assert popup("restore", str(elsewhere), "--from", str(copy)).returncode == 0
    other = make_server(data_dir=elsewhere)
    stats = httpx.get(other.url + "/api/v1/stats", headers=other.concierge).json()
    assert stats["registered"] >= len(acknowledged) > 0
    for p in acknowledged:
        me = httpx.get(other.url + "/api/v1/me", headers={"Authorization": f"Bearer {p['token']}"})
        assert me.json()["name"] == p["name"]


def test_purge_keeps_aggregates_and_drops_identities(make_server):
    server = make_server()
    quiet = server.register(name="Sans Contact", email="sans@example.org")
    keen = server.register(name="Avec Contact", email="avec@example.org", contact_optin=True)
    httpx.post(server.url + "/api/v1/checkins", json={"token": quiet["token"]},
               headers=server.concierge)
    server.stop()
    assert popup("purge", str(server.data_dir)).returncode == 1  # asks, and nothing is typed
    done = popup("purge", str(server.data_dir), "--yes")
    assert done.returncode == 0, done.stderr
    tables = load_tables(server.data_dir)
    people = {p["id"]: p for p in tables["participants"]}
    assert people[quiet["id"]]["name"] is None and people[quiet["id"]]["email"] is None
    assert people[quiet["id"]]["commune"] == "Lourmarin"
    assert people[keen["id"]]["email"] == "avec@example.org"
    assert all(p["token"] is None for p in people.values())
    assert [c["participant_id"] for c in tables["checkins"]] == [quiet["id"]]
    raw = b"".join(path.read_bytes() for path in Path(server.data_dir).rglob("*.json*"))
    assert b"sans@example.org" not in raw and quiet["token"].encode() not in raw


def test_a_snapshot_the_disk_refuses_fails_no_request_and_shows_on_the_desk(make_server,
                                                                              monkeypatch):
    """A directory where the snapshot's temporary file goes makes every snapshot fail,
    as a disk error would: writes still answer 201 and survive, /stats says why."""
    monkeypatch.setenv("POPUP_CHECKPOINT_SECONDS", "1")
    server = make_server()
    (server.data_dir / "db.json.tmp").mkdir()
    with httpx.Client(base_url=server.url, timeout=10, headers=FR) as http:
        kept = server.register(http, name="Pendant la panne")
        problem = None
        for _ in range(60):  # the next checkpoint, within a few seconds
            problem = http.get("/api/v1/stats", headers=server.concierge).json()[
                "storage_problem"]
            if problem:
                break
            time.sleep(0.1)
        assert problem and "instantané" in problem
        after = server.register(http, name="Après la panne")
        (server.data_dir / "db.json.tmp").rmdir()
    server.kill()
    names = {p["name"] for p in load_tables(server.data_dir)["participants"]}
    assert {kept["id"], after["id"]} <= {p["id"] for p in load_tables(server.data_dir)[
        "participants"]}
    assert {"Pendant la panne", "Après la panne"} <= names
