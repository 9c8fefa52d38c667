"""Requests to the desk, announcements and moderation of the swap board.

The queue shows what participants asked for (oldest first); the concierge takes a
request (Ctrl+T) and marks it done (Ctrl+D). An announcement typed below goes to
every pass and the screen at once. Ctrl+X hides the highlighted post or
announcement everywhere (it stays in the data, marked hidden).

Everything here was typed by someone: it is shown as plain ``Text``, never as
markup, so "[b]" or "<script>" appear as they were written.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from ... import i18n
from ...errors import N_
from .base import Section

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
        Binding("ctrl+x", "hide", _("Hide from the board")),
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
                       "F1 help"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#queue", DataTable).add_columns(
            _("No."), _("Who"), _("Request"), _("Status"), _("Since"))
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
            table.add_row(str(r["id"]), Text(r.get("name") or ""), Text(asked),
                          status_text(r["status"]), (r.get("created_at") or "")[11:16],
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
