"""The desk's scan queue on disk and the scanner's reading of a burst, without a console."""

from __future__ import annotations

from popup_tierslieu.console.offline import ScanQueue
from popup_tierslieu.console.scanner import (
    AZERTY_ON_QWERTY,
    QWERTY_ON_AZERTY,
    could_be_scan,
    recognise,
    scans_in,
)

URL = "http://192.168.1.10:8000/pass/Q6Hapd5Nz6xJrOtmukizuQ"


def test_scans_waiting_on_disk_survive_a_restart_in_order(tmp_path):
    path = tmp_path / "scans.jsonl"
    queue = ScanQueue(path)
    for n in range(3):
        queue.add(f"{URL[:-1]}{n}", f"2026-06-12T09:3{n}:00+02:00")
    queue.done(1)
    with path.open("ab") as handle:
        handle.write(b'{"id": 9, "text": "cut by a pulled pl')  # a crash mid-line
    again = ScanQueue(path)
    assert [(e["id"], e["scanned_at"]) for e in again.pending()] == [
        (2, "2026-06-12T09:31:00+02:00"), (3, "2026-06-12T09:32:00+02:00")]
    assert again.add(URL, "2026-06-12T09:40:00+02:00")["id"] == 4
    for entry in again.pending():
        again.done(entry["id"])
    assert len(ScanQueue(path)) == 0 and path.read_bytes() == b""


def test_a_burst_is_a_scan_only_when_it_names_a_pass_or_check_in_code():
    assert recognise(URL).text == URL
    assert recognise(URL.replace("/pass/", "/c/")).wrong_layout is False
    assert recognise("Q6Hapd5Nz6xJrOtmukizuQ").text == "Q6Hapd5Nz6xJrOtmukizuQ"
    for typing in ("helene", "anticonstitutionnelles", "http://example.org/menu",
                   "WIFI:S:Tiers-lieu;;", URL + " merci"):
        assert recognise(typing) is None, typing
    assert all(could_be_scan(URL[:n]) for n in range(1, len(URL) + 1))
    assert not could_be_scan("Bonjour ") and not could_be_scan("http://x/menu")


def test_the_wrong_keyboard_layout_is_mapped_back_both_ways():
    for table in (AZERTY_ON_QWERTY, QWERTY_ON_AZERTY):
        typed = URL.translate(table)
        assert typed != URL
        assert all(could_be_scan(typed[:n]) for n in range(1, len(typed) + 1))
        scan = recognise(typed)
        assert scan is not None and scan.text == URL and scan.wrong_layout


def test_a_paste_is_scans_only_when_every_line_is_one():
    assert [s.text for s in scans_in(URL + "\n" + URL + "\r\n")] == [URL, URL]
    assert scans_in(URL + "\nÀ demain") is None
