"""How the outcome of a scan looks, in one place for the result panel and the history:
a symbol, a word and a colour (CSS class), so a volunteer tells them apart in 16
colours, with NO_COLOR, or from across the desk.

The colours are in console.tcss under ``.outcome``: each background and border falls on
a different one of the 16 ANSI colours (green, yellow, red, grey) and each border has
its own line style, which NO_COLOR's grey scale keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from ... import i18n
from ...errors import N_


@dataclass(frozen=True)
class Outcome:
    css: str
    symbol: str
    word: str  # a message id

    def label(self) -> str:
        return f"{self.symbol} {i18n.gettext(self.word)}"

    def title(self, detail: str = "") -> Text:
        """The panel's first line: "✔ Bienvenue · Hélène Roux". Visitor text goes in a
        Text, so a name written as markup is shown as written."""
        text = Text(self.label(), style="bold")
        if detail:
            text.append(" · " + detail)
        return text


WELCOME = Outcome("good", "✔", N_("Welcome"))
ALREADY = Outcome("warn", "↺", N_("Already arrived"))
UNKNOWN = Outcome("bad", "✖", N_("Unknown pass"))
PENDING = Outcome("wait", "…", N_("Waiting to be sent"))


def show(widget: Static, outcome: Outcome, detail: str = "", lines: Iterable[Text] = ()) -> None:
    """Paint a panel or a history line with an outcome, a detail (a name) on the title
    line and any further lines."""
    widget.set_classes(["outcome", outcome.css])
    widget.update(Group(outcome.title(detail), *lines))
