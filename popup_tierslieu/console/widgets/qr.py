"""A QR code drawn with block characters, readable by a phone held to the screen."""

from __future__ import annotations

from textual.widgets import Static

from ... import qr


class QrCode(Static):
    DEFAULT_CSS = "QrCode { width: auto; height: auto; color: white; background: black; }"

    def __init__(self, data: str, **kwargs: object) -> None:
        super().__init__(qr.terminal(data).rstrip("\n"), markup=False, **kwargs)  # type: ignore[arg-type]
