"""Photos from phones: real images only, bounded, shrunk, and without EXIF or GPS."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from popup_tierslieu.domain import photos
from popup_tierslieu.errors import TooLarge, UnsupportedMedia

GPS_IFD = 0x8825


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (800, 600), gps: bool = False,
                orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0110] = "Phone 12"
    if orientation:
        exif[0x0112] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (43.0, 45.0, 30.0), 3: "E", 4: (5.0, 22.0, 10.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def test_gps_and_camera_metadata_are_gone_from_a_jpeg():
    data = image_bytes(gps=True)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the input has GPS
    photo = photos.prepare(data, max_bytes=8 << 20)
    out = Image.open(io.BytesIO(photo.data))
    assert out.format == "JPEG" and photo.mime == "image/jpeg"
    assert dict(out.getexif()) == {}
    assert b"Exif" not in photo.data and b"PhoneMaker" not in photo.data


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_keep_their_format_and_lose_their_exif(fmt):
    photo = photos.prepare(image_bytes(fmt, gps=True), max_bytes=8 << 20)
    out = Image.open(io.BytesIO(photo.data))
    assert out.format == fmt
    assert dict(out.getexif()) == {}
    assert b"PhoneMaker" not in photo.data


def test_a_big_photo_is_shrunk_to_a_sensible_width():
    photo = photos.prepare(image_bytes(size=(4000, 3000)), max_bytes=8 << 20)
    assert (photo.width, photo.height) == (1600, 1200)


def test_the_camera_orientation_is_applied_before_exif_is_dropped():
    # Orientation 6: the phone was held upright, the sensor wrote it sideways.
    photo = photos.prepare(image_bytes(size=(800, 600), orientation=6), max_bytes=8 << 20)
    assert (photo.width, photo.height) == (600, 800)


@pytest.mark.parametrize("data", [
    b"just some text, named holiday.jpg",
    b"%PDF-1.4 not an image",
    b"GIF89a" + b"\x00" * 64,
    b"",
])
def test_anything_that_is_not_a_jpeg_png_or_webp_is_refused(data):
    with pytest.raises(UnsupportedMedia):
        photos.prepare(data, max_bytes=8 << 20)


def test_a_gif_image_is_refused_even_though_it_is_an_image():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(UnsupportedMedia):
        photos.prepare(out.getvalue(), max_bytes=8 << 20)


def test_a_truncated_jpeg_is_refused():
    data = image_bytes(size=(1200, 900))
    with pytest.raises(UnsupportedMedia):
        photos.prepare(data[: len(data) // 2], max_bytes=8 << 20)


def test_above_the_limit_the_message_says_the_size_and_the_limit():
    data = image_bytes()
    with pytest.raises(TooLarge) as caught:
        photos.prepare(data + b"\x00" * (3 << 20), max_bytes=2 << 20)
    assert caught.value.params["max"] == "2"
    assert "MB" in str(caught.value)


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    # A PNG whose header claims 20,000 x 20,000 pixels: 20 bytes of data could ask for
    # 1.2 GB of memory if it were decoded.
    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    idat_data = zlib.compress(b"\x00" * 64)
    idat = (struct.pack(">I", len(idat_data)) + b"IDAT" + idat_data
            + struct.pack(">I", zlib.crc32(b"IDAT" + idat_data)))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    bomb = b"\x89PNG\r\n\x1a\n" + ihdr + idat + end
    with pytest.raises(UnsupportedMedia):
        photos.prepare(bomb, max_bytes=8 << 20)
