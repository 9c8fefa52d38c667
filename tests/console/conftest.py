"""Helpers for console tests: build the app like the CLI does, read what is on screen."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable

import pytest
from rich.console import Console
from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._toast import Toast

from popup_tierslieu.console.app import ConsoleApp, create_app
from popup_tierslieu.console.client import ApiClient
from popup_tierslieu.console.offline import ScanQueue

FROZEN = dt.datetime(2030, 6, 15, 10, 42, 0)


def console_for(server, frozen: bool = False) -> ConsoleApp:
    """A console on ``server``; its scan queue in a file of its own beside the event
    folder (two desks in one test keep separate queues)."""
    clock = (lambda: FROZEN) if frozen else dt.datetime.now
    queue = ScanQueue(server.data_dir.parent / f"desk-{secrets.token_hex(4)}.jsonl")
    app = create_app(ApiClient(server.url, server.token, lang="fr"), clock=clock,
                     scan_queue=queue)
    # A loaded test machine can leave long gaps between the pilot's keys; a real
    # scanner never does. Held keys still go through at once on Enter or a non-scan key.
    app.scan_quiet = 5.0
    return app


def text_of(widget: Static) -> str:
    """The text a Static shows, as the concierge reads it."""
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(widget.content)
    return console.export_text()


def screen_text(app: App) -> str:
    return "\n".join(text_of(w) for w in app.screen.query(Static) if w.display)


def toasts(app: App) -> str:
    """The notifications on screen (run the app with ``run_test(notifications=True)``)."""
    return "\n".join(str(toast.render()) for toast in app.screen.query(Toast))


async def until(pilot: Pilot, check: Callable[[], object], timeout: float = 10.0,
                what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"not seen within {timeout}s: {what}\n{screen_text(pilot.app)}")


async def scan(pilot: Pilot, text: str) -> None:
    """Type like a USB scanner: every character, then Enter."""
    await pilot.press(*text, "enter")


def burst(app: App, texts: list[str]) -> None:
    """Every key of every scan posted at once, as when the scanner's whole buffer
    arrives in one read: nothing runs between two keys."""
    for text in texts:
        for char in text:
            app.post_message(events.Key(_character_to_key(char), char))
        app.post_message(events.Key("enter", "\r"))


@pytest.fixture
def console(server):
    return console_for(server)
