"""Open documentation of the event: notes, their photos and the concierge's log.

"We document what we observe, good and bad, so that everyone benefits": any
participant and the concierge write notes (Markdown, rendered safely), attach
photos, and choose to be credited by name or anonymously; everything carries the
kit's free licence so the export can be published on a wiki as it is.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import nh3
from markdown_it import MarkdownIt

from ..durable import fsync_dir
from ..errors import N_, Forbidden, InvalidInput, NotFound
from ..kit import Kit, Workshop
from . import bookings, clock, records
from .checkins import refuse_scan_text
from .participants import NAME_MAX, clean_text, fold, text_field, truthy
from .photos import Photo
from .swap import check_rate

TITLE_MAX = 120
BODY_MAX = 20_000
TAG_MAX = 30
TAGS_MAX = 10
LOG_MAX = 500
UPLOADS = "uploads"
# Per participant and per 10 minutes: generous for a workshop's notes, a wall for a
# script filling the event's disk. The desk is never limited.
NOTE_LIMIT = 20
PHOTO_LIMIT = 30

# id -> message id of the label; the order is the order of the form.
KINDS: dict[str, str] = {
    "session": N_("Session notes"),
    "worked": N_("What worked"),
    "did_not_work": N_("What didn't work"),
    "idea": N_("Idea for the permanent place"),
    "tip": N_("Practical tip"),
}
ATTRIBUTIONS = ("name", "anonymous")
CONCIERGE_NAME = N_("The concierge desk")

# The sections of the notes a session host is offered for their workshop.
HOST_TEMPLATE = (N_("What was presented"), N_("Questions asked"), N_("Resources"),
                 N_("Follow-up"))

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"])


def _image_as_link(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """A Markdown image becomes a link to it, named by its text: the portal loads nothing
    from elsewhere, and an image silently dropped would lose what the author wrote."""
    token = tokens[idx]
    text = self.renderInlineAsText(token.children or [], options, env) or token.attrGet("src")
    return (f'<a href="{escape(str(token.attrGet("src") or ""), quote=True)}">'
            f"🖼 {escape(str(text or ''))}</a>")


_MARKDOWN.add_render_rule("image", _image_as_link)
_ALLOWED_TAGS = {"p", "br", "strong", "em", "del", "a", "ul", "ol", "li", "blockquote",
                 "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead",
                 "tbody", "tr", "th", "td"}
_FILE_NAME = re.compile(r"^[A-Za-z0-9_-]{16,64}\.(jpg|png|webp)$")


@dataclass(frozen=True)
class Author:
    """Who writes: a participant (their id and name) or the concierge."""

    kind: str
    participant_id: int | None = None
    name: str = ""

    @classmethod
    def concierge(cls) -> Author:
        return cls("concierge")

    @classmethod
    def participant(cls, record: dict[str, Any]) -> Author:
        return cls("participant", record["id"], record.get("name", ""))

    def owns(self, record: dict[str, Any]) -> bool:
        if self.kind == "concierge":
            return record.get("author_kind") == "concierge"
        return record.get("participant_id") == self.participant_id


def render_markdown(text: str) -> str:
    """Markdown to HTML that is safe to show: raw HTML is escaped by the parser, then
    the result is cleaned again so no script, event handler, image or ``javascript:``
    link can get through, whatever the parser lets pass."""
    return nh3.clean(_MARKDOWN.render(text or ""), tags=_ALLOWED_TAGS,
                     attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
                     url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow")


def parse_tags(value: Any) -> list[str]:
    """Tags from a list or a comma-separated text; trimmed, without '#', deduplicated."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    tags: list[str] = []
    for item in items:
        tag = text_field(item, 1000, "tags").lstrip("#").strip()[:TAG_MAX]
        if tag and fold(tag) not in {fold(t) for t in tags}:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise InvalidInput("Some fields need your attention.", fields={
            "tags": (N_("At most %(max)s tags."), {"max": TAGS_MAX})})
    return tags


def _target(store: Any, kit: Kit, form: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    """What the note is about: the event as a whole, a workshop, a space or a swap
    meeting."""
    target: dict[str, Any] = {"workshop_id": None, "space_id": None, "swap_id": None}
    workshop_id = form.get("workshop_id") or None
    if workshop_id is not None:
        if workshop_or_none(store, kit, str(workshop_id)) is None:
            errors["workshop_id"] = N_("Choose a workshop from the programme.")
        target["workshop_id"] = str(workshop_id)
    space_id = form.get("space_id") or None
    if space_id is not None:
        if kit.space(str(space_id)) is None:
            errors["space_id"] = N_("Choose a space from the list.")
        target["space_id"] = str(space_id)
    swap_id = form.get("swap_id") or None
    if swap_id is not None:
        try:
            target["swap_id"] = int(swap_id)
        except (TypeError, ValueError, OverflowError):
            target["swap_id"] = None
        if target["swap_id"] is None or store.get("swap_meetings", target["swap_id"]) is None:
            errors["swap_id"] = N_("This swap meeting does not exist.")
    return target


def validate(store: Any, kit: Kit, form: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    record: dict[str, Any] = {}
    for key, max_len in (("title", TITLE_MAX), ("body", BODY_MAX)):
        value = form.get(key)
        if value is not None and not isinstance(value, str):
            errors[key] = N_("Invalid value.")
            continue
        try:
            record[key] = clean_text(value, max_len, key)
        except ValueError:
            errors[key] = (N_("At most %(max)s characters."), {"max": max_len})
            continue
        if not record[key]:
            errors[key] = N_("This field is required.")
    kind = form.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        errors["kind"] = N_("Choose a kind of note from the list.")
    record["kind"] = kind
    attribution = form.get("attribution") or "name"
    if not isinstance(attribution, str) or attribution not in ATTRIBUTIONS:
        errors["attribution"] = N_("Choose how to be credited.")
    record["attribution"] = attribution
    try:
        record["tags"] = parse_tags(form.get("tags"))
    except InvalidInput as exc:
        errors.update(exc.fields)
    record.update(_target(store, kit, form, errors))
    if errors:
        raise InvalidInput("Some fields need your attention.", fields=errors)
    return record


def add_note(store: Any, kit: Kit, form: dict[str, Any], author: Author,
             now: dt.datetime | None = None) -> dict[str, Any]:
    """Record a note under the kit's licence, credited as its author chose."""
    now = now or clock.utcnow()
    record = validate(store, kit, form)
    for field in ("title", "body"):
        refuse_scan_text(store, record[field], field)
    if author.kind == "participant":
        check_rate((n["created_at"] for n in store.find(
            "notes", participant_id=author.participant_id)), NOTE_LIMIT, now)
        record["participant_id"] = author.participant_id
        credit = author.name
    else:
        credit = text_field(form.get("author_name"), NAME_MAX, "author_name") or CONCIERGE_NAME
    record.update(author_kind=author.kind,
                  author_name=credit if record["attribution"] == "name" else None,
                  licence=kit.licence, created_at=clock.stamp(now))
    record["id"] = store.insert("notes", record)
    return record


def get_note(store: Any, note_id: Any, hidden_too: bool = False) -> dict[str, Any]:
    """A note; one the concierge hid is only found with ``hidden_too``."""
    note = records.by_id(store, "notes", note_id)
    if note is None or (note.get("hidden") and not hidden_too):
        raise NotFound("This note does not exist.")
    return note


def notes(store: Any, workshop_id: str | None = None, kind: str | None = None,
          limit: int | None = None, hidden_too: bool = False) -> list[dict[str, Any]]:
    """Notes, newest first, optionally for one workshop ("event" for the event itself);
    those the concierge hid only with ``hidden_too``."""
    found = []
    for note in store.scan("notes"):
        if note.get("hidden") and not hidden_too:
            continue
        if workshop_id == "event" and note.get("workshop_id"):
            continue
        if workshop_id not in (None, "event") and note.get("workshop_id") != workshop_id:
            continue
        if kind is not None and note.get("kind") != kind:
            continue
        found.append(dict(note))
    found.sort(key=lambda n: (n["created_at"], n["id"]), reverse=True)
    return found[:limit] if limit else found


def notes_of(store: Any, participant_id: int) -> list[dict[str, Any]]:
    """A participant's own notes, newest first (hidden ones marked so)."""
    return sorted(store.find("notes", participant_id=participant_id),
                  key=lambda n: n["id"], reverse=True)


# ---------------------------------------------------------------------- photos
def publishable(photo: dict[str, Any]) -> bool:
    """A photo may be published unless it shows people who did not agree."""
    return not photo.get("people") or bool(photo.get("agreed"))


def photos_of(store: Any, note_id: int, public_only: bool = False) -> list[dict[str, Any]]:
    found = store.find("photos", note_id=note_id)
    return [p for p in found if publishable(p)] if public_only else found


def _write_file(folder: Path, name: str, data: bytes) -> None:
    """Durable before the record that points to it: temporary file, fsync, rename."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = folder / f".{name}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, folder / name)
        fsync_dir(folder)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def require_author(note: dict[str, Any], author: Author) -> None:
    if not author.owns(note):
        raise Forbidden("Only the author of this note can add photos to it.")


def check_photo_rate(store: Any, author: Author, now: dt.datetime | None = None) -> None:
    """Before the work of cleaning a photo: has this participant sent too many lately?"""
    if author.kind == "participant":
        check_rate((p["created_at"] for p in store.find(
            "photos", participant_id=author.participant_id)), PHOTO_LIMIT,
            now or clock.utcnow())


def add_photo(store: Any, data_dir: Path, note: dict[str, Any], author: Author, photo: Photo,
              form: dict[str, Any], now: dt.datetime | None = None) -> dict[str, Any]:
    """Attach a cleaned photo to a note; only the note's author may. The file gets a
    random name chosen here, never the name the phone sent."""
    require_author(note, author)
    check_photo_rate(store, author, now)
    people = truthy(form.get("people"))
    name = f"{secrets.token_urlsafe(18)}.{photo.extension}"
    _write_file(Path(data_dir) / UPLOADS, name, photo.data)
    record: dict[str, Any] = {
        "note_id": note["id"], "file": name, "format": photo.format, "mime": photo.mime,
        "width": photo.width, "height": photo.height, "size": len(photo.data),
        "people": people, "agreed": people and truthy(form.get("agreed")),
        "author_kind": author.kind, "created_at": clock.stamp(now or clock.utcnow())}
    if note.get("participant_id") is not None:
        # Erasing the note's author erases their photos with their notes.
        record["participant_id"] = note["participant_id"]
    record["id"] = store.insert("photos", record)
    return record


def get_photo(store: Any, photo_id: int, hidden_too: bool = False) -> dict[str, Any]:
    photo = store.get("photos", photo_id)
    note = store.get("notes", photo["note_id"]) if photo else None
    if note is None or (note.get("hidden") and not hidden_too):
        raise NotFound("This photo does not exist.")
    return photo


# ------------------------------------------------------------------- moderation
def set_hidden(store: Any, note_id: Any, hidden: bool = True) -> dict[str, Any]:
    """The concierge hides a note (and its photos) everywhere it is shown and published;
    it stays in the data, marked hidden, and can be shown again."""
    note = get_note(store, note_id, hidden_too=True)
    return store.update("notes", note["id"], {"hidden": bool(hidden)})


def delete_note(store: Any, note_id: Any, author: Author) -> dict[str, Any]:
    """Its author (or the concierge) deletes a note and its photos. Their files go once
    this is on disk (``remove_orphan_uploads``), so a refused write loses nothing."""
    note = get_note(store, note_id, hidden_too=author.kind == "concierge")
    if author.kind != "concierge" and not author.owns(note):
        raise Forbidden("Only the author of this note can delete it.")
    for photo in store.find("photos", note_id=note["id"]):
        store.remove("photos", photo["id"])
    store.remove("notes", note["id"])
    return note


def photo_path(data_dir: Path, photo: dict[str, Any]) -> Path:
    """Where a photo's file is, checked so no stored name can point outside uploads/."""
    name = photo.get("file", "")
    if not _FILE_NAME.match(name):
        raise NotFound("This photo does not exist.")
    return Path(data_dir) / UPLOADS / name


def remove_orphan_uploads(store: Any, data_dir: Path) -> int:
    """Delete the files no photo record points to any more (their author was erased);
    returns how many. Files being written (hidden temporary names) are left alone."""
    folder = Path(data_dir) / UPLOADS
    if not folder.is_dir():
        return 0
    kept = {photo.get("file") for photo in store.scan("photos")}
    removed = 0
    for path in folder.iterdir():
        if _FILE_NAME.match(path.name) and path.name not in kept:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# ------------------------------------------------------------------ attribution
def _same(text: str) -> str:
    return text


def credit(note: dict[str, Any], translate: Callable[[str], str] = _same) -> str | None:
    """The name a note is credited to, or None when its author chose anonymity. The
    desk's own credit is stored as a message id, shown in the reader's language."""
    name = note.get("author_name") if note.get("attribution") == "name" else None
    if name == CONCIERGE_NAME and note.get("author_kind") == "concierge":
        return translate(name)
    return name


def attributions(notes_list: list[dict[str, Any]],
                 translate: Callable[[str], str] = _same) -> tuple[list[str], int]:
    """The names to credit (sorted, once each) and how many notes are anonymous."""
    names: dict[str, str] = {}
    anonymous = 0
    for note in notes_list:
        name = credit(note, translate)
        if name:
            names.setdefault(fold(name), name)
        else:
            anonymous += 1
    return sorted(names.values(), key=fold), anonymous


# ---------------------------------------------------------------- session hosts
def workshop_or_none(store: Any, kit: Kit, workshop_id: Any) -> Workshop | None:
    """A workshop of the kit or one added during the event."""
    return next((w for w in bookings.programme(store, kit) if w.id == workshop_id), None)


def hosted_workshops(store: Any, kit: Kit, participant: dict[str, Any]) -> list[Workshop]:
    """The workshops a participant hosts: those the concierge marked them as host of,
    and those whose ``host`` in the kit names them (accents and case ignored; a host
    field may list several people separated by commas, "et" or "and")."""
    name = fold(participant.get("name") or "").strip()
    marked = set(participant.get("hosts") or ())
    hosted = []
    for workshop in bookings.programme(store, kit):
        hosts = {fold(h).strip() for h in re.split(r",|;|&|\bet\b|\band\b", workshop.host)}
        if workshop.id in marked or (name and name in hosts):
            hosted.append(workshop)
    return hosted


def mark_host(store: Any, kit: Kit, participant_id: int, workshop_id: str) -> dict[str, Any]:
    """The concierge marks a participant as the host of a workshop."""
    if workshop_or_none(store, kit, workshop_id) is None:
        raise NotFound("Unknown workshop.")
    participant = store.get("participants", participant_id)
    if participant is None:
        raise NotFound("Unknown participant.")
    hosts = list(participant.get("hosts") or [])
    if workshop_id not in hosts:
        hosts.append(workshop_id)
        participant = store.update("participants", participant_id, {"hosts": hosts})
    return participant


# -------------------------------------------------------------- concierge's log
def add_log_entry(store: Any, text: Any, now: dt.datetime | None = None) -> dict[str, Any]:
    """A quick timestamped line of the "mémoire des activités"."""
    clean = refuse_scan_text(store, text_field(text, LOG_MAX, "text"), "text")
    if not clean:
        raise InvalidInput("Some fields need your attention.",
                           fields={"text": N_("This field is required.")})
    record = {"text": clean, "at": clock.stamp(now or clock.utcnow()),
              "author_kind": "concierge"}
    record["id"] = store.insert("journal", record)
    return record


def log_entries(store: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """The log, oldest first (the order it is read in), or its last ``limit`` lines."""
    entries = sorted(store.all("journal"), key=lambda e: (e["at"], e["id"]))
    return entries[-limit:] if limit else entries
