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

from textual import events
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, TextArea

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
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


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


class ScanCatcher:
    """Mixed into the console's App: looks at every key before any widget does.

    Keys that may start a scan are held; Enter after a scan hands it to ``scanned()``
    and nothing else sees it. Held keys that turn out to be typing go on, in order, to
    whatever has the focus: at the first key that cannot belong to a scan, at any
    other key (arrows, F-keys, Escape), at an Enter that does not end a scan, or
    after ``scan_quiet`` seconds without a key (a scanner never pauses mid-scan; a
    person typing a word sees it appear then). In a dialog, a burst that is not a scan
    is dropped whole (letters, then its Enter): it must not answer the question.
    """

    scan_quiet = 0.3
    _held: list[events.Key]
    _quiet_timer: Timer | None = None
    _dropped = False

    def scanned(self, scan: Scan) -> None:
        raise NotImplementedError

    def unreadable_burst(self) -> None:
        """Keys a dialog ignored, then Enter: say so, never act on it."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if await self._catch(event):
                return
        elif isinstance(event, events.Paste) and not event.is_forwarded:
            found = scans_in(event.text)
            if found:
                for scan in found:
                    self.scanned(scan)
                return
        await super().on_event(event)  # type: ignore[misc]

    async def _catch(self, key: events.Key) -> bool:
        held = getattr(self, "_held", None)
        if held is None:
            held = self._held = []
        text = "".join(k.character or "" for k in held)
        if key.key in ("enter", "ctrl+j") and held:
            self._stop_quiet()
            keys, self._held = held, []
            scan = recognise(text)
            if scan is not None:
                self.scanned(scan)
                return True
            await self._let_through(keys)
        if key.key in ("enter", "ctrl+j"):
            if self._dropped:  # the end of a burst a dialog ignored
                self._dropped = False
                self.unreadable_burst()
                return True
            return False
        if key.is_printable and key.character:
            if could_be_scan(text + key.character):
                held.append(key)
                self._wait_quiet()
                return True
            await self.release()
            if could_be_scan(key.character):
                self._held.append(key)
                self._wait_quiet()
                return True
            await self._let_through([key])
            return True
        await self.release()
        self._dropped = False
        return False

    def _in_dialog(self) -> bool:
        screen = self.screen  # type: ignore[attr-defined]
        focused = screen.focused
        return isinstance(screen, ModalScreen) and not isinstance(focused, Input | TextArea)

    def _wait_quiet(self) -> None:
        self._stop_quiet()
        self._quiet_timer = self.set_timer(  # type: ignore[attr-defined]
            self.scan_quiet, self.release)

    def _stop_quiet(self) -> None:
        if self._quiet_timer is not None:
            self._quiet_timer.stop()
            self._quiet_timer = None

    async def release(self) -> None:
        """Let the held keys through: they were typing."""
        self._stop_quiet()
        held, self._held = getattr(self, "_held", []), []
        await self._let_through(held)

    async def _let_through(self, keys: list[events.Key]) -> None:
        for key in keys:
            if self._in_dialog() and key.character != " ":
                self._dropped = True  # no dialog takes a letter: a burst's keys are not for it
                continue
            await super().on_event(key)  # type: ignore[misc]
