"""The participant's pages: welcome and registration, then the personal pass.

Every page works without JavaScript: forms post, then redirect (303) back to a
page that shows the outcome as a one-time message (a "flash" kept in a short-lived
cookie). A rule the visitor broke ("already registered at that time") is such a
message, never an error page.
"""

from __future__ import annotations

import base64
import binascii
import itertools
from typing import Any

import orjson
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, redirect

from .. import i18n
from ..domain import bookings, participants, survey
from ..errors import N_, Conflict, InvalidInput, NotFound, PopupError
from ..kit import Kit, Localized
from . import api, captive
from .errors import describe
from .render import PASS_COOKIE, own_pass, page

bp = Blueprint("portal")
FLASH_COOKIE = "flash"
# What a visitor can get wrong in an action; anything else is a real error page.
RULES = (Conflict, InvalidInput, NotFound)


def form_dict(request: Request, kit: Kit) -> dict[str, Any]:
    """A posted registration form as the domain expects it (answers nested)."""
    form = request.form
    data: dict[str, Any] = {key: form.get(key) for key in (
        "name", "email", "profile", "commune", "consent", "contact_optin", "charter", "nonce")}
    data["answers"] = answers_from_form(request, kit)
    data["lang"] = request.ctx.lang
    return data


def answers_from_form(request: Request, kit: Kit) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for q in kit.survey:
        values = request.form.getlist(f"answers.{q.id}") or []
        if q.kind == "multiple":
            answers[q.id] = values
        elif values:
            answers[q.id] = values[0]
    return answers


# ------------------------------------------------------------------- flash
def with_flash(response: HTTPResponse, kind: str, message: str,
               params: dict[str, Any] | None = None) -> HTTPResponse:
    """Attach a one-time message (an English message id, translated when shown)."""
    value = base64.urlsafe_b64encode(orjson.dumps([kind, message, params or {}])).decode()
    response.add_cookie(FLASH_COOKIE, value, max_age=300, httponly=True, samesite="Lax",
                        secure=False)
    return response


def take_flash(request: Request) -> dict[str, str] | None:
    """The pending message in the visitor's language, or None."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        kind, message, params = orjson.loads(base64.urlsafe_b64decode(raw.encode()))
        if isinstance(params, dict):
            # Kit texts travel as {"fr": ..., "en": ...}: shown in the visitor's language.
            params = {key: Localized(value["fr"], value.get("en")) if isinstance(value, dict)
                      and isinstance(value.get("fr"), str) else value
                      for key, value in params.items()}
        text = i18n.translate(str(message), params if isinstance(params, dict) else None)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        return None
    return {"kind": "error" if kind == "error" else "ok", "text": text}


def shown(response: HTTPResponse, flash: dict[str, str] | None) -> HTTPResponse:
    """Forget a message once a page has shown it (Max-Age 0, sent over plain HTTP too)."""
    if flash is not None:
        response.add_cookie(FLASH_COOKIE, "", max_age=0, httponly=True, samesite="Lax",
                            secure=False)
    return response


def back_to_pass(participant: dict[str, Any], kind: str, message: str,
                 params: dict[str, Any] | None = None) -> HTTPResponse:
    return with_flash(redirect(f"/pass/{participant['token']}", status=303), kind, message,
                      params)


def refused(participant: dict[str, Any], exc: PopupError) -> HTTPResponse:
    return back_to_pass(participant, "error", exc.message, exc.params)


def refused_in_place(request: Request, participant: dict[str, Any], section: str,
                     exc: InvalidInput, **context: Any) -> HTTPResponse:
    """A pass form sent with a field error: the pass again (400), opened at that form
    (its action carries the section's anchor), the error beside the field it names."""
    _, _, message, fields = describe(exc, request.ctx.lang)
    flash = {"kind": "error", "text": message}
    return page(request, "pass.html", status=400, errors={}, section_errors={
        section: {"message": message, "fields": fields}},
        answers=participant.get("answers") or {}, flash=None if fields else flash,
        **context, **pass_context(request, participant))


# ------------------------------------------------------------ pass page data
def programme_view(store: Any, kit: Kit, participant_id: int | None = None
                   ) -> list[dict[str, Any]]:
    """The programme by day, each workshop with its places left, whether it is past, under
    way or to come by the event's clock, and (on a pass) my place in it."""
    mine = ({r["workshop_id"]: r for r in bookings.registrations_of(store, participant_id)}
            if participant_id is not None else {})
    local_now = bookings.event_now(kit)
    days = []
    for day, items in itertools.groupby(bookings.programme(store, kit),
                                        key=lambda w: w.start.date()):
        rows = []
        for w in items:
            confirmed, waitlisted = bookings.counts(store, w.id)
            room = kit.space(w.room)
            rows.append({"workshop": w, "room": room.name if room else w.room,
                         "confirmed": confirmed, "waitlisted": waitlisted,
                         "left": bookings.places_left(w, confirmed), "mine": mine.get(w.id),
                         "phase": bookings.phase(w.start, w.end, local_now),
                         "open": bookings.is_open(kit, w, local_now)})
        days.append({"day": day, "workshops": rows})
    return days


def seats_view(store: Any, kit: Kit, participant_id: int) -> list[dict[str, Any]]:
    """Each slot with its zones' free seats, whether it is past, under way or to come, and
    the participant's own seat in it."""
    mine = {b["slot_id"]: b for b in bookings.seats_of(store, participant_id)}
    local_now = bookings.event_now(kit)
    slots: dict[str, dict[str, Any]] = {}
    for row in bookings.seat_map(store, kit):
        slot = row["slot"]
        entry = slots.setdefault(slot.id, {"slot": slot, "zones": [], "mine": mine.get(slot.id),
                                           "phase": bookings.phase(slot.start, slot.end,
                                                                   local_now)})
        entry["zones"].append({"space": row["space"], "seats": row["seats"], "free": row["free"]})
    for entry in slots.values():
        if entry["mine"]:
            space = kit.space(entry["mine"]["space_id"])
            entry["mine_space"] = space.name if space else entry["mine"]["space_id"]
    return list(slots.values())


def companions_view(request: Request, holder: dict[str, Any]) -> list[dict[str, Any]]:
    settings = request.app.ctx.settings
    return [{"person": p, "checkin_url": settings.checkin_url(p["checkin_code"]),
             "pass_path": f"/pass/{p['token']}"}
            for p in participants.companions(request.app.ctx.store, holder["id"])]


def pass_context(request: Request, participant: dict[str, Any]) -> dict[str, Any]:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    return {"companions": companions_view(request, participant),
            "companion_nonce": participants.new_token(),
            "participant": participant, "me": api.me_json(request, participant),
            "token": participant["token"],
            "checkin_url": request.app.ctx.settings.checkin_url(participant["checkin_code"]),
            "programme": programme_view(store, kit, participant["id"]),
            "seat_slots": seats_view(store, kit, participant["id"])}


# ------------------------------------------------------------------- pages
@bp.get("/")
async def welcome(request: Request) -> HTTPResponse:
    flash = take_flash(request)
    # The one-time nonce makes a second sending of this very form (a double tap, Back
    # then submit) answer the first registration instead of creating another.
    return shown(page(request, "register.html", form={"nonce": participants.new_token()},
                      errors={}, flash=flash), flash)


def registration_fields(kit: Kit) -> dict[str, dict[str, Any]]:
    """The registration form's fields in page order, with the id an error links to and
    the name an error summary gives them."""
    fields: dict[str, dict[str, Any]] = {
        "name": {"id": "name", "label": i18n.gettext("Your name")},
        "email": {"id": "email", "label": i18n.gettext("E-mail (optional)")},
        "profile": {"id": "profile", "label": i18n.gettext("You are")},
        "commune": {"id": "commune", "label": i18n.gettext("Your commune")}}
    lang = i18n.current.get()
    for q in sorted(kit.survey, key=lambda q: not q.required):
        fields[f"answers.{q.id}"] = {"id": f"q-{q.id}", "label": q.question.get(lang)}
    fields["consent"] = {"id": "consent", "label": i18n.gettext("Consent")}
    fields["charter"] = {"id": "charter", "label": i18n.gettext("Charter of use")}
    return fields


def registration_page(request: Request, data: dict[str, Any], status: int = 200,
                      errors: dict[str, str] | None = None,
                      message: str | None = None) -> HTTPResponse:
    """The registration form as sent, with its errors: the page opens at the first one
    (autofocus, no JavaScript needed) and the summary names every field in error. Its
    language buttons send the form back to be shown in the other language, values kept."""
    fields = registration_fields(request.app.ctx.kit)
    errors = errors or {}
    first = next((name for name in fields if name in errors), None)
    return page(request, "register.html", status=status, form=data, errors=errors,
                message=message, fields=fields, first_error=first, lang_form="signup")


@bp.get("/register")
async def register_again(request: Request) -> HTTPResponse:
    """The address of a sent form, opened again (a language link, a bookmark)."""
    return redirect("/", status=303)


@bp.post("/register")
async def register(request: Request) -> HTTPResponse:
    kit = request.app.ctx.kit
    switch = request.form.get("switch_lang")
    if switch in kit.event.languages:
        request.ctx.lang, request.ctx.remember_lang = switch, True
        i18n.current.set(switch)
        return registration_page(request, form_dict(request, kit))
    data = form_dict(request, kit)
    try:
        participant = participants.register(request.app.ctx.store, kit, data,
                                            holder=own_pass(request))
    except InvalidInput as exc:
        _, _, message, fields = describe(exc, request.ctx.lang)
        return registration_page(request, data, 400, fields, message)
    captive.remember(request)
    await request.app.ctx.store.commit()
    api.publish_figures(request)
    response = redirect(f"/pass/{participant['token']}", status=303)
    response.add_cookie(PASS_COOKIE, participant["token"], max_age=7 * 24 * 3600,
                        samesite="Lax", httponly=True, secure=False)
    return response


@bp.get("/pass/<token:str>")
async def pass_page(request: Request, token: str) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    flash = take_flash(request)
    return shown(page(request, "pass.html", flash=flash, errors={},
                      answers=participant.get("answers") or {},
                      **pass_context(request, participant)), flash)


@bp.get("/pass/<token:str>/fragment")
async def pass_fragment(request: Request, token: str) -> HTTPResponse:
    """The live part of the pass page, re-fetched by live.js when something changes."""
    participant = participants.by_token(request.app.ctx.store, token)
    return page(request, "pass_live.html", headers={"Cache-Control": "no-store"},
                **pass_context(request, participant))


@bp.post("/pass/<token:str>/workshops/<workshop_id:str>")
async def workshop_register(request: Request, token: str, workshop_id: str) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    try:
        result = bookings.register(request.app.ctx.store, request.app.ctx.kit,
                                   participant["id"], workshop_id)
    except RULES as exc:
        return refused(participant, exc)
    await request.app.ctx.store.commit()
    api.publish_figures(request, (workshop_id,))
    if result["status"] == "confirmed":
        return back_to_pass(participant, "ok", N_("Your place is confirmed."))
    return back_to_pass(participant, "ok",
                        N_("The workshop is full: you are on the waiting list, position "
                           "%(position)s. Your pass will show it if a place opens up."),
                        {"position": result["position"]})


@bp.post("/pass/<token:str>/workshops/<workshop_id:str>/cancel")
async def workshop_cancel(request: Request, token: str, workshop_id: str) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    try:
        promoted = bookings.cancel(request.app.ctx.store, request.app.ctx.kit,
                                   participant["id"], workshop_id)
    except RULES as exc:
        return refused(participant, exc)
    await request.app.ctx.store.commit()
    api.publish_promotions(request, promoted)
    api.publish_figures(request, (workshop_id,))
    return back_to_pass(participant, "ok", N_("Your registration is cancelled."))


@bp.post("/pass/<token:str>/seats")
async def seat_book(request: Request, token: str) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    try:
        booking = bookings.book_seat(request.app.ctx.store, request.app.ctx.kit,
                                     participant["id"], request.form.get("slot_id", ""),
                                     request.form.get("space_id", ""))
    except RULES as exc:
        return refused(participant, exc)
    await request.app.ctx.store.commit()
    request.app.ctx.events.publish("seats", {"slot_id": booking["slot_id"],
                                             "space_id": booking["space_id"]})
    return back_to_pass(participant, "ok", N_("Seat %(seat)s is yours."),
                        {"seat": booking["seat"]})


@bp.post("/pass/<token:str>/seats/<booking_id:int>/cancel")
async def seat_cancel(request: Request, token: str, booking_id: int) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    try:
        bookings.cancel_seat(request.app.ctx.store, booking_id, participant["id"])
    except RULES as exc:
        return refused(participant, exc)
    await request.app.ctx.store.commit()
    request.app.ctx.events.publish("seats", {"booking_id": booking_id})
    return back_to_pass(participant, "ok", N_("Your seat is free again."))


@bp.post("/pass/<token:str>/answers")
async def answers(request: Request, token: str) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    given = answers_from_form(request, request.app.ctx.kit)
    try:
        survey.save_answers(request.app.ctx.store, request.app.ctx.kit, participant["id"], given)
    except InvalidInput as exc:
        _, _, message, fields = describe(exc, request.ctx.lang)
        order = [f"answers.{q.id}" for q in request.app.ctx.kit.survey]
        return page(request, "pass.html", status=400, errors=fields, answers=given,
                    survey_message=message,
                    first_error=next((f for f in order if f in fields), None),
                    **pass_context(request, participant))
    await request.app.ctx.store.commit()
    return back_to_pass(participant, "ok", N_("Your answers are saved. Thank you!"))


@bp.post("/pass/<token:str>/companions")
async def companion_add(request: Request, token: str) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    holder = participants.by_token(store, token)
    form = form_dict(request, kit)
    try:
        person = participants.register_companion(store, kit, holder, form)
    except InvalidInput as exc:
        return refused_in_place(request, holder, "companions", exc, companion_form=form)
    except RULES as exc:
        return refused(holder, exc)
    await store.commit()
    api.publish_figures(request)
    return back_to_pass(holder, "ok", N_("%(name)s is registered, with their own pass below."),
                        {"name": person["name"]})


@bp.post("/pass/<token:str>/details")
async def details(request: Request, token: str) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    try:
        participants.update_details(request.app.ctx.store, participant["id"], request.form)
    except InvalidInput as exc:
        return refused_in_place(request, participant, "details", exc,
                                details_form={key: request.form.get(key) for key in (
                                    "name", "commune", "contact_optin")})
    await request.app.ctx.store.commit()
    return back_to_pass(participant, "ok", N_("Your details are saved."))


@bp.get("/pass/<token:str>/delete")
async def delete_confirm(request: Request, token: str) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    return page(request, "pass_delete.html", participant=participant, token=token,
                held=participants.holdings(request.app.ctx.store, participant))


@bp.post("/pass/<token:str>/delete")
async def delete(request: Request, token: str) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    if request.form.get("confirm") != "yes":
        return redirect(f"/pass/{token}/delete", status=303)
    await api.forget(request, participant)
    response = with_flash(redirect("/", status=303), "ok",
                          N_("Your registration and all your data are deleted."))
    response.add_cookie(PASS_COOKIE, "", max_age=0, httponly=True, samesite="Lax",
                        secure=False)
    return response


@bp.get("/c/<code:str>")
async def checkin_code(request: Request, code: str) -> HTTPResponse:
    """What the pass QR opens: a reminder to show it at the desk, nothing to manage."""
    participant = participants.by_checkin_code(request.app.ctx.store, code)
    return page(request, "checkin.html", first_name=participants.first_name(participant),
                checkin_url=request.app.ctx.settings.checkin_url(participant["checkin_code"]),
                headers={"Cache-Control": "no-store"})


@bp.get("/charter")
async def charter(request: Request) -> HTTPResponse:
    return page(request, "charter.html")
