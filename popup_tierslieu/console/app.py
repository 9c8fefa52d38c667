"""The concierge's console: a Textual app that talks to the server over HTTP only."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Header, Input, Static

from .. import i18n
from .client import ApiClient, ApiError, Unreachable

_ = i18n.gettext


class Counter(Static):
    """A big figure with its label."""


class ConsoleApp(App[None]):
    CSS_PATH = "console.tcss"
    TITLE = "popup-tierslieu"
    BINDINGS = [("ctrl+q", "quit", "Quitter"), ("f5", "refresh", "Actualiser")]

    def __init__(self, client: ApiClient, refresh_seconds: float = 5.0) -> None:
        super().__init__()
        self.client = client
        self.refresh_seconds = refresh_seconds
        self.event_name = ""
        self.stats: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        with Vertical(id="desk"):
            yield Static("", id="banner")
            with Horizontal(id="counters"):
                yield Counter("", id="registered")
                yield Counter("", id="checked-in")
            yield Input(placeholder=_("Scan a pass or type its code, then Enter"),
                        id="scan")
            yield Static("", id="result")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#scan", Input).focus()
        self.load_event()
        self.refresh_stats()
        self.set_interval(self.refresh_seconds, self.refresh_stats)

    def action_refresh(self) -> None:
        self.refresh_stats()

    @work(exclusive=True, group="event")
    async def load_event(self) -> None:
        try:
            event = await self.client.event()
        except ApiError as exc:
            self.show_unreachable(exc)
            return
        self.event_name = event["name"]
        self.title = event["name"]
        self.sub_title = _("Concierge desk")

    @work(exclusive=True, group="stats")
    async def refresh_stats(self) -> None:
        try:
            self.stats = await self.client.stats()
        except ApiError as exc:
            self.show_unreachable(exc)
            return
        self.query_one("#banner", Static).update("")
        self.query_one("#banner").remove_class("down")
        registered, checked_in = _("registered"), _("checked in")
        self.query_one("#registered", Counter).update(
            f"[b]{self.stats['registered']}[/b]\n{registered}")
        self.query_one("#checked-in", Counter).update(
            f"[b]{self.stats['checked_in']}[/b]\n{checked_in}")

    def show_unreachable(self, exc: ApiError) -> None:
        banner = self.query_one("#banner", Static)
        if isinstance(exc, Unreachable):
            banner.update(_("Server unreachable, retrying…") + f" ({exc.message})")
        else:
            banner.update(exc.message)
        banner.add_class("down")

    async def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id != "scan":
            return
        value = message.value.strip()
        message.input.value = ""
        message.input.focus()
        if value:
            self.check_in(value)

    @work(group="checkin")
    async def check_in(self, value: str) -> None:
        result = self.query_one("#result", Static)
        try:
            answer = await self.client.check_in(value)
        except ApiError as exc:
            result.update(f"✗ {exc.message}")
            result.set_classes("bad")
            if isinstance(exc, Unreachable):
                self.show_unreachable(exc)
            return
        person = answer["participant"]
        if answer["already_checked_in"]:
            already = _("already checked in")
            result.update(f"⚠ {person['name']} — {already}")
            result.set_classes("warn")
        else:
            result.update(f"✓ {person['name']} — {person['profile']}")
            result.set_classes("good")
        self.refresh_stats()
