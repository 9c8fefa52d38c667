"""Adding a note with a photo from a phone, in a real browser (Debian's Chromium)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from .conftest import screenshot

pytestmark = pytest.mark.browser


def gps_photo() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (43.0, 45.0, 30.0), 3: "E", 4: (5.0, 22.0, 10.0)}
    out = io.BytesIO()
    Image.new("RGB", (2400, 1800), (200, 120, 40)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_participant_adds_a_note_with_a_photo_from_the_phone(server, phone):
    me = server.register(name="Hélène Roux")
    page = phone
    page.goto(f"{server.url}/pass/{me['token']}")
    section = page.locator("#notes")
    assert "Creative Commons Attribution-ShareAlike 4.0" in section.inner_text()
    camera = page.locator("#note-camera")
    assert camera.get_attribute("accept") == "image/*"
    assert camera.get_attribute("capture") is not None

    page.fill("#note-title", "Le coin café a tout changé")
    page.select_option("#note-kind", "worked")
    page.select_option("#note-about", "workshop:visio")
    page.fill("#note-body", "Les gens sont **restés** discuter. <script>alert(1)</script>")
    page.fill("#note-tags", "convivialité, café")
    page.set_input_files("#note-camera", files=[{
        "name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": gps_photo()}])
    page.check("#note-people")
    page.check("#note-agreed")
    screenshot(section, "note-form")
    page.click("#notes form button[type=submit]")

    page.wait_for_url("**/notes/*")
    assert page.locator("#flash").inner_text() == "Merci : votre note est publiée."
    note = page.locator("article.note")
    assert "Le coin café a tout changé" in note.locator("h1").inner_text()
    assert note.locator("strong").inner_text() == "restés"
    assert "<script>alert(1)</script>" in note.locator(".note-body").inner_text()
    assert "Hélène Roux" in note.inner_text()
    image = note.locator(".note-photo img")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1600
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "note")

    page.goto(f"{server.url}/pass/{me['token']}")
    assert page.locator("#notes .my-notes").get_by_text("Le coin café a tout changé").is_visible()


def test_a_text_file_as_a_photo_gets_a_clear_message_and_keeps_the_text(server, phone):
    me = server.register(name="Hélène Roux")
    page = phone
    page.goto(f"{server.url}/pass/{me['token']}")
    page.fill("#note-title", "Astuce rallonges")
    page.select_option("#note-kind", "tip")
    page.fill("#note-body", "Prévoir trois multiprises.")
    page.set_input_files("#note-gallery", files=[{
        "name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"pas une image"}])
    page.click("#notes form button[type=submit]")
    assert page.locator("#note-file-error").inner_text() == (
        "Seules les photos JPEG, PNG ou WebP sont acceptées.")
    assert page.locator("#note-body").input_value() == "Prévoir trois multiprises."
    assert page.locator("#note-title").input_value() == "Astuce rallonges"
