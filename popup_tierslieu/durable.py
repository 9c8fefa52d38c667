"""Making a file's name durable, not only its content."""

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
