"""The portal's address and QR code, to show a phone across the desk."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ... import i18n
from ..widgets.qr import QrCode

_ = i18n.gettext


class PortalScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter,f9", "dismiss", _("Close"))]

    def __init__(self, event_name: str, portal_url: str) -> None:
        super().__init__()
        self.event_name = event_name
        self.portal_url = portal_url

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog qr"):
            yield Label(Text(self.event_name), classes="heading")
            yield Static(_("Portal for phones:"))
            yield QrCode(self.portal_url)
            yield Static(Text(self.portal_url), id="portal-url")
