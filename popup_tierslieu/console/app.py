"""The concierge's console: a Textual app that talks to the server over HTTP only.

``create_app(client)`` builds it (the CLI and the tests alike). Its sections are
listed in ``SECTIONS``: adding a screen is one line there (mode name, screen
class, key, title); the key binding, the help screen and the command palette
follow from it. A screen subclasses ``screens.base.Section``: it gets the banner,
the figures and ``data_changed()`` after every refresh.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from .. import i18n
from ..errors import N_
from .client import ApiClient, ApiError, Unreachable
from .offline import ScanQueue, default_path
from .scanner import Scan, ScanCatcher
from .scans import Result, ScanDesk
from .screens.base import ReportsFailures, Section
from .screens.checklist import ChecklistScreen
from .screens.dashboard import DashboardScreen
from .screens.desk import DeskScreen
from .screens.dialogs import Confirm
from .screens.help import KEY_NAMES, HelpScreen, key_label
from .screens.journal import JournalScreen
from .screens.portal import PortalScreen
from .screens.requests import RequestsScreen
from .screens.seats import SeatsScreen
from .screens.workshops import WorkshopsScreen
from .widgets.palette import Palette
from .widgets.scanpanel import ScanPanel

_ = i18n.gettext
T = TypeVar("T")

PAPER_DIR = Path("popup-prints")
SYMBOL_KEYS = ("up", "down", "left", "right", "enter", "backspace")
RETRY_FIRST, RETRY_MAX = 0.5, 5.0
WRONG_TOKEN = N_("The server refuses this concierge token. Fix: use the one in concierge.token "
                "of the event folder (popup console --token TOKEN).")


@dataclass(frozen=True)
class Entry:
    """A section of the console: its mode name, screen, key and title (a message id)."""

    mode: str
    screen: type[Screen[Any]]
    key: str
    title: str


SECTIONS: tuple[Entry, ...] = (
    Entry("dashboard", DashboardScreen, "f2", N_("Dashboard")),
    Entry("desk", DeskScreen, "f3", N_("Arrivals desk")),
    Entry("workshops", WorkshopsScreen, "f4", N_("Workshops")),
    Entry("seats", SeatsScreen, "f5", N_("Seats")),
    Entry("checklist", ChecklistScreen, "f6", N_("Day checklist")),
    Entry("requests", RequestsScreen, "f7", N_("Desk requests")),
    Entry("journal", JournalScreen, "f8", N_("Memory of the activities")),
)


def local_now() -> dt.datetime:
    return dt.datetime.now()


class ConsoleApp(ScanCatcher, ReportsFailures, App[None]):
    CSS_PATH = "console.tcss"
    TITLE = "popup-tierslieu"
    DEFAULT_MODE = "desk"
    MODES = {entry.mode: entry.screen for entry in SECTIONS}
    # Only F-keys and Ctrl combinations: a USB scanner types letters into the desk input.
    BINDINGS = [
        Binding("f1", "help", _("Help")),
        # Section keys stay out of the footer (it would overflow); F1 lists them all.
        *(Binding(e.key, f"switch_mode('{e.mode}')", _(e.title), show=False)
          for e in SECTIONS),
        Binding("f9", "portal", _("Portal QR")),
        Binding("ctrl+r", "refresh", _("Refresh"), show=False),
        Binding("ctrl+q", "quit", _("Quit")),
        Binding("ctrl+p", "command_palette", _("Commands"), show=False, priority=True,
                tooltip=_("Search every action")),
    ]

    def __init__(self, client: ApiClient, clock: Callable[[], dt.datetime] = local_now,
                 scan_queue: ScanQueue | None = None, paper_dir: Path = PAPER_DIR,
                 token_file: Path | None = None) -> None:
        super().__init__()
        self.token_file = token_file  # for F9's second-desk instructions
        self.client = client
        self.clock = clock
        self.scans = ScanDesk(client, scan_queue or ScanQueue(default_path(client.base_url)),
                              self.scan_shown, lambda: self.event)
        self.paper_dir = paper_dir  # printed passes and sign-in sheets, as PDF
        self.event: dict[str, Any] = {}
        self.stats: dict[str, Any] = {}
        self.programme: dict[str, list[dict[str, Any]]] = {"now": [], "next": []}
        self.updated_at: dt.datetime | None = None
        self.problem: str | None = None
        self.new_requests = 0
        self._refreshing = self._stale = False
        self.sub_title = _("Concierge desk")

    # ---------------------------------------------------------------- server
    async def call(self, request: Awaitable[T]) -> T | None:
        """Await one API call; a failure becomes a notification (and the banner when the
        server is unreachable), never a traceback. None means it failed."""
        try:
            return await request
        except ApiError as exc:
            self.report(exc)
        return None

    def report(self, exc: ApiError) -> None:
        if isinstance(exc, Unreachable):
            self.set_problem(_("Server unreachable, retrying…") + f" ({exc.message})")
            self.notify(_("The server does not answer."), severity="error")
        else:
            self.notify(exc.message, severity="error", markup=False)

    def set_problem(self, problem: str | None) -> None:
        self.problem = problem
        if isinstance(self.screen, Section):
            self.screen.show_status()

    def on_mount(self) -> None:
        self.follow_stream()
        self.send_scans()

    # ----------------------------------------------------------------- scans
    @work(group="scans", exit_on_error=False)
    async def send_scans(self) -> None:
        await self.scans.run()

    def scanned(self, scan: Scan) -> None:
        """A scan, whatever screen or dialog has the focus: to the desk's queue."""
        self.scans.take(scan, self.clock().astimezone())

    def unreadable_burst(self) -> None:
        self.notify(_("A scan was not recognised; nothing was done with it."),
                    severity="warning", markup=False)

    def scan_shown(self, result: Result | None) -> None:
        """Show a scan's outcome (or the waiting count) on every open screen. The figures
        follow from the server's own event for the check-in: a burst of twenty scans
        costs no twenty reloads."""
        for screen in self.screen_stack:
            for panel in screen.query(ScanPanel):
                panel.show(self.scans)
            if isinstance(screen, Section):
                screen.scan_done(result)

    async def on_unmount(self) -> None:
        await self.client.aclose()

    @work(exclusive=True, group="stream", exit_on_error=False)
    async def follow_stream(self) -> None:
        """Follow the server's events; reconnect by itself, waiting longer each time."""
        delay = RETRY_FIRST
        while True:
            try:
                async for kind, data in self.client.stream():
                    if kind == "hello":
                        delay = RETRY_FIRST
                        self.set_problem(None)
                        self.refresh_data()
                        self.scans.wake()
                    else:
                        self.server_event(kind, data)
                problem = _("The server closed the connection, reconnecting…")
            except Unreachable as exc:
                problem = _("Server unreachable, retrying…") + f" ({exc.message})"
            except ApiError as exc:
                problem = _(WRONG_TOKEN) if exc.status in (401, 403) else exc.message
            self.set_problem(problem)
            await asyncio.sleep(delay)
            self.scans.wake()
            delay = min(delay * 2, RETRY_MAX)

    def server_event(self, kind: str, data: dict[str, Any]) -> None:
        if isinstance(self.screen, Section):
            self.screen.server_event(kind, data)
        self.refresh_data()

    @work(group="refresh", exit_on_error=False)
    async def refresh_data(self) -> None:
        """Reload the figures. Events can come in bursts (fifty phones registering):
        a refresh asked while one runs makes that one go round once more, so the
        latest state is always shown and no request is cut off half-way."""
        if self._refreshing:
            self._stale = True
            return
        self._refreshing = True
        try:
            self._stale = True
            while self._stale:
                self._stale = False
                await self.load_figures()
        finally:
            self._refreshing = False

    async def load_figures(self) -> None:
        if not self.event:
            event = await self.call(self.client.event())
            if event is None:
                return
            self.event = event
            self.title = event["name"]
        stats = await self.call(self.client.stats())
        programme = await self.call(self.client.programme())
        requests = await self.call(self.client.desk_requests())
        if stats is None or programme is None or requests is None:
            return
        self.stats, self.programme = stats, programme
        self.set_problem(stats.get("storage_problem"))
        self.new_requests = sum(1 for r in requests if r["status"] == "open")
        self.updated_at = self.clock()
        if isinstance(self.screen, Section):
            self.screen.show_status()
            self.screen.data_changed()

    # --------------------------------------------------------------- actions
    def action_refresh(self) -> None:
        self.refresh_data()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_list()))

    def action_portal(self) -> None:
        if self.event and not isinstance(self.screen, PortalScreen):
            self.push_screen(PortalScreen(self.event["name"], self.event["portal_url"],
                                          self.token_file))

    async def action_quit(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(Confirm(_("Close the console? The server keeps running and keeps "
                                   "collecting.")), answered)

    def action_command_palette(self) -> None:
        if not CommandPalette.is_open(self):
            self.push_screen(Palette())

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit a Textual app; a volunteer who tries is told the right key."""
        self.notify(_("Press Ctrl+Q to close the console."), title=_("Close the console?"))

    def get_key_display(self, binding: Binding) -> str:
        """Footer keys as printed on a French keyboard ("Échap", "Suppr"); arrows, Enter
        and Ctrl keys keep Textual's short symbols ("↓", "⏎", "^q")."""
        *modifiers, key = binding.key.split("+")
        if binding.key_display or modifiers or key in SYMBOL_KEYS or key not in KEY_NAMES:
            return super().get_key_display(binding)
        return key_label(key)

    def key_list(self) -> list[tuple[str, str]]:
        """Every key of the console and of the current screen, for the help screen."""
        keys = [(b.key, b.description) for b in self.BINDINGS if isinstance(b, Binding)]
        screen = self.screen
        keys += [(b.key, b.description) for b in getattr(screen, "BINDINGS", [])
                 if isinstance(b, Binding)]
        return keys

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for entry in SECTIONS:
            yield SystemCommand(_(entry.title), i18n.translate(
                "Go to this screen (%(key)s)", {"key": entry.key.upper()}),
                lambda mode=entry.mode: self.switch_mode(mode))
        for binding in getattr(screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.description:
                yield SystemCommand(binding.description, key_label(binding.key),
                                    lambda a=binding.action: screen.run_action(a))
        yield SystemCommand(_("Help"), _("Every key of the console"), self.action_help)
        yield SystemCommand(_("Portal QR"), _("Show the portal address and its QR code"),
                            self.action_portal)
        yield SystemCommand(_("Refresh"), _("Reload the figures now"), self.action_refresh)
        yield SystemCommand(_("Quit"), _("Close the console (the server keeps running)"),
                            self.action_quit)


def create_app(client: ApiClient, clock: Callable[[], dt.datetime] = local_now,
               scan_queue: ScanQueue | None = None,
               paper_dir: Path = PAPER_DIR, token_file: Path | None = None) -> ConsoleApp:
    """The console for one server, as the CLI and the tests build it; scans wait in
    ``scan_queue`` (by default in the user's state folder) until the server has them;
    ``token_file`` is named in F9's instructions for a second desk."""
    return ConsoleApp(client, clock, scan_queue, paper_dir, token_file)
