"""The journal's format on disk: one line per request, whole or not at all.

A line is ``<crc32 in 8 hex digits> <JSON>\\n`` where the JSON is
``{"s": seq, "o": [[table, id, document or null], ...]}``: every document one
request wrote, so that a replay applies a request entirely or not at all (an
erasure never comes back half done). The CRC covers the whole record, so a record
altered on disk is refused even when it still parses. Lines written by the first
release (``{"s", "t", "i", "d"}``, one document each) are still read.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson

Document = dict[str, Any]
# One document a request wrote: its table, its id, and its JSON (None: removed).
Op = tuple[str, int, Document | None]


@dataclass
class Record:
    seq: int
    ops: list[Op]


@dataclass
class Scan:
    """What a journal file holds: its valid records, where they end, and what follows."""

    records: list[Record]
    valid_bytes: int
    # After the valid records: b"" (clean end), a torn last line (no newline: a crash
    # cut it before it was acknowledged), or damage (a complete line that fails).
    rest: bytes
    torn: bool

    @property
    def damaged(self) -> bool:
        return bool(self.rest) and not self.torn

    @property
    def lines_after(self) -> int:
        """How many lines follow the valid records (a torn tail counts as one)."""
        return self.rest.count(b"\n") + (1 if self.torn else 0)


def frame(payload: bytes) -> bytes:
    return b"%08x " % zlib.crc32(payload) + payload + b"\n"


def encode(seq: int, ops: Iterable[tuple[str, int, bytes | None]]) -> bytes:
    """One framed record from documents already serialised (so that nothing that
    cannot be stored ever reaches memory, and nothing is serialised twice)."""
    parts = b",".join(b"[%s,%d,%s]" % (orjson.dumps(table), doc_id,
                                       b"null" if doc is None else doc)
                      for table, doc_id, doc in ops)
    return frame(b'{"s":%d,"o":[%s]}' % (seq, parts))


def _decode(line: bytes) -> Record:
    crc, _, payload = line.partition(b" ")
    if len(crc) != 8 or int(crc, 16) != zlib.crc32(payload):
        raise ValueError("journal line checksum mismatch")
    data = orjson.loads(payload)
    if "o" in data:
        ops = [(str(table), int(doc_id), doc) for table, doc_id, doc in data["o"]]
    else:
        ops = [(str(data["t"]), int(data["i"]), data["d"])]
    if not all(doc is None or isinstance(doc, dict) for _, _, doc in ops):
        raise ValueError("a journal document is not an object")
    return Record(int(data["s"]), ops)


def scan(raw: bytes) -> Scan:
    """Read records until the end or the first line that fails."""
    records: list[Record] = []
    offset = 0
    while offset < len(raw):
        end = raw.find(b"\n", offset)
        if end == -1:
            return Scan(records, offset, raw[offset:], torn=True)
        line = raw[offset:end]
        if line:
            try:
                records.append(_decode(line))
            except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
                return Scan(records, offset, raw[offset:], torn=False)
        offset = end + 1
    return Scan(records, offset, b"", torn=False)
