"""The desk's own record of scans not yet answered by the server.

Every scan is written here (and fsynced) before it is sent, so a scan made while the
server cannot be reached, or while the console is closed by a pulled plug, is sent
later, in order, with the time it was made. The file is a journal of JSON lines:
``{"id", "text", "scanned_at"}`` when a scan is taken, ``{"done": id}`` once the
server answered it; it is emptied when nothing is left to send.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import orjson


def default_path(base_url: str) -> Path:
    """One queue per server, in the user's state folder (the console may run on another
    laptop than the server, so not in the event folder)."""
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    name = re.sub(r"[^A-Za-z0-9.-]+", "_", base_url.split("://", 1)[-1]).strip("_")
    return state / "popup-tierslieu" / f"scans-{name}.jsonl"


class ScanQueue:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._pending: dict[int, dict[str, Any]] = {}
        self._next = 1
        self._read()

    def _read(self) -> None:
        if not self.path.exists():
            return
        for line in self.path.read_bytes().splitlines():
            try:
                row = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a line cut by a crash was never acknowledged on screen
            if "done" in row:
                self._pending.pop(row["done"], None)
            else:
                self._pending[row["id"]] = row
                self._next = max(self._next, row["id"] + 1)

    def _append(self, row: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as handle:
            handle.write(orjson.dumps(row) + b"\n")
            handle.flush()
            os.fsync(handle.fileno())

    def add(self, text: str, scanned_at: str, wrong_layout: bool = False) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self._next, "text": text, "scanned_at": scanned_at}
        if wrong_layout:
            row["wrong_layout"] = True
        self._append(row)
        self._next += 1
        self._pending[row["id"]] = row
        return row

    def done(self, entry_id: int) -> None:
        self._pending.pop(entry_id, None)
        if self._pending:
            self._append({"done": entry_id})
            return
        with self.path.open("wb") as handle:
            os.fsync(handle.fileno())

    def pending(self) -> list[dict[str, Any]]:
        """What is still to send, oldest first."""
        return [self._pending[key] for key in sorted(self._pending)]

    def __len__(self) -> int:
        return len(self._pending)
