"""The event's logo in the centre of the portal QR (poster and screen): the kit names the
image, and the code still reads, at poster size and at 30 % of it."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import zxingcpp
from PIL import Image, ImageDraw

from popup_tierslieu import i18n
from popup_tierslieu.kit import parse, starter_text
from popup_tierslieu.poster import Poster

LOGO_RED = (230, 57, 70)
POSTER_PIXELS = round(70 / 25.4 * 300)  # the poster prints the code 70 mm wide, at 300 dpi


def draw_logo(path) -> None:
    image = Image.new("RGB", (300, 300), LOGO_RED)
    draw = ImageDraw.Draw(image)
    draw.ellipse([40, 40, 260, 260], fill=(29, 53, 87))
    draw.rectangle([120, 0, 180, 300], fill=(241, 250, 238))
    image.save(path)


def kit_text(logo: str) -> str:
    return starter_text(dt.date(2026, 12, 10)).replace(
        "\n[venue]", f'logo = "{logo}"\n\n[venue]', 1)


def logo_kit(folder, logo: str = "logo.png"):
    path = folder / "kit.toml"
    path.write_text(kit_text(logo), encoding="utf-8")
    return parse(path.read_text(encoding="utf-8"), str(path))


def test_the_kit_names_its_logo_beside_the_kit_file(tmp_path):
    draw_logo(tmp_path / "logo.png")
    kit, problems = logo_kit(tmp_path)
    assert problems == [] and kit.event.logo == str(tmp_path / "logo.png")
    assert parse(starter_text(dt.date(2026, 12, 10)))[0].event.logo == ""  # none by default


def test_a_wrong_logo_is_a_problem_with_its_fix_in_french(tmp_path):
    (tmp_path / "notes.txt").write_text("pas une image")
    (tmp_path / "fake.png").write_text("pas une image non plus")
    said = {}
    for logo in ("absent.png", "notes.txt", "fake.png"):
        kit, problems = logo_kit(tmp_path, logo)
        assert kit is None and [p.path for p in problems] == ["event.logo"]
        said[logo] = problems[0].say("fr")
    assert said["absent.png"] == (f"aucune image à l'emplacement {tmp_path / 'absent.png'}",
                                  "placez l'image à côté du fichier du kit, ou retirez logo")
    assert said["notes.txt"][0] == "doit désigner une image PNG, JPEG ou WebP"
    assert said["fake.png"][0] == f"{tmp_path / 'fake.png'} n'est pas une image lisible"


def test_the_poster_logo_qr_reads_at_poster_size_and_at_30_percent(tmp_path):
    draw_logo(tmp_path / "logo.png")
    kit, _ = logo_kit(tmp_path)
    i18n.current.set("fr")
    poster = Poster(kit, "10.42.0.1", 8000)
    page = poster.html()
    found = re.search(r'<img class="qr-logo" src="data:image/png;base64,([^"]+)"', page)
    code = Image.open(io.BytesIO(base64.b64decode(found.group(1)))).convert("RGB")
    # The logo is really there, in the centre.
    assert code.getpixel((code.width // 2 - code.width // 12, code.height // 2)) == (29, 53, 87)
    printed = code.resize((POSTER_PIXELS, POSTER_PIXELS), Image.Resampling.NEAREST)
    for size in (POSTER_PIXELS, round(POSTER_PIXELS * 0.3)):
        seen = printed.resize((size, size), Image.Resampling.LANCZOS)
        assert [r.text for r in zxingcpp.read_barcodes(seen)] == [poster.portal_url], size
    # The Wi-Fi code stays a plain one.
    assert page.count("qr-logo") == 1
