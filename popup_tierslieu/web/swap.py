"""The knowledge-swap board, requests to the desk and announcements: API and pages.

API routes live under /api/v1 (``POST /swap``, ``GET /swap`` and ``GET /me/matches``
as the contract names them); the pages (``/swap`` and the pass page's forms) post,
then redirect (303) back with a one-time message. Every change is published on the
event stream (``swap``, ``announcement``, ``meeting``, ``desk_request``) so open
passes, the screen and the console update live.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.exceptions import ServerError
from sanic.response import HTTPResponse, json

from ..domain import helpdesk, participants, swap
from ..errors import N_, Conflict, Forbidden, InvalidInput, NotFound, PopupError, RateLimited
from . import api, auth, portal
from .events import CONCIERGE, for_participant
from .render import ENVIRONMENT, page

bp = Blueprint("swap")
API = "/api/v1"
# What a participant can get wrong on a form; shown as a message on the pass page.
RULES = (Conflict, InvalidInput, NotFound, Forbidden, RateLimited)


# ------------------------------------------------------------------ records
def author_name(store: Any, participant_id: int) -> str:
    return (store.get("participants", participant_id) or {}).get("name", "")


def post_json(store: Any, post: dict[str, Any]) -> dict[str, Any]:
    """A post as the API shows it: user text as given (escaped only when rendered)."""
    return {key: post.get(key) for key in (
        "id", "kind", "title", "description", "category", "tags", "meet", "slot_id", "status",
        "created_at", "updated_at", "workshop_id")} | {
        "author": author_name(store, post["participant_id"]),
        "participant_id": post["participant_id"]}


def match_json(store: Any, row: dict[str, Any]) -> dict[str, Any]:
    return {**post_json(store, row["post"]), "score": row["score"],
            "fit": swap.fit_words(row["score"]), "for_post_id": row["mine"]["id"]}


def meeting_json(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row.get(key) for key in (
        "id", "post_id", "offer_id", "request_id", "when", "status", "created_at",
        "proposed_by_me", "with_name", "post_title")}


def request_json(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row.get(key) for key in (
        "id", "participant_id", "name", "item", "text", "status", "created_at", "updated_at")}


def announcement_json(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row.get(key) for key in ("id", "text", "created_at", "hidden")}


# ---------------------------------------------------------------- publishing
def publish_swap(request: Request, action: str, post: dict[str, Any]) -> None:
    request.app.ctx.events.publish("swap", {"action": action, "id": post["id"],
                                            "kind": post["kind"]})


def publish_meeting(request: Request, meeting: dict[str, Any]) -> None:
    for pid in (meeting["participant_id"], meeting["other_id"]):
        request.app.ctx.events.publish("meeting", {"id": meeting["id"],
                                                   "status": meeting["status"]},
                                       audience=for_participant(pid))


def publish_desk_request(request: Request, found: dict[str, Any]) -> None:
    data = {"id": found["id"], "status": found["status"]}
    request.app.ctx.events.publish("desk_request", data, audience=CONCIERGE)
    request.app.ctx.events.publish("desk_request", data,
                                   audience=for_participant(found["participant_id"]))


def publish_announcement(request: Request, found: dict[str, Any]) -> None:
    request.app.ctx.events.publish("announcement", {"id": found["id"],
                                                    "hidden": bool(found.get("hidden"))})


# -------------------------------------------------- template data (partials)
def _current() -> Request | None:
    try:
        return Request.get_current()
    except ServerError:
        return None


def swap_view(participant: dict[str, Any]) -> dict[str, Any]:
    """What pass_swap.html shows: my posts, matches both ways, meetings, workshop news."""
    request = _current()
    if request is None:
        return {}
    store, kit = request.app.ctx.store, request.app.ctx.kit
    found = swap.matches(store, participant["id"])
    return {"posts": swap.posts_of(store, participant["id"]),
            "can_help_you": [match_json(store, r) for r in found["can_help_you"][:10]],
            "you_can_help": [match_json(store, r) for r in found["you_can_help"][:10]],
            "meetings": swap.meetings_of(store, participant["id"]),
            "notices": swap.notices_of(store, kit, participant["id"]),
            "categories": kit.swap_categories, "slots": kit.slots}


def desk_view(participant: dict[str, Any]) -> dict[str, Any]:
    request = _current()
    if request is None:
        return {}
    store, kit = request.app.ctx.store, request.app.ctx.kit
    return {"items": kit.desk_requests,
            "requests": helpdesk.requests_of(store, participant["id"])[:10]}


def current_announcements() -> list[dict[str, Any]]:
    request = _current()
    if request is None or not hasattr(request.app.ctx, "store"):
        return []
    return helpdesk.announcements(request.app.ctx.store)


def latest_posts(limit: int = 8) -> list[dict[str, Any]]:
    request = _current()
    if request is None:
        return []
    store = request.app.ctx.store
    return [post_json(store, p) for p in swap.board(store)[:limit]]


# Partials included by pages other features render (pass, base, screen) call these.
ENVIRONMENT.globals.update(swap_view=swap_view, desk_view=desk_view,
                           announcements=current_announcements, latest_posts=latest_posts)


# ------------------------------------------------------------------- the API
@bp.post(f"{API}/swap")
async def post_create(request: Request) -> HTTPResponse:
    participant = auth.require_participant(request)
    post = swap.create(request.app.ctx.store, request.app.ctx.kit, participant, api.body(request))
    await request.app.ctx.store.commit()
    publish_swap(request, "created", post)
    return json({"id": post["id"]}, status=201)


@bp.get(f"{API}/swap")
async def post_list(request: Request) -> HTTPResponse:
    store = request.app.ctx.store
    posts = swap.board(store, request.args.get("kind"), request.args.get("category"),
                       request.args.get("tag"))
    return json({"posts": [post_json(store, p) for p in posts]})


@bp.get(f"{API}/swap/<post_id:int>")
async def post_detail(request: Request, post_id: int) -> HTTPResponse:
    store = request.app.ctx.store
    return json(post_json(store, swap.get(store, post_id)))


@bp.patch(f"{API}/swap/<post_id:int>")
async def post_edit(request: Request, post_id: int) -> HTTPResponse:
    participant = auth.require_participant(request)
    post = swap.edit(request.app.ctx.store, request.app.ctx.kit, participant, post_id,
                     api.body(request))
    await request.app.ctx.store.commit()
    publish_swap(request, "edited", post)
    return json(post_json(request.app.ctx.store, post))


@bp.post(f"{API}/swap/<post_id:int>/close")
async def post_close(request: Request, post_id: int) -> HTTPResponse:
    participant = auth.require_participant(request)
    reopen = api.body(request).get("closed") is False
    post = swap.close(request.app.ctx.store, participant["id"], post_id, closed=not reopen)
    await request.app.ctx.store.commit()
    publish_swap(request, post["status"], post)
    return json(post_json(request.app.ctx.store, post))


@bp.delete(f"{API}/swap/<post_id:int>")
async def post_delete(request: Request, post_id: int) -> HTTPResponse:
    participant = auth.require_participant(request)
    post = swap.get(request.app.ctx.store, post_id)
    swap.delete(request.app.ctx.store, participant["id"], post_id)
    await request.app.ctx.store.commit()
    publish_swap(request, "deleted", post)
    return json({"deleted": True})


@bp.get(f"{API}/me/matches")
async def my_matches(request: Request) -> HTTPResponse:
    participant = auth.require_participant(request)
    store = request.app.ctx.store
    found = swap.matches(store, participant["id"])
    helpers = [match_json(store, r) | {"direction": "can_help_you"} for r in found["can_help_you"]]
    helped = [match_json(store, r) | {"direction": "you_can_help"} for r in found["you_can_help"]]
    ranked = sorted(helpers + helped, key=lambda m: -m["score"])
    return json({"matches": ranked, "can_help_you": helpers, "you_can_help": helped})


@bp.get(f"{API}/me/swap")
async def my_swap(request: Request) -> HTTPResponse:
    participant = auth.require_participant(request)
    store, kit = request.app.ctx.store, request.app.ctx.kit
    return json({
        "posts": [post_json(store, p) for p in swap.posts_of(store, participant["id"])],
        "meetings": [meeting_json(m) for m in swap.meetings_of(store, participant["id"])],
        "workshops": [{"workshop_id": n["workshop_id"], "offer_id": n["offer_id"],
                       "title": n["workshop"].title.get(request.ctx.lang),
                       "start": n["workshop"].start.isoformat(), "room": n["workshop"].room,
                       "registered": n["registered"]}
                      for n in swap.notices_of(store, kit, participant["id"])]})


@bp.post(f"{API}/meetings")
async def meeting_propose(request: Request) -> HTTPResponse:
    participant = auth.require_participant(request)
    data = api.body(request)
    meeting = swap.propose(request.app.ctx.store, participant, data.get("post_id"),
                           data.get("when"), data.get("my_post_id"))
    await request.app.ctx.store.commit()
    publish_meeting(request, meeting)
    return json({"id": meeting["id"], "status": meeting["status"]}, status=201)


@bp.post(f"{API}/meetings/<meeting_id:int>/<answer:accept|decline>")
async def meeting_answer(request: Request, meeting_id: int, answer: str) -> HTTPResponse:
    participant = auth.require_participant(request)
    meeting = swap.answer(request.app.ctx.store, participant["id"], meeting_id,
                          accept=answer == "accept")
    await request.app.ctx.store.commit()
    publish_meeting(request, meeting)
    return json({"id": meeting["id"], "status": meeting["status"]})


@bp.post(f"{API}/desk/requests")
async def desk_send(request: Request) -> HTTPResponse:
    participant = auth.require_participant(request)
    data = api.body(request)
    found = helpdesk.send(request.app.ctx.store, request.app.ctx.kit, participant["id"],
                          data.get("item"), data.get("text"))
    await request.app.ctx.store.commit()
    publish_desk_request(request, found)
    return json({"id": found["id"], "status": found["status"]}, status=201)


@bp.get(f"{API}/me/desk/requests")
async def desk_mine(request: Request) -> HTTPResponse:
    participant = auth.require_participant(request)
    return json({"requests": [request_json(r) for r in
                              helpdesk.requests_of(request.app.ctx.store, participant["id"])]})


@bp.post(f"{API}/me/desk/requests/<request_id:int>/cancel")
async def desk_cancel(request: Request, request_id: int) -> HTTPResponse:
    participant = auth.require_participant(request)
    found = helpdesk.cancel(request.app.ctx.store, participant["id"], request_id)
    await request.app.ctx.store.commit()
    publish_desk_request(request, found)
    return json(request_json(found))


@bp.get(f"{API}/desk/requests")
async def desk_queue(request: Request) -> HTTPResponse:
    auth.require_concierge(request)
    rows = helpdesk.queue(request.app.ctx.store, include_closed=request.args.get("all") == "1")
    return json({"requests": [request_json(r) for r in rows]})


@bp.post(f"{API}/desk/requests/<request_id:int>/<action:take|done|reopen>")
async def desk_move(request: Request, request_id: int, action: str) -> HTTPResponse:
    auth.require_concierge(request)
    found = helpdesk.move(request.app.ctx.store, request_id, action)
    await request.app.ctx.store.commit()
    publish_desk_request(request, found)
    return json(request_json(found))


@bp.get(f"{API}/announcements")
async def announcement_list(request: Request) -> HTTPResponse:
    return json({"announcements": [announcement_json(a) for a in
                                   helpdesk.announcements(request.app.ctx.store)]})


@bp.post(f"{API}/announcements")
async def announcement_create(request: Request) -> HTTPResponse:
    auth.require_concierge(request)
    found = helpdesk.announce(request.app.ctx.store, api.body(request).get("text"))
    await request.app.ctx.store.commit()
    publish_announcement(request, found)
    return json({"id": found["id"]}, status=201)


def _hidden(request: Request) -> bool:
    return api.body(request).get("hidden", True) is not False


@bp.post(f"{API}/announcements/<announcement_id:int>/hide")
async def announcement_hide(request: Request, announcement_id: int) -> HTTPResponse:
    auth.require_concierge(request)
    found = helpdesk.hide_announcement(request.app.ctx.store, announcement_id, _hidden(request))
    await request.app.ctx.store.commit()
    publish_announcement(request, found)
    return json(announcement_json(found))


@bp.post(f"{API}/swap/<post_id:int>/hide")
async def post_hide(request: Request, post_id: int) -> HTTPResponse:
    auth.require_concierge(request)
    post = swap.set_hidden(request.app.ctx.store, post_id, _hidden(request))
    await request.app.ctx.store.commit()
    publish_swap(request, "hidden" if post["hidden"] else "shown", post)
    return json({"id": post["id"], "hidden": post["hidden"]})


@bp.get(f"{API}/swap/popular")
async def popular(request: Request) -> HTTPResponse:
    auth.require_concierge(request)
    store = request.app.ctx.store
    asked = request.args.get("min", "2")
    minimum = int(asked) if asked.isascii() and asked.isdigit() else 2
    return json({"offers": [
        {**post_json(store, e["post"]), "requests": [
            {**post_json(store, r["post"]), "score": r["score"]} for r in e["requests"]]}
        for e in swap.popular_offers(store, minimum)]})


@bp.post(f"{API}/swap/<post_id:int>/workshop")
async def make_workshop(request: Request, post_id: int) -> HTTPResponse:
    auth.require_concierge(request)
    workshop, told = swap.to_workshop(request.app.ctx.store, request.app.ctx.kit, post_id,
                                      api.body(request))
    await request.app.ctx.store.commit()
    api.publish_figures(request, (workshop.id,))
    request.app.ctx.events.publish("programme", {"workshop_id": workshop.id})
    for pid in told:
        request.app.ctx.events.publish("swap_workshop", {"workshop_id": workshop.id},
                                       audience=for_participant(pid))
    return json({"workshop_id": workshop.id, "told": len(told)}, status=201)


# ----------------------------------------------------------------- the pages
def _form(request: Request) -> dict[str, Any]:
    return {key: request.form.get(key) for key in request.form}


def _refused(participant: dict[str, Any], exc: PopupError) -> HTTPResponse:
    if isinstance(exc, InvalidInput) and exc.fields:
        first = next(iter(exc.fields.values()))
        message, params = first if isinstance(first, tuple) else (first, None)
        return portal.back_to_pass(participant, "error", message, params)
    return portal.refused(participant, exc)


@bp.get("/swap")
async def board_page(request: Request) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    filters = {key: request.args.get(key) or None for key in ("kind", "category", "tag")}
    posts = [post_json(store, p) for p in swap.board(store, **filters)]
    flash = portal.take_flash(request)
    return portal.shown(page(request, "swap.html", posts=posts, filters=filters,
                             categories=kit.swap_categories, mine=portal.own_pass(request),
                             flash=flash), flash)


NO_STORE = {"Cache-Control": "no-store"}


@bp.get("/pass/<token:str>/swap/fragment")
async def swap_fragment(request: Request, token: str) -> HTTPResponse:
    """The pass page's swap part, re-fetched by swap.js when something changes."""
    participant = participants.by_token(request.app.ctx.store, token)
    return page(request, "pass_swap.html", headers=NO_STORE, participant=participant,
                token=token)


@bp.get("/pass/<token:str>/desk/fragment")
async def desk_fragment(request: Request, token: str) -> HTTPResponse:
    participant = participants.by_token(request.app.ctx.store, token)
    return page(request, "pass_desk.html", headers=NO_STORE, participant=participant,
                token=token)


@bp.get("/announcements/fragment")
async def announcements_fragment(request: Request) -> HTTPResponse:
    return page(request, "announcements_bar.html", headers=NO_STORE)


@bp.post("/pass/<token:str>/swap")
async def page_post(request: Request, token: str) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    participant = participants.by_token(store, token)
    form = _form(request)
    try:
        post = swap.create(store, kit, participant, form)
    except InvalidInput as exc:
        from .errors import describe

        _, _, message, fields = describe(exc, request.ctx.lang)
        return page(request, "swap_form.html", status=400, form=form, errors=fields,
                    message=message, token=token, categories=kit.swap_categories,
                    slots=kit.slots, post=None)
    except RateLimited as exc:
        return _refused(participant, exc)
    await store.commit()
    publish_swap(request, "created", post)
    return portal.back_to_pass(participant, "ok", N_("Your post is on the board."))


@bp.get("/pass/<token:str>/swap/<post_id:int>/edit")
async def page_edit_form(request: Request, token: str, post_id: int) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    participant = participants.by_token(store, token)
    post = swap.own_post(store, participant["id"], post_id)
    form = {**post, "tags": ", ".join(post.get("tags", []))}
    return page(request, "swap_form.html", form=form, errors={}, token=token, post=post,
                categories=kit.swap_categories, slots=kit.slots)


@bp.post("/pass/<token:str>/swap/<post_id:int>/edit")
async def page_edit(request: Request, token: str, post_id: int) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    participant = participants.by_token(store, token)
    form = _form(request)
    try:
        post = swap.edit(store, kit, participant, post_id, form)
    except InvalidInput as exc:
        from .errors import describe

        _, _, message, fields = describe(exc, request.ctx.lang)
        return page(request, "swap_form.html", status=400, form=form, errors=fields,
                    message=message, token=token, categories=kit.swap_categories,
                    slots=kit.slots, post=swap.get(store, post_id))
    await store.commit()
    publish_swap(request, "edited", post)
    return portal.back_to_pass(participant, "ok", N_("Your post is updated."))


@bp.post("/pass/<token:str>/swap/<post_id:int>/<action:close|reopen|delete>")
async def page_close(request: Request, token: str, post_id: int, action: str) -> HTTPResponse:
    store = request.app.ctx.store
    participant = participants.by_token(store, token)
    try:
        post = swap.get(store, post_id)
        if action == "delete":
            swap.delete(store, participant["id"], post_id)
        else:
            post = swap.close(store, participant["id"], post_id, closed=action == "close")
    except RULES as exc:
        return _refused(participant, exc)
    await store.commit()
    publish_swap(request, {"close": "closed", "reopen": "open"}.get(action, "deleted"), post)
    messages = {"close": N_("Closed. Thank you for swapping!"),
                "reopen": N_("Your post is back on the board."),
                "delete": N_("Your post is deleted.")}
    return portal.back_to_pass(participant, "ok", messages[action])


@bp.post("/pass/<token:str>/meetings")
async def page_propose(request: Request, token: str) -> HTTPResponse:
    store = request.app.ctx.store
    participant = participants.by_token(store, token)
    try:
        meeting = swap.propose(store, participant, request.form.get("post_id"),
                               request.form.get("when"), request.form.get("my_post_id"))
    except RULES as exc:
        return _refused(participant, exc)
    await store.commit()
    publish_meeting(request, meeting)
    return portal.back_to_pass(participant, "ok",
                               N_("Proposal sent; your pass shows when they answer."))


@bp.post("/pass/<token:str>/meetings/<meeting_id:int>/<answer:accept|decline>")
async def page_answer(request: Request, token: str, meeting_id: int,
                      answer: str) -> HTTPResponse:
    store = request.app.ctx.store
    participant = participants.by_token(store, token)
    try:
        meeting = swap.answer(store, participant["id"], meeting_id, accept=answer == "accept")
    except RULES as exc:
        return _refused(participant, exc)
    await store.commit()
    publish_meeting(request, meeting)
    if meeting["status"] == "accepted":
        return portal.back_to_pass(participant, "ok", N_("Meeting accepted. Enjoy the swap!"))
    return portal.back_to_pass(participant, "ok", N_("Proposal declined."))


@bp.post("/pass/<token:str>/swap-workshops/<workshop_id:str>")
async def page_workshop_register(request: Request, token: str,
                                 workshop_id: str) -> HTTPResponse:
    """The one-tap registration of a workshop made from an offer the participant asked:
    the same as registering from the programme."""
    return await portal.workshop_register(request, token, workshop_id)


@bp.post("/pass/<token:str>/desk")
async def page_desk(request: Request, token: str) -> HTTPResponse:
    store, kit = request.app.ctx.store, request.app.ctx.kit
    participant = participants.by_token(store, token)
    try:
        found = helpdesk.send(store, kit, participant["id"], request.form.get("item"),
                              request.form.get("text"))
    except InvalidInput as exc:
        return portal.refused_in_place(request, participant, "desk", exc)
    except RULES as exc:
        return _refused(participant, exc)
    await store.commit()
    publish_desk_request(request, found)
    return portal.back_to_pass(participant, "ok", N_("The desk has your request."))


@bp.post("/pass/<token:str>/desk/<request_id:int>/cancel")
async def page_desk_cancel(request: Request, token: str, request_id: int) -> HTTPResponse:
    store = request.app.ctx.store
    participant = participants.by_token(store, token)
    try:
        found = helpdesk.cancel(store, participant["id"], request_id)
    except RULES as exc:
        return _refused(participant, exc)
    await store.commit()
    publish_desk_request(request, found)
    return portal.back_to_pass(participant, "ok", N_("Your request is cancelled."))
