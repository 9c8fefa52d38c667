"""The portal's address and QR code, to show a phone across the desk, and how to open
a second desk on another laptop."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from ... import i18n
from .. import seconddesk
from ..widgets.qr import QrCode

_ = i18n.gettext


class PortalScreen(ModalScreen[None]):
    # The command must read on as few lines as possible: wider than the QR code.
    DEFAULT_CSS = """
    PortalScreen #second-desk { width: 76; max-width: 100%; margin-top: 1; }
    """
    BINDINGS = [Binding("escape,f9", "dismiss", _("Close"))]

    def __init__(self, event_name: str, portal_url: str, token_file: Path | None = None) -> None:
        super().__init__()
        self.event_name = event_name
        self.portal_url = portal_url
        self.token_file = token_file

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog qr"):
            yield Static(Text(self.event_name), classes="heading")
            yield Static(_("Portal for phones:"))
            yield QrCode(self.portal_url)
            yield Static(Text(self.portal_url), id="portal-url")
            yield Static(Text("\n".join(seconddesk.instructions(self.portal_url,
                                                                  self.token_file))),
                         id="second-desk")
