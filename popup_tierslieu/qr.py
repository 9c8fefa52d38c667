"""QR codes with segno: the portal, the Wi-Fi, a participant's pass.

Always full-size QR codes (``segno.make_qr``): phones cannot read Micro QR.
"""

from __future__ import annotations

import base64
import functools
import io
import os

import segno
from segno import helpers


def make(data: str) -> segno.QRCode:
    return segno.make_qr(data, error="m")


# Encoding a pass QR costs ~10 ms of CPU (segno tries the 8 masks in Python), the bulk
# of a pass page; a phone reloads its pass and the screen its codes: keep the last few
# thousand (2 KB each).
@functools.lru_cache(maxsize=4096)
def svg(data: str, title: str = "", scale: int = 8) -> str:
    """An inline SVG that scales with its container (CSS sets the size)."""
    return make(data).svg_inline(scale=scale, border=2, title=title or None, omitsize=True,
                                 dark="#000", light="#fff")


def svg_file(data: str, path: str, scale: int = 8) -> None:
    make(data).save(path, kind="svg", scale=scale, border=2)


def png_bytes(data: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    make(data).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def terminal(data: str) -> str:
    """A compact rendering for a terminal (two rows per line)."""
    buffer = io.StringIO()
    make(data).terminal(out=buffer, compact=True, border=2)
    return buffer.getvalue()


def wifi_data(ssid: str, password: str, security: str, hidden: bool = False) -> str:
    """The ``WIFI:`` string phones understand, with ``;``, ``:``, ``,`` and ``\\`` escaped."""
    return helpers.make_wifi_data(ssid=ssid, password=password if security != "nopass" else None,
                                  security=None if security == "nopass" else security,
                                  hidden=hidden)


@functools.lru_cache(maxsize=8)
def _logo_png(data: str, logo: str, modified: float, box: int) -> bytes:
    import qrcode
    from qrcode.image.styledpil import StyledPilImage

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_H, box_size=box,
                         border=2)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(image_factory=StyledPilImage, embedded_image_path=logo)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def logo_png(data: str, logo: str, box: int = 10) -> bytes:
    """A QR code with the event's logo in its centre: error correction H (30 % of the
    code may be lost) covers the logo's quarter of the width. Drawn by the ``qrcode``
    package, segno cannot embed an image. Kept while the logo file stays the same."""
    return _logo_png(data, logo, os.stat(logo).st_mtime, box)


def logo_base64(data: str, logo: str) -> str:
    """The logo QR's PNG in base64, for an inline data: URL (pages load nothing else for
    it; the <img> is in templates/qr_logo.html)."""
    return base64.b64encode(logo_png(data, logo)).decode()
