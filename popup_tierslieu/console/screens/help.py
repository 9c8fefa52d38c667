"""Every key of the console, read from the bindings so it cannot drift."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ... import i18n
from ...errors import N_

_ = i18n.gettext


# Textual names keys in English ("escape", "delete"); the concierge reads them as printed
# on a French keyboard.
KEY_NAMES = {"escape": N_("Escape"), "delete": N_("Del"), "enter": N_("Enter"),
             "space": N_("Space"), "backspace": N_("Backspace"), "up": N_("Up"),
             "down": N_("Down"), "left": N_("Left"), "right": N_("Right"),
             "pageup": N_("Page Up"), "pagedown": N_("Page Down"), "home": N_("Home"),
             "end": N_("End"), "insert": N_("Insert"), "shift": N_("Shift")}


def key_name(part: str) -> str:
    """One key or modifier: "escape" as "Échap", "f1" as "F1", "ctrl" as "Ctrl"."""
    if part in KEY_NAMES:
        return _(KEY_NAMES[part])
    return part.upper() if len(part) == 1 or part[0] == "f" and part[1:].isdigit() else (
        part.capitalize())


def key_label(keys: str) -> str:
    """"ctrl+r" as "Ctrl+R", "escape,f1" as "Échap, F1"."""
    return ", ".join("+".join(key_name(part) for part in key.split("+"))
                     for key in keys.split(","))


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
