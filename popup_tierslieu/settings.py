"""Run-time settings of one server, in one typed object (environment prefix POPUP_)."""

from __future__ import annotations

import functools
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from . import durable
from .errors import N_, PopupError

TOKEN_FILE = "concierge.token"
PRINTS = "prints"  # the PDF passes and sign-in sheets the desk printed (they name people)
# Said when the token popup up is about to use cannot be read: deleting it is safe then.
UNREADABLE_TOKEN = N_("Cannot read the concierge token %(path)s. Fix: make it a file you can "
                      "read (chmod 600, owned by the user who runs popup), or delete it: "
                      "popup up writes a new one.")
UNWRITABLE_TOKEN = N_("Cannot write the concierge token %(path)s: a folder or a file you may "
                      "not replace is in its place. Fix: move it away (mv %(path)s "
                      "%(path)s.old), then run the command again.")
log = logging.getLogger("popup.settings")


def write_private(path: Path, text: str) -> None:
    """Write a text file only its owner can read (0600), atomically."""
    durable.write_private(path, (text + "\n").encode())


def read_token(path: Path, message: str = UNREADABLE_TOKEN, **params: str) -> str:
    """The concierge token in ``path``. A file that cannot be read (a folder in its place,
    another owner's file, not text) is a PopupError saying ``message``, a message id that
    names the file (``%(path)s``) and the fix."""
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise PopupError(message, params={"path": str(path), **params}) from None


def ensure_token(data_dir: Path, rotate: bool = False) -> str:
    """The concierge token of an event folder, created (256 random bits) if missing."""
    path = data_dir / TOKEN_FILE
    if path.exists() and not rotate:
        token = read_token(path)
        if token:
            os.chmod(path, 0o600)
            return token
    token = secrets.token_urlsafe(32)
    try:
        write_private(path, token)
    except OSError:
        raise PopupError(UNWRITABLE_TOKEN, params={"path": str(path)}) from None
    return token


@dataclass
class Settings:
    data_dir: Path
    public_url: str
    captive: bool = False
    max_upload_bytes: int = int(os.environ.get("POPUP_MAX_UPLOAD_BYTES", 8 * 1024 * 1024))
    checkpoint_seconds: float = float(os.environ.get("POPUP_CHECKPOINT_SECONDS", 300))
    # Per client address, "requests/seconds" (web/security.py): a family registering on one
    # phone passes, a script filling the event does not; the desk is never limited.
    rate_register: str = os.environ.get("POPUP_RATE_REGISTER", "30/60")
    # Wrong passes or tokens tried from one address before it must wait.
    rate_failed_tokens: str = os.environ.get("POPUP_RATE_FAILED_TOKENS", "20/300")
    # The whole time a request may take to arrive, against clients that drip bytes.
    request_timeout: float = float(os.environ.get("POPUP_REQUEST_TIMEOUT", 20))
    # Open connections of one device (a phone's browser uses 6 or 7; the next is refused).
    max_connections_per_client: int = int(os.environ.get("POPUP_MAX_CONNECTIONS_PER_CLIENT",
                                                          100))
    _token_cache: tuple[int, str] = field(default=(0, ""), repr=False)

    @property
    def token_file(self) -> Path:
        return self.data_dir / TOKEN_FILE

    @functools.cached_property
    def _token_path(self) -> str:
        # Every concierge request checks the file: a plain string spares building and
        # converting a Path each time (4 us for the stat instead of 20 with a Path).
        return str(self.token_file)

    def concierge_token(self) -> str:
        """Read from the token file, re-read when it changes: a rotated token works at
        once and the old one stops at once."""
        try:
            mtime = os.stat(self._token_path).st_mtime_ns
        except OSError:
            return self._token_cache[1] or secrets.token_urlsafe(32)
        if mtime != self._token_cache[0]:
            self._token_cache = (mtime, self._token_now())
        return self._token_cache[1]

    def _token_now(self) -> str:
        """The token file's new content. A file that can no longer be read (a folder put in
        its place, emptied, not text) keeps the desks open with the last token read, and is
        said once in the log: locking every desk out in the middle of the event is worse."""
        try:
            token = read_token(self.token_file)
        except PopupError:
            token = ""
        if token:
            return token
        log.error("the concierge token %s cannot be read: the desks keep the token read "
                  "before. Fix: put the token back as a readable file (popup token --rotate "
                  "--data %s writes a new one once the path is free).",
                  self.token_file, self.data_dir)
        return self._token_cache[1] or secrets.token_urlsafe(32)

    def pass_url(self, token: str) -> str:
        return f"{self.public_url}/pass/{token}"

    def checkin_url(self, code: str) -> str:
        """What the pass QR encodes: enough to check in, nothing to manage the pass."""
        return f"{self.public_url}/c/{code}"
