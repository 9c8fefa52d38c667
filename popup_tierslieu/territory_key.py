"""The territory key: the secret behind the keyed hash that recognises a person across
events (``domain/identity.py``).

One random key (256 bits, ``secrets``) per organiser's account, kept in a file only its
owner can read, shared by ``popup purge`` and ``popup report``: a report made after a
purge then counts the same distinct people as before. Reports of folders purged on
another laptop need that laptop's key file (copy it, or point ``POPUP_PEOPLE_KEY`` at it).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .errors import PopupError

ENV = "POPUP_PEOPLE_KEY"
KEY_BYTES = 32


def key_path() -> Path:
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data / "popup-tierslieu" / "people.key"


def _read(path: Path) -> bytes:
    try:
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (ValueError, UnicodeDecodeError):
        key = b""
    if len(key) < KEY_BYTES // 2:
        raise PopupError("The territory key %(path)s is damaged. Fix: restore it from a copy "
                         "(or delete it: reports will no longer recognise people purged "
                         "with it).", params={"path": str(path)})
    return key


def load() -> bytes:
    """The key, made on first use (mode 0600, created exclusively so two commands
    starting together agree on one key)."""
    path = key_path()
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_hex(KEY_BYTES) + "\n")
        out.flush()
        os.fsync(out.fileno())
    return _read(path)
