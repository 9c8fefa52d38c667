"""Telling a scanner's burst from typing, before any widget sees a key.

A USB scanner types like a keyboard: a pass URL (``…/pass/<token>``), a check-in URL
(``…/c/<code>``) or a bare token, then Enter, often all in one write. Whatever has the
focus (the announcement field, a checklist, a yes/no dialog), those keys must reach
the check-in and nothing else. So the console holds back every key that could still
be the start of a scan; the Enter that ends a scan sends it to the check-in, and keys
that turn out not to be one are let through in their order (see ``ScanCatcher``).

A scanner set to QWERTY on an AZERTY laptop (or the reverse) types the URL with the
other layout's characters ("httpM!!&éè:à…"): it is mapped back and flagged, so the
desk can ask for the scanner's layout to be fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters a QWERTY (US) scanner means, and what an AZERTY (French) laptop types for
# the same keys, shift included; letters and the number row are what URLs use.
_QWERTY = ("1234567890-=!@#$%^&*()_+qwertyuiop[]QWERTYUIOP{}asdfghjkl;'ASDFGHJKL:\""
           "zxcvbnm,./ZXCVBNM<>?")
_AZERTY = ("&é\"'(-è_çà)=1234567890°+azertyuiop^$AZERTYUIOP¨£qsdfghjklmùQSDFGHJKLM%"
           "wxcvbn,;:!WXCVBN?./§")
QWERTY_ON_AZERTY = str.maketrans(_AZERTY, _QWERTY)
AZERTY_ON_QWERTY = str.maketrans(_QWERTY, _AZERTY)

TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]*")
TOKEN_LENGTH = 22  # secrets.token_urlsafe(16), for passes and check-in codes alike
_HOST = re.compile(r"[A-Za-z0-9.:\[\]-]*")
_SCAN_URL = re.compile(r"https?://[A-Za-z0-9.:\[\]-]+/(?:pass|c)/[A-Za-z0-9_-]{16,64}/?")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{%d}" % TOKEN_LENGTH)


@dataclass(frozen=True)
class Scan:
    """What a scan names (a URL or a token) and whether it had to be mapped back from
    the wrong keyboard layout."""

    text: str
    wrong_layout: bool = False


def _url_prefix(text: str) -> bool:
    """Could ``text`` still grow into a pass or check-in URL?"""
    for scheme in ("https://", "http://"):
        if scheme.startswith(text):
            return True
        if not text.startswith(scheme):
            continue
        host, slash, path = text[len(scheme):].partition("/")
        if not _HOST.fullmatch(host):
            return False
        if not slash:
            return True
        for kind in ("pass/", "c/"):
            if kind.startswith(path):
                return True
            code = path[len(kind):]
            if path.startswith(kind) and TOKEN_CHARS.fullmatch(code.rstrip("/")) and (
                    len(code) <= 65):
                return True
    return False


def _token(text: str) -> bool:
    """A bare pass token or check-in code. A run of lowercase letters is a word someone
    typed, not a random token (which has capitals or digits almost surely)."""
    return bool(_TOKEN.fullmatch(text)) and not text.islower()


def could_be_scan(text: str) -> bool:
    """Whether the keys held so far may be the start of a scan."""
    if (TOKEN_CHARS.fullmatch(text) and len(text) <= TOKEN_LENGTH) or _url_prefix(text):
        return True
    return any(_url_prefix(text.translate(table))
               for table in (QWERTY_ON_AZERTY, AZERTY_ON_QWERTY))


def recognise(text: str) -> Scan | None:
    """The scan in a burst ended by Enter, or None when it is not one."""
    if _SCAN_URL.fullmatch(text) or _token(text):
        return Scan(text)
    for table in (QWERTY_ON_AZERTY, AZERTY_ON_QWERTY):
        mapped = text.translate(table)
        if _SCAN_URL.fullmatch(mapped):
            return Scan(mapped, wrong_layout=True)
    return None


def scans_in(text: str) -> list[Scan] | None:
    """The scans in pasted text, split on newlines; None unless every line is one."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    found = [recognise(line) for line in lines]
    if not found or None in found:
        return None
    return [scan for scan in found if scan is not None]
