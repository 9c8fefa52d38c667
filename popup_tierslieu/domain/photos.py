"""Photos sent from phones: check they really are images, shrink them, strip what they
tell about the people and the place (EXIF, GPS, XMP, comments).

Bytes in, bytes out: the caller stores the result. Decoding, not the file name or the
announced type, decides what a file is.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import TooLarge, UnsupportedMedia

FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"),
           "WEBP": ("webp", "image/webp")}
MAX_WIDTH = 1600
MAX_HEIGHT = 1600
# A phone camera makes 12 to 50 megapixels; far more is a decompression bomb.
MAX_PIXELS = 80_000_000
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class Photo:
    """A cleaned image, ready to store."""

    data: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.format][0]

    @property
    def mime(self) -> str:
        return FORMATS[self.format][1]


def megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f}".rstrip("0").rstrip(".")


def check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise TooLarge("This photo is too large (%(size)s MB); the limit is %(max)s MB.",
                       params={"size": megabytes(size), "max": megabytes(max_bytes)})


def _open(data: bytes, bound: tuple[int, int]) -> Image.Image:
    if not data:
        raise UnsupportedMedia("The file is empty.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise UnsupportedMedia("This image is too big to process.")
            if image.format == "JPEG":
                # Decode at the smallest JPEG scale (1/2, 1/4, 1/8) still at least as big
                # as the final size: several times faster on a phone photo.
                scale = min(bound[0] / image.width, bound[1] / image.height, 1.0)
                image.draft(image.mode, (math.ceil(image.width * scale),
                                         math.ceil(image.height * scale)))
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise UnsupportedMedia("Only JPEG, PNG or WebP photos are accepted.") from None
    except (OSError, ValueError, SyntaxError, EOFError):
        # Pillow reports a truncated or corrupt image this way.
        raise UnsupportedMedia("This image is damaged and cannot be read.") from None
    return image


def prepare(data: bytes, max_bytes: int, max_width: int = MAX_WIDTH,
            max_height: int = MAX_HEIGHT) -> Photo:
    """Check, turn upright, shrink and re-encode a photo without any metadata.

    Raises TooLarge above ``max_bytes`` and UnsupportedMedia for anything that does not
    decode as a JPEG, PNG or WebP image."""
    check_size(len(data), max_bytes)
    source = _open(data, (max_width, max_height))
    kind = str(source.format)
    # The camera's orientation lives in EXIF, which is about to go: apply it first.
    image = ImageOps.exif_transpose(source)
    image.thumbnail((max_width, max_height), Image.Resampling.LANCZOS)
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif kind != "JPEG" and image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")  # palettes keep their transparency this way
    # A fresh image carries pixels only: no EXIF, GPS, XMP, ICC or text chunks.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    out = io.BytesIO()
    if kind == "JPEG":
        clean.save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=85)
    return Photo(out.getvalue(), kind, clean.width, clean.height)
