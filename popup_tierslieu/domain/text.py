"""The one cleaning of visitor-given text, at the input: every text field of every
route goes through ``clean_text`` (``text_field`` for a field on its own)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..errors import N_, InvalidInput

# Control characters (C0 but newline and tab, DEL, C1) and the bidirectional overrides and
# isolates that can make a name read backwards on a pass, a report or the console.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
UNREADABLE = N_("This text holds characters that cannot be read; type it again.")


def clean_text(value: Any, max_len: int, field: str = "text") -> str:
    """Trimmed, NFC-normalised text without control or bidi-override characters; raises
    ValueError when too long, and InvalidInput (on ``field``) for a lone UTF-16
    surrogate, which a JSON parser lets through but no file can store. The one cleaning
    every visitor-given text goes through."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError("text expected")
    if _SURROGATE.search(value):
        raise InvalidInput("Some fields need your attention.", fields={field: UNREADABLE})
    text = unicodedata.normalize("NFC", _CONTROL.sub("", value)).strip()
    if len(text) > max_len:
        raise ValueError(max_len)
    return text


def text_field(value: Any, max_len: int, field: str) -> str:
    """A visitor's text for one field, cleaned; anything that is not text, or is too
    long, is that field's error (never a crash)."""
    if value is not None and not isinstance(value, str):
        raise InvalidInput("Some fields need your attention.",
                           fields={field: N_("Invalid value.")})
    try:
        return clean_text(value, max_len, field)
    except ValueError:
        raise InvalidInput("Some fields need your attention.", fields={
            field: (N_("At most %(max)s characters."), {"max": max_len})}) from None
