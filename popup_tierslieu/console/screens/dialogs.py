"""Small modal questions: confirm a change, pick a person, show a pass."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Static

from ... import i18n
from ...errors import N_
from ..widgets.qr import QrCode
from .base import ReportsFailures
from .printing import ask_and_print_pass

_ = i18n.gettext


class Confirm(ModalScreen[bool]):
    """Yes or no before anything that cannot be undone by a key; Escape says no.

    No single-letter answers: a scanner's burst or a stray key must not say yes. The
    buttons, Ctrl+O (oui) and Escape answer."""

    BINDINGS = [Binding("escape", "answer(False)", _("No")),
                Binding("ctrl+o", "answer(True)", _("Yes"))]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # A Static wraps: the whole question shows at 80 columns too.
            yield Static(Text(self.question), classes="question")
            with Horizontal(classes="buttons"):
                yield Button(_("Yes"), id="yes", variant="primary")
                yield Button(_("No"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PickPerson(ReportsFailures, ModalScreen[dict[str, Any] | None]):
    """Find a participant by name (accents and case ignored) and choose them."""

    BINDINGS = [Binding("escape", "dismiss(None)", _("Cancel")),
                Binding("down", "results", _("Results"), show=False)]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.heading = title
        self.found: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(Text(self.heading), classes="heading")
            yield Input(placeholder=_("Name, commune or e-mail, then Enter"), id="who")
            yield DataTable(id="people", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(_("Name"), _("Profile"), _("Town"))
        self.query_one(Input).focus()

    @on(Input.Submitted, "#who")
    def find(self, event: Input.Submitted) -> None:
        self.search(event.value)

    @work(exclusive=True, exit_on_error=False)
    async def search(self, query: str) -> None:
        found = await self.app.call(self.app.client.search(query))  # type: ignore[attr-defined]
        if found is None:
            return
        self.found = found
        table = self.query_one(DataTable)
        table.clear()
        for p in found:
            table.add_row(Text(p["name"]), Text(p["profile"] or ""), Text(p["commune"] or ""))
        if found:
            table.focus()
        else:
            self.notify(_("Nobody found."), severity="warning")

    def action_results(self) -> None:
        if self.found:
            self.query_one(DataTable).focus()

    @on(DataTable.RowSelected, "#people")
    def chosen(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.found[event.cursor_row])


class PassScreen(ModalScreen[None]):
    """A participant's pass: they scan it with their phone to keep it (a walk-in), or to
    get it back (the desk's "resend", which says the link is private)."""

    # Escape only: Enter could come from a scanner, and closing is not its job.
    BINDINGS = [Binding("escape", "dismiss", _("Close")),
                Binding("ctrl+e", "print_pass", _("Print the pass"))]

    def __init__(self, name: str, pass_url: str, participant_id: int,
                 explanation: str = N_("Scan this code with your phone to keep your pass.")
                 ) -> None:
        super().__init__()
        self.person = name
        self.pass_url = pass_url
        self.participant_id = participant_id
        self.explanation = explanation

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog qr"):
            yield Static(Text(i18n.translate("Pass of %(name)s", {"name": self.person})),
                        classes="heading")
            yield Static(_(self.explanation), id="pass-why")
            yield QrCode(self.pass_url, id="pass-qr")
            yield Static(Text(self.pass_url), id="pass-url")
            yield Static(_("No smartphone? Ctrl+E prints the pass. Escape to close."),
                         classes="hint")

    def action_print_pass(self) -> None:
        ask_and_print_pass(self.app, self.participant_id, self.person)  # type: ignore[arg-type]
