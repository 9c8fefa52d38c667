"""List the message ids of the code and templates, and those without a French translation.

    python tools/messages.py            # prints the untranslated ids, exits 1 if any
    python tools/messages.py --pot F    # writes every id to a .pot template

Used by tests/unit/test_catalogs.py; the keywords are the functions and exception
classes whose first argument is a message id.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {name: None for name in (
    "_", "gettext", "N_", "translate", "InvalidInput", "NotFound", "Conflict", "Forbidden",
    "Unauthorized", "PopupError", "StoreUnavailable", "StoreCorrupted", "TooLarge",
    "UnsupportedMedia", "RateLimited", "KitError", "Fail", "ReportError")}
KEYWORDS["ngettext"] = (1, 2)
# A kit problem carries two message ids: what is wrong, and how to fix it.
KEYWORDS["problem"] = (4, 5)
KEYWORDS["Problem"] = (2, 3)
METHODS = [("popup_tierslieu/**.py", "python"),
           ("popup_tierslieu/web/templates/**.html", "jinja2"),
           ("popup_tierslieu/report/templates/**", "jinja2")]
OPTIONS = {"popup_tierslieu/web/templates/**.html": {"extensions": "jinja2.ext.i18n"},
           "popup_tierslieu/report/templates/**": {"extensions": "jinja2.ext.i18n"}}


def message_ids() -> dict[str, str]:
    """Every message id with the file it first appears in."""
    found: dict[str, str] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            ROOT, METHODS, OPTIONS, KEYWORDS):
        ids = message if isinstance(message, tuple) else (message,)
        for msgid in ids:
            if msgid:
                found.setdefault(msgid, filename)
    return found


def untranslated(lang: str = "fr") -> dict[str, str]:
    sys.path.insert(0, str(ROOT))
    from popup_tierslieu import i18n

    i18n.translations.cache_clear()
    catalog = i18n.translations(lang)
    return {msgid: where for msgid, where in message_ids().items()
            if catalog.gettext(msgid) == msgid}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--pot":
        catalog = Catalog()
        for msgid in message_ids():
            catalog.add(msgid)
        with open(sys.argv[2], "wb") as handle:
            write_po(handle, catalog, omit_header=True)
        sys.exit(0)
    missing = untranslated()
    for msgid, where in sorted(missing.items(), key=lambda item: item[1]):
        print(f"{where}: {msgid!r}")
    sys.exit(1 if missing else 0)
