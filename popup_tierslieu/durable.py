"""Making a file durable: its content, and the name that points to it."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Sync a directory, so that a file created or renamed in it survives a power cut
    (an fsync of the file alone keeps its bytes, not the entry that names it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (0600 from its creation, whatever the umask),
    atomically and durably: a crash leaves the old file or the new one, never half."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.replace(tmp, path)
    except OSError:
        tmp.unlink()  # a folder in the way: leave no half-named copy beside it
        raise
    fsync_dir(path.parent)
