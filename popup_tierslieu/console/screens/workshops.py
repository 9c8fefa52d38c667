"""Workshops: the list with fill and waiting list, and one workshop's roster."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, Static

from ... import i18n
from .. import days
from .base import Section
from .dialogs import Confirm, PickPerson
from .printing import print_sign_in_sheet

_ = i18n.gettext


class WorkshopsScreen(Section):
    BINDINGS = [Binding("enter", "open", _("Open"), show=False),
                Binding("ctrl+e", "print_sheet", _("Print the sign-in sheet"))]

    def body(self) -> ComposeResult:
        yield DataTable(id="workshops", cursor_type="row")
        yield Static(_("Enter opens a workshop: who is in, who waits."), classes="hint")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(_("Start"), _("Workshop"), _("Room"), _("Filled"),
                                              _("Waiting"), _("State"))

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.query_one(DataTable).focus()

    def data_changed(self) -> None:
        workshops = self.app.stats.get("workshops", [])
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for w in workshops:
            state = _("cancelled") if w["cancelled"] else (
                _("full") if w["left"] == 0 else "")
            event = self.app.event
            table.add_row(days.moment(w["start"], event), Text(w["title"]),
                          Text(days.room_name(w["room"], event)),
                          f"{w['confirmed']}/{w['capacity']}", str(w["waitlisted"]), state,
                          key=w["id"])
        if workshops:
            table.move_cursor(row=min(row, len(workshops) - 1))

    @on(DataTable.RowSelected, "#workshops")
    def opened(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(WorkshopScreen(str(event.row_key.value)))

    def highlighted(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_open(self) -> None:
        workshop_id = self.highlighted()
        if workshop_id:
            self.app.push_screen(WorkshopScreen(workshop_id))

    def action_print_sheet(self) -> None:
        workshop_id = self.highlighted()
        if workshop_id:
            self.run_worker(print_sign_in_sheet(self.app, workshop_id), group="paper",
                            exit_on_error=False)


class WorkshopScreen(Section):
    """One workshop at the door: who is in (and came), who waits, in order."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", _("Back")),
        Binding("space", "attended", _("Came / did not come")),
        Binding("ctrl+a", "add", _("Add someone")),
        Binding("delete", "remove", _("Remove the selected person")),
        Binding("ctrl+x", "cancel_workshop", _("Cancel or restore the workshop")),
        Binding("ctrl+e", "print_sheet", _("Print the sign-in sheet")),
    ]

    def __init__(self, workshop_id: str) -> None:
        super().__init__()
        self.workshop_id = workshop_id
        self.roster: dict[str, Any] = {}

    def body(self) -> ComposeResult:
        yield Static("", id="workshop-title", classes="heading")
        with Horizontal(id="roster"):
            with Vertical():
                yield Label(_("Confirmed"), classes="subheading")
                yield DataTable(id="confirmed", cursor_type="row")
            with Vertical():
                yield Label(_("Waiting list"), classes="subheading")
                yield DataTable(id="waitlisted", cursor_type="row")
        yield Static(_("Space: came · Ctrl+A: add · Delete: remove · Ctrl+X: cancel the "
                       "workshop · Escape: back"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#confirmed", DataTable).add_columns(_("Name"), _("Profile"), _("Came"))
        self.query_one("#waitlisted", DataTable).add_columns("#", _("Name"), _("Profile"))
        self.query_one("#confirmed", DataTable).focus()

    def data_changed(self) -> None:
        self.load()

    def server_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "attendance" and data.get("workshop_id") == self.workshop_id:
            self.load()

    @work(exclusive=True, group="roster", exit_on_error=False)
    async def load(self) -> None:
        roster = await self.call(self.app.client.roster(self.workshop_id))
        if roster is None:
            return
        self.roster = roster
        w = roster["workshop"]
        title = Text(f"{days.moment(w['start'], self.app.event)}–{w['end'][11:16]}  "
                     f"{w['title']}  ", style="bold")
        title.append(i18n.translate("%(confirmed)s/%(capacity)s places, %(waiting)s waiting",
                                    {"confirmed": w["confirmed"], "capacity": w["capacity"],
                                     "waiting": w["waitlisted"]}), style="")
        if w["cancelled"]:
            title.append("  " + _("CANCELLED"), style="bold red")
        self.query_one("#workshop-title", Static).update(title)
        confirmed = self.query_one("#confirmed", DataTable)
        row = confirmed.cursor_row
        confirmed.clear()
        for p in roster["confirmed"]:
            confirmed.add_row(Text(p["name"]), Text(p["profile"] or ""),
                              "✓" if p["attended"] else "", key=str(p["participant_id"]))
        if roster["confirmed"]:
            confirmed.move_cursor(row=min(row, len(roster["confirmed"]) - 1))
        waiting = self.query_one("#waitlisted", DataTable)
        waiting.clear()
        for p in roster["waitlisted"]:
            waiting.add_row(str(p["position"]), Text(p["name"]), Text(p["profile"] or ""),
                            key=str(p["participant_id"]))

    def selected(self) -> tuple[str, dict[str, Any]] | None:
        """The list with focus and the person under its cursor."""
        for name in ("confirmed", "waitlisted"):
            table = self.query_one(f"#{name}", DataTable)
            if table.has_focus and table.row_count and self.roster.get(name):
                return name, self.roster[name][table.cursor_row]
        return None

    def action_attended(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen[0] != "confirmed":
            self.notify(_("Choose someone in the confirmed list."), severity="warning")
            return
        self.mark(chosen[1]["participant_id"], not chosen[1]["attended"])

    @work(group="change", exit_on_error=False)
    async def mark(self, participant_id: int, attended: bool) -> None:
        if await self.call(self.app.client.mark_attended(self.workshop_id, participant_id,
                                                         attended)) is not None:
            self.load()

    def action_add(self) -> None:
        self.app.push_screen(PickPerson(_("Add someone to this workshop")), self.add)

    def add(self, person: dict[str, Any] | None) -> None:
        if person is not None:
            self.add_person(person)

    @work(group="change", exit_on_error=False)
    async def add_person(self, person: dict[str, Any]) -> None:
        answer = await self.call(self.app.client.add_to_workshop(self.workshop_id,
                                                                 person["id"]))
        if answer is None:
            return
        if answer["status"] == "confirmed":
            self.notify(i18n.translate("%(name)s is in.", {"name": person["name"]}),
                        markup=False)
        else:
            self.notify(i18n.translate("%(name)s is on the waiting list (no. %(position)s).",
                                       {"name": person["name"], "position": answer["position"]}),
                        markup=False)
        self.app.refresh_data()

    def action_remove(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.notify(_("Choose someone in a list first."), severity="warning")
            return
        person = chosen[1]

        def answered(yes: bool | None) -> None:
            if yes:
                self.remove_person(person["participant_id"])

        self.app.push_screen(Confirm(i18n.translate(
            "Remove %(name)s from this workshop? The first person waiting takes the place.",
            {"name": person["name"]})), answered)

    @work(group="change", exit_on_error=False)
    async def remove_person(self, participant_id: int) -> None:
        if await self.call(self.app.client.remove_from_workshop(
                self.workshop_id, participant_id)) is not None:
            self.app.refresh_data()

    def action_print_sheet(self) -> None:
        self.run_worker(print_sign_in_sheet(self.app, self.workshop_id), group="paper",
                        exit_on_error=False)

    def action_cancel_workshop(self) -> None:
        if not self.roster:
            return
        cancelled = self.roster["workshop"]["cancelled"]
        question = (_("Restore this workshop?") if cancelled else
                    _("Cancel this workshop? Bookings are kept for the record."))

        def answered(yes: bool | None) -> None:
            if yes:
                self.set_cancelled(not cancelled)

        self.app.push_screen(Confirm(question), answered)

    @work(group="change", exit_on_error=False)
    async def set_cancelled(self, cancelled: bool) -> None:
        if await self.call(self.app.client.set_cancelled(self.workshop_id,
                                                         cancelled)) is not None:
            self.app.refresh_data()
