"""Open-data exports: CSV that opens right in LibreOffice and French-locale Excel, JSON,
and a Frictionless Data Package describing every CSV.

CSV dialect: UTF-8 with a byte-order mark (Excel then reads accents right), ``;`` between
fields and ``,`` as the decimal mark, which is what French-locale Excel expects when it
opens a file with a double click (it reads ``,`` as the decimal mark, not a separator);
LibreOffice detects both. ``datapackage.json`` declares the same dialect and decimal mark.

Rows are pseudonymous: a participant appears as a keyed hash, never a name or e-mail.
Personal data leave the event folder only in the report's ``contacts.csv``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain import bookings
from .compute import DESK_REQUESTS, SWAP_POSTS, TableReader, commune_name
from .source import EventData

DELIMITER = ";"
DECIMAL = ","
ENCODING = "utf-8-sig"
# A text cell starting with one of these is a formula to a spreadsheet ("=HYPERLINK(...)"):
# a leading apostrophe makes it plain text (OWASP's advice for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Table Schema type: string, integer, number, boolean, date, datetime
    description: str = ""


@dataclass
class Table:
    name: str
    title: str
    fields: tuple[Field, ...]
    rows: list[dict[str, Any]]


def cell(value: Any, kind: str) -> str:
    """One value as written in the CSV, readable back as its declared type."""
    if value is None or value == "":
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "number":
        return str(value).replace(".", DECIMAL)
    if kind == "integer":
        return str(int(value))
    text = ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(path: Path, fields: Iterable[Field], rows: Iterable[dict[str, Any]]) -> Path:
    fields = tuple(fields)
    with open(path, "w", encoding=ENCODING, newline="") as handle:
        writer = csv.writer(handle, delimiter=DELIMITER, lineterminator="\r\n")
        writer.writerow([f.name for f in fields])
        for row in rows:
            writer.writerow([cell(row.get(f.name), f.type) for f in fields])
    return path


def pseudonym_key(folder: Path) -> bytes:
    """Stable pseudonyms across exports of one event (so files can be joined and updated)
    without a new secret on disk: derived from the concierge token, which never leaves the
    folder. A copied folder without its token gets a key for this run only."""
    try:
        token = (folder / "concierge.token").read_text().strip()
    except OSError:
        return secrets.token_bytes(32)
    return hashlib.sha256(b"popup-export-pseudonym|" + token.encode()).digest()


def pseudonym(key: bytes, participant_id: Any) -> str:
    return hmac.new(key, str(participant_id).encode(), hashlib.sha256).hexdigest()[:16]


def _datetime(stamp: Any) -> str | None:
    """ISO 8601 in UTC with a Z, the Table Schema's default datetime format."""
    try:
        moment = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


F = Field
PERSON = F("participant", "string", "pseudonymous id of the participant (a keyed hash)")


def tables(event: EventData) -> list[Table]:
    """The event's rows, pseudonymous, for CSV and JSON. A deleted participant is gone."""
    key = pseudonym_key(event.folder)
    data = event.tables
    people = {p["id"]: p for p in data.get("participants", [])}
    came = {c.get("participant_id") for c in data.get("checkins", [])}

    def who(row: dict[str, Any]) -> str:
        return pseudonym(key, row["participant_id"])

    def mine(name: str) -> list[dict[str, Any]]:
        return [r for r in data.get(name, []) if r.get("participant_id") in people]

    out = [
        Table("participants", "Registrations", (
            PERSON, F("registered_at", "datetime"), F("source", "string",
                                                 "portal, desk or companion"),
            F("profile", "string"), F("commune", "string"), F("lang", "string"),
            F("contact_optin", "boolean"), F("charter_accepted", "boolean"),
            F("checked_in", "boolean")),
            [{"participant": pseudonym(key, pid), "registered_at": _datetime(p.get("created_at")),
              "source": p.get("source"), "profile": p.get("profile"),
              "commune": commune_name(p.get("commune", "")), "lang": p.get("lang"),
              "contact_optin": bool(p.get("contact_optin")),
              "charter_accepted": bool(p.get("charter_accepted")), "checked_in": pid in came}
             for pid, p in sorted(people.items())]),
        Table("attendance", "Check-ins", (
            PERSON, F("day", "date", "local date of the event day"), F("at", "datetime"),
            F("desk", "string")),
            [{"participant": who(c), "day": c.get("day"), "at": _datetime(c.get("at")),
              "desk": c.get("desk")} for c in mine("checkins")]),
        Table("workshop_registrations", "Workshop registrations", (
            F("workshop_id", "string"), PERSON,
            F("status", "string", "confirmed, waitlisted or cancelled"),
            F("registered_at", "datetime"), F("attended", "boolean"),
            F("promoted_at", "datetime"), F("cancelled_at", "datetime")),
            [{"workshop_id": r.get("workshop_id"), "participant": who(r),
              "status": r.get("status"), "registered_at": _datetime(r.get("created_at")),
              "attended": bool(r.get("attended")),
              "promoted_at": _datetime(r["promoted_at"]) if r.get("promoted_at") else None,
              "cancelled_at": _datetime(r["cancelled_at"]) if r.get("cancelled_at") else None}
             for r in mine("registrations")]),
        Table("seat_bookings", "Coworking seat bookings", (
            PERSON, F("slot_id", "string"), F("space_id", "string"), F("seat", "integer"),
            F("status", "string", "active or cancelled"), F("booked_at", "datetime")),
            [{"participant": who(b), "slot_id": b.get("slot_id"), "space_id": b.get("space_id"),
              "seat": b.get("seat"), "status": b.get("status"),
              "booked_at": _datetime(b.get("created_at"))} for b in mine("seat_bookings")]),
        Table("survey_answers", "Survey answers, one row per answer (one per choice when "
              "several are ticked)", (
                  PERSON, F("question_id", "string"), F("answer", "string"),
                  F("number", "number", "the answer when the question asks for a number")),
              _answers(key, event, people)),
        Table("workshops", "Programme", (
            F("id", "string"), F("title", "string"), F("room", "string"),
            F("capacity", "integer"), F("start", "datetime", "local time"),
            F("end", "datetime", "local time"), F("cancelled", "boolean")), _programme(event)),
        Table("swap_posts", "Knowledge-swap posts", (
            F("id", "integer"), F("kind", "string", "offer or request"), F("title", "string"),
            F("category", "string"), F("tags", "string", "comma-separated"),
            F("posted_at", "datetime")),
            [{"id": p.get("id"), "kind": p.get("kind"), "title": p.get("title"),
              "category": p.get("category"), "tags": p.get("tags") or [],
              "posted_at": _datetime(p.get("created_at"))}
             for p in data.get(SWAP_POSTS, [])
             if not p.get("hidden") and p.get("participant_id") in people]),
        Table("desk_requests", "Desk requests", (
            F("item", "string", "the kit's request, empty when written in their own words"),
            F("status", "string"), F("requested_at", "datetime")),
            [{"item": r.get("item"), "status": r.get("status"),
              "requested_at": _datetime(r.get("created_at"))}
             for r in mine(DESK_REQUESTS)]),
    ]
    return out


def _answers(key: bytes, event: EventData, people: dict[int, Any]) -> list[dict[str, Any]]:
    rows = []
    for pid, p in sorted(people.items()):
        for qid, answer in (p.get("answers") or {}).items():
            q = event.kit.question(qid)
            if q is None:
                continue
            values = answer if isinstance(answer, list) else [answer]
            for value in values:
                number = value if q.kind in ("number", "scale") else None
                rows.append({"participant": pseudonym(key, pid), "question_id": qid,
                             "answer": "" if number is not None else value, "number": number})
    return rows


def _programme(event: EventData) -> list[dict[str, Any]]:
    return [{"id": w.id, "title": w.title.fr, "room": w.room, "capacity": w.capacity,
             "start": w.start.isoformat(timespec="seconds"),
             "end": w.end.isoformat(timespec="seconds"), "cancelled": w.cancelled}
            for w in bookings.programme(TableReader(event.tables), event.kit)]


def schema(table: Table) -> dict[str, Any]:
    fields = []
    for f in table.fields:
        spec: dict[str, Any] = {"name": f.name, "type": f.type}
        if f.description:
            spec["description"] = f.description
        if f.type == "number":
            spec["decimalChar"] = DECIMAL
        if f.type == "datetime" and f.description == "local time":
            spec["format"] = "%Y-%m-%dT%H:%M:%S"
        fields.append(spec)
    return {"fields": fields, "missingValues": [""]}


def datapackage(name: str, title: str, licence: str, tables: list[Table]) -> dict[str, Any]:
    """A Frictionless Data Package (v1) describing each CSV: path, dialect, schema."""
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "licenses": [{"name": licence}],
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [{
            "profile": "tabular-data-resource", "name": t.name.replace("_", "-"),
            "title": t.title, "path": f"{t.name}.csv", "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": DELIMITER, "header": True, "doubleQuote": True,
                        "lineTerminator": "\r\n"},
            "schema": schema(t)} for t in tables],
    }


def export(event: EventData, out: Path, fmt: str) -> list[Path]:
    """Write the event's tables as CSV (plus datapackage.json) or as one JSON file."""
    out.mkdir(parents=True, exist_ok=True)
    items = tables(event)
    if fmt == "json":
        path = out / "export.json"
        body = {t.name: t.rows for t in items}
        path.write_text(json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
        return [path]
    written = [write_csv(out / f"{t.name}.csv", t.fields, t.rows) for t in items]
    package = datapackage(event.kit.event.slug, event.kit.event.name.fr, event.kit.licence,
                          items)
    path = out / "datapackage.json"
    path.write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    return [*written, path]
