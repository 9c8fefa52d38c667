"""Every message a participant, concierge or organiser can see has its French text."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from popup_tierslieu import i18n

TOOL = Path(__file__).resolve().parents[2] / "tools" / "messages.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("messages", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_has_a_french_translation():
    missing = load_tool().untranslated("fr")
    assert not missing, "untranslated (add them to a .po file under locales/fr): " + "; ".join(
        f"{where}: {msgid!r}" for msgid, where in missing.items())


def test_french_placeholders_match_english():
    import re

    tool = load_tool()
    catalog = i18n.translations("fr")
    for msgid in tool.message_ids():
        translated = catalog.gettext(msgid)
        assert sorted(re.findall(r"%\(\w+\)s", translated)) == sorted(
            re.findall(r"%\(\w+\)s", msgid)), msgid


def test_negotiation_prefers_french_unless_the_browser_asks_for_english():
    assert i18n.negotiate(None) == "fr"
    assert i18n.negotiate("en-US,en;q=0.9") == "en"
    assert i18n.negotiate("de-DE,en;q=0.5,fr;q=0.8") == "fr"
    assert i18n.negotiate("de-DE") == "fr"


def test_no_two_catalogs_translate_the_same_message_differently():
    """Catalogs are merged: a second translation of an id would silently shadow the first."""
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[2] / "popup_tierslieu" / "locales" / "fr" / (
        "LC_MESSAGES")
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id or not message.string:
                    continue
                if message.id in seen and seen[message.id][1] != message.string:
                    clashes.append(f"{message.id!r}: {seen[message.id][0]} says "
                                   f"{seen[message.id][1]!r}, {path.name} says "
                                   f"{message.string!r}")
                seen.setdefault(message.id, (path.name, message.string))
    assert not clashes, "; ".join(clashes)


def test_kit_texts_in_messages_follow_the_visitor_language():
    from popup_tierslieu.kit import Localized

    title = Localized("Atelier visio", "Video workshop")
    message = "You are already registered for “%(title)s” at the same time."
    assert "Video workshop" in i18n.translate(message, {"title": title}, "en")
    assert "Atelier visio" in i18n.translate(message, {"title": title}, "fr")
