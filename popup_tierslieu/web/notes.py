"""Open documentation on the portal: notes, their photos and the concierge's log.

API routes under /api/v1 (``POST /notes`` and ``POST /notes/{id}/photos`` as the
contract names them); read-only pages per workshop; the pass page's note form
(multipart, works without JavaScript: it posts, then redirects to the note).
Photos are decoded, shrunk and stripped of EXIF/GPS in a worker thread, then kept
under ``uploads/`` with a random name; a ``note`` event tells screens and passes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from markupsafe import Markup
from sanic import Blueprint, Request
from sanic.exceptions import ServerError
from sanic.response import HTTPResponse, file, json, redirect

from .. import i18n
from ..domain import bookings, docs, participants, photos, swap
from ..errors import N_, InvalidInput, NotFound, PopupError, TooLarge, UnsupportedMedia
from ..kit import LICENCES, Kit
from . import api, auth, portal, security
from .render import ENVIRONMENT, page

bp = Blueprint("notes")
API = "/api/v1"
# Room for a note's text fields beside its photo in one form.
FORM_ROOM = 256 * 1024


# ------------------------------------------------------------------ records
def photo_json(photo: dict[str, Any]) -> dict[str, Any]:
    return {"id": photo["id"], "url": f"/photos/{photo['id']}", "width": photo["width"],
            "height": photo["height"], "format": photo["format"],
            "people": photo["people"], "agreed": photo["agreed"],
            "published": docs.publishable(photo)}


def note_json(store: Any, note: dict[str, Any], all_photos: bool = False) -> dict[str, Any]:
    """A note as the API shows it: the Markdown as written and its safe HTML; photos
    that show people who did not agree only for the author and the concierge."""
    shown = docs.photos_of(store, note["id"], public_only=not all_photos)
    return {key: note.get(key) for key in (
        "id", "title", "body", "kind", "tags", "workshop_id", "space_id", "swap_id",
        "attribution", "author_kind", "licence", "created_at")} | {
        "hidden": bool(note.get("hidden")),
        "author": docs.credit(note, i18n.gettext), "html": docs.render_markdown(note["body"]),
        "photos": [photo_json(p) for p in shown]}


def publish_note(request: Request, action: str, note: dict[str, Any]) -> None:
    request.app.ctx.events.publish("note", {"action": action, "id": note["id"],
                                            "workshop_id": note.get("workshop_id")})


def author_of(request: Request) -> docs.Author:
    if auth.is_concierge(request):
        return docs.Author.concierge()
    return docs.Author.participant(auth.require_participant(request))


def uploaded(request: Request) -> bytes | None:
    """The photo sent in the ``file`` field (the first one chosen), or None."""
    for item in request.files.getlist("file") or []:
        if item.body:
            return item.body
    return None


async def receive_form(request: Request) -> int:
    """Receive a streamed multipart form, keeping at most the photo limit plus room for the
    text fields; returns the body's whole size.

    A photo above the limit must not cost the note typed before it: the text fields come
    first in the form, so a body cut past the limit still holds them; the part cut short
    (the photo) is dropped and the form parsed from what is left. The rest of the body is
    read and thrown away, so the answer can be a page (the request timeout bounds it)."""
    keep = request.app.ctx.settings.max_upload_bytes + FORM_ROOM
    kept, size = bytearray(), 0
    while (chunk := await request.stream.read()) is not None:
        size += len(chunk)
        if len(kept) < keep:
            kept += chunk[:keep - len(kept)]
    if size > keep:
        boundary = security.multipart_boundary(request)
        delimiter = b"\r\n--" + boundary
        kept = kept[:max(0, kept.rfind(delimiter))] + delimiter + b"--\r\n"
    request.body = bytes(kept)
    request.parsed_form = request.parsed_files = None
    return size


async def prepare_photo(request: Request, data: bytes) -> photos.Photo:
    """Decoding a phone photo takes a few hundred milliseconds: keep it off the loop."""
    limit = request.app.ctx.settings.max_upload_bytes
    return await asyncio.get_running_loop().run_in_executor(None, photos.prepare, data, limit)


# -------------------------------------------------- template data (partials)
def _current() -> Request | None:
    try:
        return Request.get_current()
    except ServerError:
        return None


def note_view(store: Any, kit: Kit, note: dict[str, Any]) -> dict[str, Any]:
    """A note as pages show it."""
    workshop = docs.workshop_or_none(store, kit, note.get("workshop_id"))
    space = kit.space(note["space_id"]) if note.get("space_id") else None
    return {**note_json(store, note), "html": Markup(docs.render_markdown(note["body"])),
            "kind_label": docs.KINDS.get(note["kind"], note["kind"]),
            "licence_name": LICENCES.get(note["licence"], note["licence"]),
            "workshop": workshop, "space": space}


def notes_view(participant: dict[str, Any]) -> dict[str, Any]:
    """What pass_notes.html shows: my notes, the workshops I host, the form's choices."""
    request = _current()
    if request is None:
        return {}
    store, kit = request.app.ctx.store, request.app.ctx.kit
    return {"mine": docs.notes_of(store, participant["id"])[:20],
            "hosted": docs.hosted_workshops(store, kit, participant),
            "kinds": docs.KINDS, "workshops": bookings.programme(store, kit),
            "spaces": kit.spaces, "meetings": swap.meetings_of(store, participant["id"]),
            "licence": kit.licence_name,
            "template": docs.HOST_TEMPLATE,
            "max_mb": photos.megabytes(request.app.ctx.settings.max_upload_bytes),
            "max_bytes": request.app.ctx.settings.max_upload_bytes,
            "max_side": photos.MAX_WIDTH}


def latest_notes(limit: int = 4) -> list[dict[str, Any]]:
    request = _current()
    if request is None:
        return []
    store, kit = request.app.ctx.store, request.app.ctx.kit
    return [note_view(store, kit, n) for n in docs.notes(store, limit=limit)]


# Partials included by pages other features render (pass, screen) call these.
ENVIRONMENT.globals.update(notes_view=notes_view, latest_notes=latest_notes)


# ------------------------------------------------------------------- the API
@bp.post(f"{API}/notes")
async def note_create(request: Request) -> HTTPResponse:
    author = author_of(request)
    note = docs.add_note(request.app.ctx.store, request.app.ctx.kit, api.body(request), author)
    await request.app.ctx.store.commit()
    publish_note(request, "created", note)
    return json({"id": note["id"]}, status=201)


@bp.get(f"{API}/notes")
async def note_list(request: Request) -> HTTPResponse:
    store = request.app.ctx.store
    try:
        limit = max(1, min(500, int(request.args.get("limit", 100))))
    except ValueError:
        raise InvalidInput("Some fields need your attention.",
                           fields={"limit": N_("Invalid value.")}) from None
    # The desk moderates: with ``?all=1`` it also sees the notes it hid.
    desk = bool(request.args.get("all")) and auth.is_concierge(request)
    found = docs.notes(store, request.args.get("workshop_id"), request.args.get("kind"), limit,
                       hidden_too=desk)
    return json({"notes": [note_json(store, n, all_photos=desk) for n in found]})


@bp.get(f"{API}/notes/<note_id:int>")
async def note_detail(request: Request, note_id: int) -> HTTPResponse:
    store = request.app.ctx.store
    desk = auth.is_concierge(request)
    note = docs.get_note(store, note_id, hidden_too=desk)
    mine = auth.bearer(request) is not None and author_of(request).owns(note)
    return json(note_json(store, note, all_photos=mine or desk))


@bp.delete(f"{API}/notes/<note_id:int>")
async def note_delete(request: Request, note_id: int) -> HTTPResponse:
    store = request.app.ctx.store
    note = docs.delete_note(store, note_id, author_of(request))
    await store.commit()
    docs.remove_orphan_uploads(store, request.app.ctx.settings.data_dir)
    publish_note(request, "deleted", note)
    return json({"deleted": True})


@bp.post(f"{API}/notes/<note_id:int>/hide")
async def note_hide(request: Request, note_id: int) -> HTTPResponse:
    auth.require_concierge(request)
    hidden = api.body(request).get("hidden", True) is not False
    note = docs.set_hidden(request.app.ctx.store, note_id, hidden)
    await request.app.ctx.store.commit()
    publish_note(request, "hidden" if hidden else "shown", note)
    return json({"id": note["id"], "hidden": note["hidden"]})


@bp.post(f"{API}/notes/<note_id:int>/photos")
async def photo_add(request: Request, note_id: int) -> HTTPResponse:
    author = author_of(request)
    store = request.app.ctx.store
    note = docs.get_note(store, note_id)
    docs.require_author(note, author)
    docs.check_photo_rate(store, author)
    data = uploaded(request)
    if data is None:
        raise InvalidInput("Some fields need your attention.",
                           fields={"file": N_("Choose a photo.")})
    photo = await prepare_photo(request, data)
    record = docs.add_photo(store, request.app.ctx.settings.data_dir, note, author, photo,
                            {key: request.form.get(key) for key in ("people", "agreed")})
    await store.commit()
    publish_note(request, "photo", note)
    return json(photo_json(record), status=201)


@bp.get(f"{API}/journal")
async def journal_list(request: Request) -> HTTPResponse:
    auth.require_concierge(request)
    return json({"entries": docs.log_entries(request.app.ctx.store)})


@bp.post(f"{API}/journal")
async def journal_add(request: Request) -> HTTPResponse:
    auth.require_concierge(request)
    entry = docs.add_log_entry(request.app.ctx.store, api.body(request).get("text"))
    await request.app.ctx.store.commit()
    request.app.ctx.events.publish("journal", {"id": entry["id"]}, audience="concierge")
    return json(entry, status=201)


@bp.post(f"{API}/workshops/<workshop_id:str>/hosts")
async def host_mark(request: Request, workshop_id: str) -> HTTPResponse:
    auth.require_concierge(request)
    participant = participants.get(request.app.ctx.store, api.body(request).get("participant_id"))
    participant = docs.mark_host(request.app.ctx.store, request.app.ctx.kit, participant["id"],
                                 workshop_id)
    await request.app.ctx.store.commit()
    return json({"participant_id": participant["id"], "hosts": participant["hosts"]})


# ------------------------------------------------------------------- photos
@bp.get("/photos/<photo_id:int>")
async def photo_file(request: Request, photo_id: int) -> HTTPResponse:
    """A stored photo. One that shows people who did not agree is for the desk only."""
    desk = auth.is_concierge(request)
    photo = docs.get_photo(request.app.ctx.store, photo_id, hidden_too=desk)
    if not docs.publishable(photo) and not desk:
        raise NotFound("This photo does not exist.")
    path = docs.photo_path(request.app.ctx.settings.data_dir, photo)
    if not path.is_file():
        raise NotFound("This photo does not exist.")
    return await file(path, mime_type=photo["mime"],
                      headers={"Cache-Control": "public, max-age=86400"})


# -------------------------------------------------------------------- pages
def _groups(store: Any, kit: Kit) -> list[dict[str, Any]]:
    """The workshops (and the event as a whole) with how many notes each has."""
    counts: dict[str, int] = {}
    for note in docs.notes(store):
        key = note.get("workshop_id") or "event"
        counts[key] = counts.get(key, 0) + 1
    rows = [{"id": "event", "workshop": None, "count": counts.get("event", 0)}]
    rows += [{"id": w.id, "workshop": w, "count": counts.get(w.id, 0)}
             for w in bookings.programme(store, kit)]
    return rows


@bp.get("/notes")
async def notes_index(request: Request) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    latest = [note_view(store, kit, n) for n in docs.notes(store, limit=10)]
    return page(request, "notes_index.html", groups=_groups(store, kit), notes=latest)


@bp.get("/notes/workshop/<workshop_id:str>")
async def notes_of_workshop(request: Request, workshop_id: str) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    workshop = docs.workshop_or_none(store, kit, workshop_id)
    if workshop_id != "event" and workshop is None:
        raise NotFound("Unknown workshop.")
    found = [note_view(store, kit, n)
             for n in docs.notes(store, workshop_id=workshop_id)]
    return page(request, "notes_workshop.html", workshop=workshop, notes=found)


@bp.get("/notes/<note_id:int>")
async def note_page(request: Request, note_id: int) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    note = docs.get_note(store, note_id)
    flash = portal.take_flash(request)
    return portal.shown(page(request, "note.html", note=note_view(store, kit, note),
                             flash=flash), flash)


def _form_page(request: Request, participant: dict[str, Any], form: dict[str, Any],
               errors: dict[str, str], status: int = 200,
               message: str | None = None) -> HTTPResponse:
    return page(request, "notes_new.html", status=status, participant=participant,
                token=participant["token"], note_form=form, note_errors=errors,
                message=message)


@bp.get("/pass/<token:str>/notes/new")
async def note_form(request: Request, token: str) -> HTTPResponse:
    """The note form on its own page; ``?workshop_id=X&template=1`` prepares a host's
    session notes with the sections of the template."""
    participant = participants.by_token(request.app.ctx.store, token)
    kit: Kit = request.app.ctx.kit
    form: dict[str, Any] = {"kind": request.args.get("kind", "session")}
    wanted = request.args.get("workshop_id", "")
    workshop = docs.workshop_or_none(request.app.ctx.store, kit, wanted)
    if workshop is not None:
        form["about"] = f"workshop:{workshop.id}"
        if request.args.get("template"):
            sections = (f"## {i18n.gettext(s)}\n\n\n" for s in docs.HOST_TEMPLATE)
            form.update(kind="session", title=workshop.title.get(request.ctx.lang),
                        body="".join(sections), template=True)
    return _form_page(request, participant, form, {})


@bp.post("/pass/<token:str>/notes", stream=True)
async def note_post(request: Request, token: str) -> HTTPResponse:
    size = await receive_form(request)
    security.check_csrf(request)
    store = request.app.ctx.store
    participant = participants.by_token(store, token)
    author = docs.Author.participant(participant)
    form = {key: request.form.get(key) for key in (
        "title", "body", "kind", "about", "tags", "attribution", "people", "agreed")}
    # One "about" list on the form: "workshop:ID", "space:ID" or "swap:ID".
    target, _, target_id = (form["about"] or "").partition(":")
    if target in ("workshop", "space", "swap") and target_id:
        form[f"{target}_id"] = target_id
    elif form["about"]:
        form["workshop_id"] = form["about"]
    data = uploaded(request)
    try:
        photo = None
        limit = request.app.ctx.settings.max_upload_bytes
        if size > limit + FORM_ROOM:  # the photo was cut off, the text fields kept
            photos.check_size(size, limit)
        if data is not None:
            docs.check_photo_rate(store, author)
            photo = await prepare_photo(request, data)
        note = docs.add_note(store, request.app.ctx.kit, form, author)
        kept = None
        if photo is not None:
            kept = docs.add_photo(store, request.app.ctx.settings.data_dir, note, author, photo,
                                  form)
    except PopupError as exc:
        from .errors import describe

        status, _, message, fields = describe(exc, request.ctx.lang)
        if isinstance(exc, (TooLarge, UnsupportedMedia)) or (not fields and data is not None):
            # Said once, beside the photo field; the top of the form points to it.
            fields = {"file": message}
            message = i18n.translate("Some fields need your attention.")
        return _form_page(request, participant, form, fields, status=status, message=message)
    await store.commit()
    publish_note(request, "created", note)
    message = N_("Thank you: your note is published.")
    if kept is not None and not docs.publishable(kept):
        message = N_("Thank you: your note is published. The photo stays with the organisers: "
                     "the people in it have not agreed to its publication.")
    return portal.with_flash(redirect(f"/notes/{note['id']}", status=303), "ok", message)
