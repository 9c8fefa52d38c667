"""One commune, however people type it: "VAL-DES-GRANGES", "Val des Granges" and
"val-des-granges" are the same place, and so are "St-Martin" and "Saint Martin"."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter

# Abbreviations people type for the words that start many French commune names.
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


# The same few communes come back thousands of times in a large event.
@functools.lru_cache(maxsize=4096)
def commune_key(text: str | None) -> str:
    """The comparison key of a commune name: no case, accents, hyphens or apostrophes,
    "St"/"Ste" spelled out. Empty when no commune was given."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    words = re.split(r"[\s\-'’.]+", plain)
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words if w)


def spelling(spellings: Counter[str]) -> str:
    """The label shown for one commune: the spelling most people typed, ties broken so
    that the result never depends on the order of the events."""
    written: Counter[str] = Counter()
    for text, count in spellings.items():
        written[" ".join(text.split())] += count
    return min(written, key=lambda s: (-written[s], s.isupper() or s.islower(), s))


# A département's code: two digits (2A and 2B in Corsica, whose postcodes start with 20),
# three for the overseas départements and collectivities.
DEPARTEMENT = re.compile(r"^(0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-8]|98[4-9])$")


def departements_of_postcode(postcode: str) -> tuple[str, ...]:
    """The départements a five-digit postcode can belong to (its first digits)."""
    if postcode.startswith("20"):
        return ("2A", "2B")
    if postcode[:2] in ("97", "98"):
        return (postcode[:3],)
    return (postcode[:2],)
