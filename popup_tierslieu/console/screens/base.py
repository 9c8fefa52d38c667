"""What every section of the console shares: header, banner, figures, footer, and
a safe way to call the server."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState

from ... import i18n
from ..widgets.scanpanel import ScanPanel
from ..widgets.status import Banner, Figures

if TYPE_CHECKING:
    from ..app import ConsoleApp
    from ..scans import Result

T = TypeVar("T")
NARROW = 100  # columns


class ReportsFailures:
    """Server errors are handled where the call is made; this catches anything else a
    worker raises, so the concierge reads a notification instead of a traceback."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.notify(i18n.translate(  # type: ignore[attr-defined]
                "Something went wrong: %(error)s", {"error": repr(event.worker.error)}),
                severity="error", markup=False)


class Section(ReportsFailures, Screen[None]):
    """A full screen of the console. Subclasses write ``body()`` and ``data_changed()``."""

    app: ConsoleApp  # type: ignore[assignment]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Banner(classes="banner")
        yield Figures(classes="figures")
        yield from self.body()
        yield ScanPanel(id="scan-panel")
        yield Footer(compact=True)  # every key of a section fits 120 columns

    def body(self) -> ComposeResult:
        yield from ()

    def on_resize(self, event: events.Resize) -> None:
        """On a narrow terminal the section's own keys keep the footer; Ctrl+P stays in
        the help (F1)."""
        self.query_one(Footer).show_command_palette = event.size.width >= NARROW

    def on_screen_resume(self) -> None:
        self.show_status()
        self.data_changed()

    def show_status(self) -> None:
        self.query_one(Banner).show(self.app.problem)
        self.query_one(Figures).show(self.app.stats, self.app.updated_at,
                                     self.app.new_requests)
        self.query_one(ScanPanel).show(self.app.scans)

    def scan_done(self, result: Result | None) -> None:
        """A scan was answered (None: scans wait for the server); the panel shows it
        already, the desk shows more."""

    def data_changed(self) -> None:
        """The server's data may have changed: reload what this screen shows."""

    def server_event(self, kind: str, data: dict[str, Any]) -> None:
        """An event from the stream; most screens just reload on ``data_changed``."""

    async def call(self, request: Awaitable[T]) -> T | None:
        return await self.app.call(request)
