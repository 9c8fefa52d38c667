"""The scan panel at the bottom of every screen: the latest outcome (or how many scans
wait for the server) and a short history, time, name and outcome, as pretixSCAN
shows them. Names are put in ``Text``: a name written as markup shows as written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from . import outcome

if TYPE_CHECKING:
    from ..scans import Result, ScanDesk


def history_line(result: Result) -> Text:
    line = Text(result.at.strftime("%H:%M:%S") + "  ", style="dim")
    line.append(result.seen.title(result.name))
    return line


class ScanPanel(Vertical):
    DEFAULT_CSS = """
    /* Docked above the footer (one line, docked at the very bottom too). */
    ScanPanel { dock: bottom; height: auto; max-height: 5; margin-bottom: 1; }
    ScanPanel #scan-latest { height: 1; padding: 0 1; }
    ScanPanel #scan-history { height: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, rows: int = 2, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Static("", id="scan-latest")
        yield Static("", id="scan-history")

    def show(self, desk: ScanDesk) -> None:
        latest = self.query_one("#scan-latest", Static)
        history = list(desk.history)
        self.display = bool(history) or bool(len(desk.queue))
        if desk.offline and len(desk.queue):
            # Never the previous person's result while scans wait: that looked like success.
            latest.set_classes(["outcome", outcome.PENDING.css])
            latest.update(Text(f"{outcome.PENDING.symbol} {desk.waiting_line()}", style="bold"))
            older = history[:self.rows]
        elif history:
            latest.set_classes(["outcome", history[0].seen.css])
            latest.update(history_line(history[0]))
            older = history[1:self.rows + 1]
        else:
            older = []
        self.query_one("#scan-history", Static).update(
            Text("\n").join(history_line(r) for r in older))
