"""Every key of the console, read from the bindings so it cannot drift."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ... import i18n

_ = i18n.gettext


def key_label(key: str) -> str:
    """"ctrl+r" as "Ctrl+R", "f1" as "F1", "escape" as "Escape"."""
    return "+".join(part.capitalize() if len(part) > 1 else part.upper()
                    for part in key.split("+"))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1", "dismiss", _("Close"))]

    def __init__(self, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.keys = keys

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        for key, description in self.keys:
            table.add_row(key_label(key), description)
        with VerticalScroll(classes="dialog wide"):
            yield Label(_("Keys"), classes="heading")
            yield Static(table, id="keys")
            yield Static(_("Escape or F1 to close. Ctrl+P searches every action."),
                         classes="hint")
