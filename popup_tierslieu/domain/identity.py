"""Recognising one person across the events of a territory without keeping who they
are: a keyed hash (HMAC-SHA256) of their normalised e-mail, or of their name and commune
when they gave no e-mail.

The key is the territory's, not the event's (see ``territory_key.py``), so that
``popup purge`` can store the hash before it removes names and e-mails, and a report
made after the purge recognises the same people as one made before it."""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from typing import Any

from .communes import commune_key

# Where ``popup purge`` keeps the hash of someone whose name and e-mail it removes.
FIELD = "person_hash"


def fold(text: str | None) -> str:
    """Case, accents and spaces aside."""
    text = text or ""
    if not text.isascii():  # most e-mails are: the slow path only for the others
        plain = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def basis(participant: dict[str, Any]) -> str | None:
    """What identifies a person: the e-mail when given, else name and commune; None
    when neither is left (purged)."""
    email = fold(participant.get("email"))
    if email:
        return f"email|{email}"
    name = fold(participant.get("name"))
    if name:
        return f"name|{name}|{commune_key(participant.get('commune'))}"
    return None


def person_hash(participant: dict[str, Any], key: bytes) -> str | None:
    """The person's keyed hash: computed from what identifies them, or the one ``popup
    purge`` stored when that is gone; None when neither exists."""
    found = basis(participant)
    if found is None:
        return participant.get(FIELD) or None
    return hmac.new(key, found.encode(), hashlib.sha256).hexdigest()
