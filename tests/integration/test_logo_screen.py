"""A kit with a logo: the room's screen shows the portal QR with it, and the event folder
keeps its own copy, so a report made later elsewhere still loads the kit."""

from __future__ import annotations

import base64
import io
import re

import httpx
import zxingcpp
from PIL import Image

from popup_tierslieu.kit import load_event_kit

from ..unit.test_logo_qr import draw_logo, kit_text


def test_the_screen_shows_the_portal_qr_with_the_logo(make_server, tmp_path):
    folder = tmp_path / "kit"
    folder.mkdir()
    draw_logo(folder / "logo.png")
    (folder / "kit.toml").write_text(kit_text("logo.png"), encoding="utf-8")
    server = make_server(kit=str(folder / "kit.toml"))
    page = httpx.get(server.url + "/screen", timeout=10).text
    found = re.search(r'<img class="qr-logo" src="data:image/png;base64,([^"]+)"', page)
    code = Image.open(io.BytesIO(base64.b64decode(found.group(1))))
    assert [r.text for r in zxingcpp.read_barcodes(code)] == [server.url]
    assert (server.data_dir / "logo.png").read_bytes() == (folder / "logo.png").read_bytes()
    assert load_event_kit(server.data_dir).event.logo == str(server.data_dir / "logo.png")
