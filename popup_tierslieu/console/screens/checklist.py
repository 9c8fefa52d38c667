"""The concierge's day: the kit's checklist with times, ticks kept on the server."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from ... import i18n
from .base import Section

_ = i18n.gettext


class ChecklistScreen(Section):
    BINDINGS = [Binding("space", "toggle", _("Tick / untick"))]

    def body(self) -> ComposeResult:
        yield DataTable(id="checklist", cursor_type="row")
        yield Static(_("Space or Enter ticks an item; ➜ marks the next one."), classes="hint")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("", _("Time"), _("Task"), "")
        self.sheet: dict[str, Any] = {}

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.query_one(DataTable).focus()

    def data_changed(self) -> None:
        self.load()

    def server_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "checklist":
            self.load()

    @work(exclusive=True, group="checklist", exit_on_error=False)
    async def load(self) -> None:
        sheet = await self.call(self.app.client.checklist())
        if sheet is not None:
            self.show(sheet)

    def show(self, sheet: dict[str, Any]) -> None:
        self.sheet = sheet
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for item in sheet["items"]:
            upcoming = item["index"] == sheet["next"]
            style = "bold reverse" if upcoming else ("dim" if item["ticked"] else "")
            late = upcoming and item["due"]
            table.add_row(Text("[x]" if item["ticked"] else "[ ]"), item["time"],
                          Text(item["label"], style=style),
                          Text("➜ " + (_("now") if late else _("next")), style="bold")
                          if upcoming else "")
        if sheet["items"]:
            table.move_cursor(row=min(cursor, len(sheet["items"]) - 1))

    @on(DataTable.RowSelected, "#checklist")
    def chosen(self, event: DataTable.RowSelected) -> None:
        self.action_toggle()

    def action_toggle(self) -> None:
        if not self.sheet.get("items"):
            return
        item = self.sheet["items"][self.query_one(DataTable).cursor_row]
        self.tick(item["index"], not item["ticked"])

    @work(group="change", exit_on_error=False)
    async def tick(self, index: int, ticked: bool) -> None:
        sheet = await self.call(self.app.client.tick(index, ticked))
        if sheet is not None:
            self.show(sheet)
