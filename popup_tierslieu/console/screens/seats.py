"""Coworking seats: for each slot and zone a row of taken and free seats; assign, free."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from ... import i18n
from .base import Section
from .dialogs import Confirm, PickPerson

_ = i18n.gettext


def seat_grid(rows: list[dict[str, Any]]) -> Text:
    """■ a taken seat, □ a free one, for every slot and zone."""
    grid = Text()
    for row in rows:
        taken = {b["seat"] for b in row.get("bookings", [])}
        grid.append(f"{row['slot']:<14} {row['space']:<20} ")
        for n in range(1, row["seats"] + 1):
            grid.append("■" if n in taken else "□", style="bold red" if n in taken else "green")
        grid.append(f"  {row['taken']}/{row['seats']}\n")
    return grid


class SeatsScreen(Section):
    def body(self) -> ComposeResult:
        yield Static("", id="seat-grid", classes="panel")
        yield DataTable(id="seat-list", cursor_type="row")
        yield Static(_("Enter on a free seat assigns it; on a taken seat, frees it."),
                     classes="hint")

    def on_mount(self) -> None:
        self.query_one("#seat-grid").border_title = _("Seats (■ taken, □ free)")
        self.query_one(DataTable).add_columns(_("Slot"), _("Area"), _("Seat"), _("Person"))
        self.cells: list[dict[str, Any]] = []

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.query_one(DataTable).focus()

    def data_changed(self) -> None:
        self.load()

    @work(exclusive=True, group="seats", exit_on_error=False)
    async def load(self) -> None:
        rows = await self.call(self.app.client.seats())
        if rows is None:
            return
        self.query_one("#seat-grid", Static).update(seat_grid(rows))
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        self.cells = []
        for row in rows:
            by_seat = {b["seat"]: b for b in row.get("bookings", [])}
            for n in range(1, row["seats"] + 1):
                booking = by_seat.get(n)
                self.cells.append({"slot_id": row["slot_id"], "space_id": row["space_id"],
                                   "seat": n, "booking": booking})
                person = Text(booking["name"] or "") if booking else Text(_("free"), "green")
                table.add_row(Text(row["slot"]), Text(row["space"]), str(n), person)
        if self.cells:
            table.move_cursor(row=min(cursor, len(self.cells) - 1))

    @on(DataTable.RowSelected, "#seat-list")
    def chosen(self, event: DataTable.RowSelected) -> None:
        cell = self.cells[event.cursor_row]
        booking = cell["booking"]
        if booking is None:
            self.app.push_screen(PickPerson(i18n.translate("Who takes seat %(seat)s?",
                                                           {"seat": cell["seat"]})),
                                 lambda person: self.assign(cell, person))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.free(booking["id"])

        self.app.push_screen(Confirm(i18n.translate("Free seat %(seat)s of %(name)s?", {
            "seat": cell["seat"], "name": booking["name"]})), answered)

    def assign(self, cell: dict[str, Any], person: dict[str, Any] | None) -> None:
        if person is not None:
            self.book(person["id"], cell)

    @work(group="change", exit_on_error=False)
    async def book(self, participant_id: int, cell: dict[str, Any]) -> None:
        if await self.call(self.app.client.book_seat(participant_id, cell["slot_id"],
                                                     cell["space_id"], cell["seat"])):
            self.load()

    @work(group="change", exit_on_error=False)
    async def free(self, booking_id: int) -> None:
        if await self.call(self.app.client.free_seat(booking_id)):
            self.load()
