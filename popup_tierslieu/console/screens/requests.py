"""Requests to the desk, announcements and moderation of the swap board.

The queue shows what participants asked for (oldest first); the concierge takes a
request (Ctrl+T) and marks it done (Ctrl+D). An announcement typed below goes to
every pass and the screen at once. Ctrl+X hides the highlighted post or
announcement everywhere (it stays in the data, marked hidden). Ctrl+W turns an
offer that several people asked for into a workshop; they are told on their pass.

Everything here was typed by someone: it is shown as plain ``Text``, never as
markup, so "[b]" or "<script>" appear as they were written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from ... import i18n
from ...errors import N_
from ..client import ApiError
from .base import ReportsFailures, Section
from .dashboard import local_hour

_ = i18n.gettext

STATUS = {"open": N_("waiting"), "taken": N_("taken"), "done": N_("done"),
          "cancelled": N_("cancelled")}


def status_text(status: str) -> Text:
    style = {"open": "bold yellow", "taken": "cyan", "done": "green"}.get(status, "dim")
    return Text(_(STATUS.get(status, status)), style=style)


class RequestsScreen(Section):
    BINDINGS = [
        Binding("ctrl+t", "move('take')", _("Take the request")),
        Binding("ctrl+d", "move('done')", _("Mark done")),
        Binding("ctrl+o", "move('reopen')", _("Reopen"), show=False),
        Binding("ctrl+x", "hide", _("Hide")),
        Binding("ctrl+w", "workshop", _("New workshop")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[dict[str, Any]] = []
        self.board: list[tuple[str, dict[str, Any]]] = []

    def body(self) -> ComposeResult:
        yield Static(_("Requests to the desk"), classes="title")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder=_("Type an announcement for every pass and the screen, "
                                  "then Enter"), id="announce", max_length=300)
        yield Static(_("Announcements and swap posts"), classes="title")
        yield DataTable(id="board", cursor_type="row")
        yield Static(_("Ctrl+T take · Ctrl+D done · Ctrl+X hide the highlighted line · "
                       "Ctrl+W workshop from a popular offer · F1 help"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#queue", DataTable).add_columns(
            # The request's text last: it can be long, and what comes after it would be
            # pushed off a narrow terminal.
            _("No."), _("Since"), _("Who"), _("Status"), _("Request"))
        self.query_one("#board", DataTable).add_columns(_("Kind"), _("Text"), _("By"))

    def data_changed(self) -> None:
        self.load()

    def server_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind in ("desk_request", "swap", "announcement"):
            self.load()

    @work(exclusive=True, group="requests", exit_on_error=False)
    async def load(self) -> None:
        queue = await self.call(self.app.client.desk_requests())
        announcements = await self.call(self.app.client.announcements())
        posts = await self.call(self.app.client.swap_posts())
        if queue is None or announcements is None or posts is None:
            return
        self.queue = queue
        self.board = [("announcement", a) for a in announcements] + [
            ("post", p) for p in posts]
        self.show_queue()
        self.show_board()

    def show_queue(self) -> None:
        table = self.query_one("#queue", DataTable)
        row = table.cursor_row
        table.clear()
        for r in self.queue:
            asked = " · ".join(x for x in (r.get("item"), r.get("text")) if x)
            table.add_row(str(r["id"]),
                          local_hour(r.get("created_at"), self.app.event.get("timezone")),
                          Text(r.get("name") or ""), status_text(r["status"]), Text(asked),
                          key=str(r["id"]))
        if self.queue:
            table.move_cursor(row=min(row, len(self.queue) - 1))

    def show_board(self) -> None:
        table = self.query_one("#board", DataTable)
        row = table.cursor_row
        table.clear()
        for kind, item in self.board:
            if kind == "announcement":
                table.add_row(Text(_("Announcement"), style="bold"), Text(item["text"]), "")
            else:
                label = _("Offer") if item["kind"] == "offer" else _("Request")
                table.add_row(label, Text(item["title"]), Text(item.get("author") or ""))
        if self.board:
            table.move_cursor(row=min(row, len(self.board) - 1))

    # --------------------------------------------------------------- actions
    def selected_request(self) -> dict[str, Any] | None:
        table = self.query_one("#queue", DataTable)
        if not self.queue or not 0 <= table.cursor_row < len(self.queue):
            return None
        return self.queue[table.cursor_row]

    def action_move(self, action: str) -> None:
        found = self.selected_request()
        if found is not None:
            self.move(found["id"], action)

    @work(group="requests-move", exit_on_error=False)
    async def move(self, request_id: int, action: str) -> None:
        if await self.call(self.app.client.move_request(request_id, action)) is not None:
            self.load()

    def action_hide(self) -> None:
        table = self.query_one("#board", DataTable)
        if self.board and 0 <= table.cursor_row < len(self.board):
            self.hide(*self.board[table.cursor_row])

    @work(group="requests-hide", exit_on_error=False)
    async def hide(self, kind: str, item: dict[str, Any]) -> None:
        client = self.app.client
        call = client.hide_announcement(item["id"]) if kind == "announcement" else (
            client.hide_post(item["id"]))
        if await self.call(call) is not None:
            self.notify(_("Hidden everywhere; kept in the data."))
            self.load()

    @on(Input.Submitted, "#announce")
    def announce(self, message: Input.Submitted) -> None:
        text = message.value.strip()
        if text:
            message.input.value = ""
            self.post_announcement(text)

    @work(group="requests-announce", exit_on_error=False)
    async def post_announcement(self, text: str) -> None:
        if await self.call(self.app.client.announce(text)) is not None:
            self.notify(_("Announced on every pass and the screen."))
            self.load()

    def action_workshop(self) -> None:
        self.open_workshop_dialog()

    @work(group="requests-popular", exit_on_error=False)
    async def open_workshop_dialog(self) -> None:
        popular = await self.call(self.app.client.popular_offers())
        if popular is None:
            return
        if not popular:
            self.notify(_("No offer is asked for by two people yet."))
            return
        self.app.push_screen(MakeWorkshop(popular, self.app.event), self.workshop_made)

    def workshop_made(self, answer: dict[str, Any] | None) -> None:
        if answer:
            self.notify(i18n.translate("Workshop created; %(num)s people told on their pass.",
                                       {"num": answer["told"]}))
            self.app.refresh_data()


class MakeWorkshop(ReportsFailures, ModalScreen[dict[str, Any] | None]):
    """Choose a popular offer, a room, a day, hours and a capacity; Escape cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", _("Cancel"))]

    def __init__(self, popular: list[dict[str, Any]], event: dict[str, Any]) -> None:
        super().__init__()
        self.popular = popular
        start = dt.date.fromisoformat(event.get("start_date") or dt.date.today().isoformat())
        end = dt.date.fromisoformat(event.get("end_date") or start.isoformat())
        self.days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
        self.rooms = [(s["name"], s["id"]) for s in event.get("spaces", [])
                      if s.get("kind") != "coworking"] or [
            (s["name"], s["id"]) for s in event.get("spaces", [])]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(_("Workshop from a popular offer"), classes="heading")
            yield DataTable(id="popular", cursor_type="row")
            yield Select(self.rooms, prompt=_("Room"), id="room", allow_blank=False)
            yield Select([(d.isoformat(), d.isoformat()) for d in self.days], id="day",
                         allow_blank=False)
            with Horizontal(classes="buttons"):
                yield Input(placeholder=_("Start (15:00)"), id="start", max_length=5)
                yield Input(placeholder=_("End (16:00)"), id="end", max_length=5)
                yield Input(placeholder=_("Capacity"), id="capacity", max_length=4,
                            type="integer")
            yield Static("", id="problem", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button(_("Create the workshop"), id="create", variant="primary")
                yield Button(_("Cancel"), id="cancel")

    def on_mount(self) -> None:
        table = self.query_one("#popular", DataTable)
        table.add_columns(_("Offer"), _("By"), _("Asked by"))
        for offer in self.popular:
            table.add_row(Text(offer["title"]), Text(offer.get("author") or ""),
                          str(len({r["participant_id"] for r in offer["requests"]})))
        table.focus()

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#create")
    def create(self) -> None:
        table = self.query_one("#popular", DataTable)
        offer = self.popular[max(0, min(table.cursor_row, len(self.popular) - 1))]
        day = self.query_one("#day", Select).value
        fields = {"room": self.query_one("#room", Select).value,
                  "start": f"{day}T{self.query_one('#start', Input).value.strip()}",
                  "end": f"{day}T{self.query_one('#end', Input).value.strip()}",
                  "capacity": self.query_one("#capacity", Input).value.strip()}
        self.submit(offer["id"], fields)

    @work(exclusive=True, exit_on_error=False)
    async def submit(self, offer_id: int, fields: dict[str, Any]) -> None:
        try:
            answer = await self.app.client.make_workshop(offer_id,  # type: ignore[attr-defined]
                                                         fields)
        except ApiError as exc:
            details = " · ".join(exc.fields.values()) if exc.fields else ""
            self.query_one("#problem", Static).update(
                Text(exc.message + (f" ({details})" if details else "")))
            return
        self.dismiss(answer)
