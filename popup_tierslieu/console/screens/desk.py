"""The arrivals desk: one input, always focused, for the keyboard.

Scans never reach it: the app catches them on every screen (console/scanner.py) and
this screen shows their details. A pass URL or a token typed by hand checks the
person in too; anything else searches by name.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from ... import i18n
from ...errors import N_
from ..scanner import Scan, recognise
from ..scans import UNDONE, Result
from ..widgets import outcome
from .base import Section
from .dialogs import Confirm, PassScreen
from .printing import ask_and_print_pass
from .register import RegisterScreen

_ = i18n.gettext


class DeskScreen(Section):
    BINDINGS = [
        Binding("ctrl+n", "walk_in", _("Walk-in")),
        # Out of the footer (it would overflow at 80 columns); F1 and the palette list it.
        Binding("ctrl+z", "undo", _("Undo the last check-in"), show=False),
        # Priority: the scan input would take Ctrl+E as "end of line".
        Binding("ctrl+e", "print_pass", _("Print the pass"), priority=True),
        # Ctrl+R is the app's refresh; L for the pass "lien".
        Binding("ctrl+l", "resend_pass", _("Resend the pass")),
        Binding("down", "results", _("Search results"), show=False),
        Binding("escape", "back_to_scan", _("Back to the scan input"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, Any]] = []
        self.last: Result | None = None

    def body(self) -> ComposeResult:
        # No select-on-focus: a scan that moves the focus back must keep its first character.
        yield Input(placeholder=_("Scan a pass or type its code or a name, then Enter"),
                    id="scan", select_on_focus=False)
        yield Static("", id="result")
        yield DataTable(id="found", cursor_type="row")
        yield Static(_("Enter on a name checks the person in · Ctrl+N registers a walk-in "
                       "· F1 help"), classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#found", DataTable)
        table.add_columns(_("Name"), _("Profile"), _("Town"))
        table.display = False

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.query_one("#scan", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """A scanner may fire while the results list has the focus: its characters go
        back to the scan input, so its Enter never picks the highlighted name."""
        scan = self.query_one("#scan", Input)
        if self.focused is not scan and event.is_printable and event.character:
            scan.focus()
            scan.insert_text_at_cursor(event.character)
            event.prevent_default()
            event.stop()

    # ------------------------------------------------------------- scanning
    @on(Input.Submitted, "#scan")
    def scanned(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        event.input.value = ""
        if not value:
            return
        scan = recognise(value)
        if scan is not None:
            self.app.scanned(scan)
        else:
            self.search(value)

    def scan_done(self, result: Result | None) -> None:
        panel = self.query_one("#result", Static)
        if result is None:
            # Scans wait: never leave the previous person's welcome up, it looks like success.
            if self.app.scans.offline and len(self.app.scans.queue):
                outcome.show(panel, outcome.PENDING, self.app.scans.waiting_line())
            return
        if result.participant is not None:
            self.last = result
        outcome.show(panel, result.seen, result.name, result.lines)
        self.query_one("#found", DataTable).display = False
        self.query_one("#scan", Input).focus()

    # ----------------------------------------------------------------- undo
    def action_undo(self) -> None:
        """Take back the latest check-in shown (the wrong namesake was picked)."""
        last = self.last
        if last is None or last.participant is None:
            self.notify(_("No check-in to undo."), severity="warning")
            return
        person = last.participant
        # The commune tells namesakes apart; someone without one is named alone.
        question = (i18n.translate("Undo the check-in of %(name)s (%(commune)s)?",
                                   {"name": person["name"], "commune": person["commune"]})
                    if person.get("commune") else
                    i18n.translate("Undo the check-in of %(name)s?", {"name": person["name"]}))

        def answered(yes: bool | None) -> None:
            if yes:
                self.undo(person)

        self.app.push_screen(Confirm(question), answered)

    @work(group="checkin", exit_on_error=False)
    async def undo(self, person: dict[str, Any]) -> None:
        if await self.call(self.app.client.undo_check_in(person["id"])) is None:
            return
        self.last = None
        self.app.scans.note(Result(self.app.clock().astimezone(), UNDONE, person["name"]))
        self.app.refresh_data()

    # ------------------------------------------------------------- searching
    @work(exclusive=True, group="search", exit_on_error=False)
    async def search(self, query: str) -> None:
        found = await self.call(self.app.client.search(query))
        if found is None:
            return
        self.found = found
        table = self.query_one("#found", DataTable)
        table.clear()
        for p in found:
            table.add_row(Text(p["name"]), Text(p["profile"] or ""), Text(p["commune"] or ""))
        table.display = bool(found)
        result = self.query_one("#result", Static)
        if found:
            result.set_classes("outcome info")
            result.update(Text(i18n.translate("%(count)s found for “%(query)s”: ↓ then Enter",
                                              {"count": len(found), "query": query})))
        else:
            result.set_classes(["outcome", outcome.UNKNOWN.css])
            result.update(Text(outcome.UNKNOWN.symbol + " " + i18n.translate(
                "Nobody found for “%(query)s”", {"query": query})))

    def action_results(self) -> None:
        if self.found and self.query_one("#found", DataTable).display:
            self.query_one("#found", DataTable).focus()

    def action_back_to_scan(self) -> None:
        self.query_one("#scan", Input).focus()

    @on(DataTable.RowSelected, "#found")
    def chosen(self, event: DataTable.RowSelected) -> None:
        self.check_in_person(self.found[event.cursor_row]["id"])

    @work(group="checkin", exit_on_error=False)
    async def check_in_person(self, participant_id: int) -> None:
        person = await self.call(self.app.client.participant(participant_id))
        if person is not None:
            self.app.scanned(Scan(person["pass_url"]))

    def chosen_person(self) -> dict[str, Any] | None:
        """The highlighted search result, else the person just shown (a warning if none)."""
        table = self.query_one("#found", DataTable)
        person = (self.found[table.cursor_row] if table.display and self.found
                  else self.last.participant if self.last else None)
        if person is None:
            self.notify(_("Scan or find someone first."), severity="warning")
        return person

    def action_print_pass(self) -> None:
        if person := self.chosen_person():
            ask_and_print_pass(self.app, person["id"], person["name"])

    def action_resend_pass(self) -> None:
        """"Renvoyer mon pass": the pass link as a QR, for the person's own phone."""
        if person := self.chosen_person():
            self.resend_pass(person["id"])

    @work(group="resend", exit_on_error=False)
    async def resend_pass(self, participant_id: int) -> None:
        answer = await self.call(self.app.client.pass_link(participant_id))
        if answer is not None:
            self.app.push_screen(PassScreen(
                answer["name"], answer["pass_url"], answer["participant_id"],
                N_("Scan this QR with your phone: it opens your pass (bookings, data). "
                   "Show it to nobody.")))

    # --------------------------------------------------------------- walk-in
    def action_walk_in(self) -> None:
        self.app.push_screen(RegisterScreen(self.app.event), self.registered)

    def registered(self, answer: dict[str, Any] | None) -> None:
        if answer is None:
            self.query_one("#scan", Input).focus()
            return
        self.app.scanned(Scan(answer["pass_url"]))
        self.app.push_screen(PassScreen(answer["name"], answer["pass_url"], answer["id"]))
