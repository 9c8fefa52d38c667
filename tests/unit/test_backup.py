"""`popup backup` and `popup restore` on event folders (no server running)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from popup_tierslieu import domain
from popup_tierslieu.store import Store


def popup(*args):
    return subprocess.run([sys.executable, "-m", "popup_tierslieu", *args],
                          capture_output=True, text=True, timeout=60)


def test_a_restored_backup_brings_back_the_photos(tmp_path):
    event = tmp_path / "evenement"
    with Store.open(event, indexes=domain.INDEXES) as store:
        store.insert("notes", {"title": "Atelier visio"})
        store.commit_sync()
    (event / "uploads").mkdir()
    (event / "uploads" / "photo.jpg").write_bytes(b"\xff\xd8photo")
    usb = tmp_path / "usb"
    usb.mkdir()
    assert popup("backup", str(event), "--to", str(usb)).returncode == 0
    (copy,) = usb.iterdir()
    elsewhere = tmp_path / "autre-portable"
    restored = popup("restore", str(elsewhere), "--from", str(copy))
    assert restored.returncode == 0, restored.stderr
    assert (elsewhere / "uploads" / "photo.jpg").read_bytes() == b"\xff\xd8photo"
    with Store.open(elsewhere, indexes=domain.INDEXES) as store:
        assert store.all("notes")[0]["title"] == "Atelier visio"


def test_missing_sources_and_unwritable_targets_are_one_line_errors(tmp_path):
    missing = popup("restore", str(tmp_path / "ev"), "--from", str(tmp_path / "nulle-part"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    event = tmp_path / "evenement"
    with Store.open(event, indexes=domain.INDEXES) as store:
        store.insert("notes", {"title": "x"})
        store.commit_sync()
    blocked = tmp_path / "fichier"
    blocked.write_text("pas un dossier")
    refused = popup("backup", str(event), "--to", str(blocked / "copie"))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("in_the_way", ["db.json", "journal-000000999999.jsonl"])
def test_a_folder_in_place_of_a_store_file_is_one_line_naming_the_snapshot_to_restore(
        tmp_path, in_the_way):
    event = tmp_path / "evenement"
    with Store.open(event, indexes=domain.INDEXES) as store:
        store.insert("notes", {"title": "Atelier visio"})
        store.commit_sync()
    (event / in_the_way).unlink(missing_ok=True)
    (event / in_the_way).mkdir()
    for command in (("purge", str(event), "--yes"),
                    ("backup", str(event), "--to", str(tmp_path / "usb"))):
        answer = popup(*command)
        assert answer.returncode == 1 and "Traceback" not in answer.stderr, answer.stderr
        lines = answer.stderr.strip().splitlines()
        assert len(lines) == 1 and f"popup restore {event} --from " in lines[0], lines
    snapshot = lines[0].split(" --from ", 1)[1].split()[0]  # the fix it gave
    assert popup("restore", str(event), "--from", snapshot).returncode == 0
    with Store.open(event, indexes=domain.INDEXES) as store:
        assert store.all("notes")[0]["title"] == "Atelier visio"


def test_restoring_into_a_file_is_one_line_with_the_fix(tmp_path):
    event = tmp_path / "evenement"
    with Store.open(event, indexes=domain.INDEXES) as store:
        store.insert("notes", {"title": "x"})
        store.commit_sync()
    (snapshot, *_) = (event / "snapshots").iterdir()
    in_the_way = tmp_path / "notes.txt"
    in_the_way.write_text("pas un dossier")
    answer = popup("restore", str(in_the_way), "--from", str(snapshot))
    assert answer.returncode == 1 and "Traceback" not in answer.stderr, answer.stderr
    assert answer.stderr.strip() == (
        f"popup: Impossible de créer le dossier {in_the_way} : un fichier est sur le chemin. "
        "Solution : indiquez le dossier de l'événement où restaurer (par exemple "
        "popup-data/<slug>).")
    assert in_the_way.read_text() == "pas un dossier"


def test_purge_removes_the_passes_and_sheets_the_desk_printed(tmp_path, monkeypatch):
    from popup_tierslieu import territory_key
    from popup_tierslieu.backup import purge

    monkeypatch.setenv(territory_key.ENV, str(tmp_path / "people.key"))
    event = tmp_path / "evenement"
    with Store.open(event, indexes=domain.INDEXES) as store:
        store.insert("notes", {"title": "Atelier visio"})
        store.commit_sync()
    (event / "prints").mkdir()
    (event / "prints" / "pass-1.pdf").write_bytes("%PDF-1.4 Hélène Roux".encode())
    purge(event)
    assert not (event / "prints").exists()


def test_purge_leaves_no_temporary_file_behind(tmp_path, monkeypatch):
    from popup_tierslieu import territory_key
    from popup_tierslieu.backup import purge

    monkeypatch.setenv(territory_key.ENV, str(tmp_path / "people.key"))
    folder = tmp_path / "event"
    with Store.open(folder, indexes=domain.INDEXES) as store:
        store.insert("participants", {"name": "Hélène", "email": "helene@example.org"})
        store.commit_sync()
    leftovers = [folder / "snapshots" / "db-20260612-100000-000000.tmp",
                 folder / "uploads" / ".photo-1.jpg.tmp", folder / "concierge.token.tmp"]
    for path in leftovers:
        path.parent.mkdir(exist_ok=True)
        path.write_text("helene@example.org")
    purge(folder)
    assert not list(folder.rglob("*.tmp"))
    assert "helene@example.org" not in (folder / "db.json").read_text()
