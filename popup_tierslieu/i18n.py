"""French and English messages from gettext catalogs, read with Babel.

Message ids are the English text; French (the default language) comes from the
catalogs in ``locales/fr/LC_MESSAGES/``. Every ``.po`` file there is merged, so
each part of the product keeps its own file. Catalogs are compiled in memory at
first use: no build step, nothing binary in the repository.
"""

from __future__ import annotations

import contextvars
import functools
import io
from importlib import resources

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("fr", "en")
DEFAULT = "fr"

current: contextvars.ContextVar[str] = contextvars.ContextVar("lang", default=DEFAULT)


@functools.cache
def translations(lang: str) -> NullTranslations:
    folder = resources.files("popup_tierslieu").joinpath("locales", lang, "LC_MESSAGES")
    merged = Catalog(locale=lang)
    found = False
    if folder.is_dir():
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".po"):
                found = True
                with entry.open("rb") as handle:
                    for message in read_po(handle, locale=lang):
                        if message.id and message.string and not message.fuzzy:
                            merged[message.id] = message
    if not found:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, merged)
    buffer.seek(0)
    return Translations(fp=buffer)


def gettext(message: str, lang: str | None = None) -> str:
    return translations(lang or current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    return translations(lang or current.get()).ngettext(singular, plural, n)


def translate(message: str, params: dict[str, object] | None = None,
              lang: str | None = None) -> str:
    """Translate a message id and fill its ``%(name)s`` placeholders; organiser texts
    from the kit (``Localized``) among the params are shown in the same language."""
    text = gettext(message, lang)
    if params:
        from .kit import Localized

        chosen = lang or current.get()
        params = {key: value.get(chosen) if isinstance(value, Localized) else value
                  for key, value in params.items()}
        for template in (text, message):  # a broken translation falls back to English
            try:
                return template % params
            except (KeyError, ValueError, TypeError):
                continue
        return message
    return text


@functools.lru_cache(maxsize=256)  # every request asks; a crowd's phones send few headers
def negotiate(accept_language: str | None, available: tuple[str, ...] = LANGUAGES) -> str:
    """The best of ``available`` for an ``Accept-Language`` header, French by default."""
    if not accept_language:
        return available[0] if DEFAULT not in available else DEFAULT
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        base = tag.split("-")[0]
        if base in available:
            return base
        if tag == "*":
            break
    return DEFAULT if DEFAULT in available else available[0]
