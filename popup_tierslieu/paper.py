"""Paper for people without a smartphone: a participant's pass (name, QR of the check-in
code, bookings) on A6, A4 or a receipt roll, and a workshop's sign-in sheet (A4).

Both are built as PDF (fpdf2, pure Python) from what the concierge API returns, on the
desk's own laptop since that is where the printer is. ``deliver`` sends the file to the
system's print queue (``lp``) when a default printer is set, and keeps it as a file the
console names in every case.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from . import i18n, qr
from .durable import write_private

_ = i18n.gettext

# Page sizes in mm; a receipt roll is 80 mm wide and as long as its content.
PAPERS: dict[str, tuple[float, float | None]] = {
    "a6": (105, 148), "a4": (210, 297), "receipt": (80, None)}
MEDIA = {"a6": "A6", "a4": "A4"}
# A Unicode font for names like "Yılmaz" or "Łukasz"; the PDF core fonts only know Latin-1.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
             "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")
FONT_FILES = (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
              ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
              ("arial.ttf", "arialbd.ttf"))
SIGNATURE_BLANKS = 3  # lines for people who join at the door


@dataclass(frozen=True)
class Delivered:
    path: Path
    queued: bool  # sent to the printer, not only written


def font_files() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        for regular, bold in FONT_FILES:
            pair = (Path(folder) / regular, Path(folder) / bold)
            if pair[0].is_file() and pair[1].is_file():
                return pair
    return None


class Sheet(FPDF):
    """A page with our font: a Unicode TrueType font when the system has one, else
    Helvetica with the text brought down to Latin-1."""

    def __init__(self, size: tuple[float, float], margin: float) -> None:
        super().__init__(unit="mm", format=size)
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(True, margin)
        fonts = font_files()
        self.unicode = fonts is not None
        if fonts:
            self.add_font("body", "", str(fonts[0]))
            self.add_font("body", "B", str(fonts[1]))
        self.family = "body" if fonts else "helvetica"
        self.add_page()

    def text_of(self, text: str) -> str:
        if self.unicode:
            return text
        plain = unicodedata.normalize("NFKC", text)
        return plain.encode("latin-1", "replace").decode("latin-1")

    def line(self, text: str, size: float, bold: bool = False,  # type: ignore[override]
             height: float | None = None, align: str = "L") -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, height or size * 0.5, self.text_of(text), align=align,
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def when(start: str | None, lang: str) -> str:
    """"jeu. 12 juin, 10:30": the day too, since an event may last several days."""
    if not start:
        return ""
    return format_datetime(dt.datetime.fromisoformat(start), "EEE d MMM, HH:mm", locale=lang)


def booking_lines(person: dict[str, Any], event: dict[str, Any], lang: str) -> list[str]:
    lines = []
    for r in person.get("registrations", []):
        if r.get("cancelled") or r["status"] not in ("confirmed", "waitlisted"):
            continue
        state = _("confirmed") if r["status"] == "confirmed" else i18n.translate(
            "waiting list, no. %(position)s", {"position": r["position"]})
        lines.append(f"{when(r.get('start'), lang)} · {r['title']} ({state})")
    slots = {s["id"]: s["label"] for s in event.get("slots", [])}
    spaces = {s["id"]: s["name"] for s in event.get("spaces", [])}
    for s in person.get("seats", []):
        lines.append(i18n.translate("%(slot)s: %(space)s, seat %(seat)s", {
            "slot": slots.get(s["slot_id"], s["slot_id"]),
            "space": spaces.get(s["space_id"], s["space_id"]), "seat": s["seat"]}))
    return lines


def pass_pdf(person: dict[str, Any], event: dict[str, Any], paper: str = "a6") -> bytes:
    """A participant's pass: the event, their name, the QR of their check-in code (it
    opens nothing but "show this code at the desk") and their bookings."""
    lang = i18n.current.get()
    lines = booking_lines(person, event, lang)
    width, height = PAPERS[paper]
    margin = 6 if paper == "receipt" else 10
    qr_size = min(width - 2 * margin, 60 if paper == "a4" else 50)
    pdf = Sheet((width, height or 110 + 10 * len(lines)), margin)
    pdf.line(event.get("name", ""), 10, align="C")
    pdf.ln(2)
    pdf.line(person["name"], 16, bold=True, height=8, align="C")
    pdf.ln(2)
    pdf.image(io.BytesIO(qr.png_bytes(person["checkin_url"], scale=10)),
              x=(width - qr_size) / 2, w=qr_size, h=qr_size)
    pdf.ln(2)
    pdf.line(_("Show this code at the desk."), 9, align="C")
    pdf.ln(3)
    pdf.line(_("Your bookings"), 11, bold=True)
    for text in lines or [_("No workshop or seat booked.")]:
        pdf.line("• " + text, 9, height=4.5)
    return bytes(pdf.output())


def sign_in_pdf(roster: dict[str, Any], event: dict[str, Any]) -> bytes:
    """A workshop's sign-in sheet: who is confirmed, then who waits in order, each with a
    blank signature box, and a few blank lines for people who join at the door."""
    lang = i18n.current.get()
    workshop = roster["workshop"]
    rooms = {s["id"]: s["name"] for s in event.get("spaces", [])}
    pdf = Sheet(PAPERS["a4"], 15)  # type: ignore[arg-type]
    pdf.line(_("Sign-in sheet"), 16, bold=True, height=8)
    pdf.line(workshop["title"], 13, bold=True, height=7)
    pdf.line(" · ".join(part for part in (
        when(workshop.get("start"), lang), rooms.get(workshop.get("room"), workshop.get("room")),
        workshop.get("host") or "", event.get("name", "")) if part), 10)
    pdf.ln(4)
    confirmed = [(str(i), p["name"]) for i, p in enumerate(roster["confirmed"], 1)]
    table(pdf, _("Registered"), confirmed + [("", "")] * SIGNATURE_BLANKS)
    if roster["waitlisted"]:
        pdf.ln(4)
        table(pdf, _("Waiting list"), [(str(p["position"]), p["name"])
                                       for p in roster["waitlisted"]])
    return bytes(pdf.output())


def table(pdf: Sheet, heading: str, rows: Iterable[tuple[str, str]]) -> None:
    pdf.line(heading, 11, bold=True, height=7)
    widths = (12, 95, pdf.epw - 107)
    pdf.set_font(pdf.family, "B", 9)
    for label, w in zip(("#", _("Name"), _("Sign here")), widths, strict=True):
        pdf.cell(w, 7, pdf.text_of(label), border=1)
    pdf.ln()
    pdf.set_font(pdf.family, "", 10)
    for number, name in rows:
        for text, w in zip((number, name, ""), widths, strict=True):
            pdf.cell(w, 10, pdf.text_of(text), border=1)
        pdf.ln()


def default_printer() -> bool:
    """True when ``lp`` can print without being told where: a destination in the
    environment or a system default (CUPS)."""
    if not shutil.which("lp"):
        return False
    if os.environ.get("LPDEST") or os.environ.get("PRINTER"):
        return True
    if not shutil.which("lpstat"):
        return False
    try:
        done = subprocess.run(["lpstat", "-d"], capture_output=True, text=True, timeout=5,
                              env={**os.environ, "LC_ALL": "C"})
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and "system default destination:" in done.stdout


def deliver(pdf: bytes, folder: Path, name: str, paper: str = "a4") -> Delivered:
    """Keep the PDF in ``folder`` (readable by this user only: it holds names) and send
    it to the default printer when there is one."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    write_private(path, pdf)  # 0600 from the start: a pass names its holder
    if not default_printer():
        return Delivered(path, False)
    media = MEDIA.get(paper) or "Custom.80x200mm"
    try:
        done = subprocess.run(["lp", "-t", name, "-o", f"media={media}", str(path)],
                              capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return Delivered(path, False)
    return Delivered(path, done.returncode == 0)
