"""Read QR codes the way a phone would: from what the page or file shows."""

from __future__ import annotations

import re

import zxingcpp
from PIL import Image


def svg_to_image(svg: str) -> Image.Image:
    """Rasterise segno's path-only SVG (one path of unit moves) for the QR decoder."""
    view = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    factor = re.search(r"scale\((\d+)\)", svg)
    modules = int(factor.group(1)) if factor else 1
    width, height = int(view.group(1)) // modules, int(view.group(2)) // modules
    path = re.search(r'<path class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    scale = 6
    image = Image.new("L", (width * scale, height * scale), 255)
    pixels = image.load()
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHhVvZz])\s*(-?[\d.]+)?\s*(-?[\d.]+)?", path):
        if command in "Mm":
            x, y = (x + float(a), y + float(b)) if command == "m" else (float(a), float(b))
        elif command in "hH":
            end = x + float(a) if command == "h" else float(a)
            for px in range(int(min(x, end) * scale), int(max(x, end) * scale)):
                for py in range(int((y - 0.5) * scale), int((y + 0.5) * scale)):
                    pixels[px, py] = 0
            x = end
        elif command in "vV":
            y = y + float(a) if command == "v" else float(a)
    return image


def decode_qr_in(html: str) -> str:
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    results = zxingcpp.read_barcodes(svg_to_image(svg))
    assert results, "no QR code could be decoded from the page"
    return results[0].text


def decode_all_in(html: str) -> list[str]:
    """The text of every QR code drawn as inline SVG in a page, in page order."""
    texts = []
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        if 'class="qrline"' in svg:
            results = zxingcpp.read_barcodes(svg_to_image(svg))
            texts.extend(r.text for r in results)
    return texts


def decode_terminal_qr(text: str) -> str:
    """Read a QR drawn with half blocks (segno's compact terminal output, as the console
    shows it): a block is a light module, two rows per line."""
    lines = text.rstrip("\n").splitlines()
    scale = 4
    image = Image.new("L", (max(map(len, lines)) * scale, len(lines) * 2 * scale), 0)
    for y, line in enumerate(lines):
        for x, char in enumerate(line):
            for half, light in enumerate((char in "█▀", char in "█▄")):
                if light:
                    image.paste(255, (x * scale, (2 * y + half) * scale,
                                      (x + 1) * scale, (2 * y + half + 1) * scale))
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code could be decoded from the terminal drawing"
    return results[0].text
