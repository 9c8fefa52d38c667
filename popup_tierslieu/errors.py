"""The one exception family of the project.

Every error a user can cause carries a stable ``code`` and a message id that the
web layer and the CLI translate; the HTTP status for each code lives in
``web/errors.py`` and nowhere else.
"""

from __future__ import annotations

FieldMessage = str | tuple[str, dict[str, object]]


def N_(message: str) -> str:
    """Mark a message id for the catalogs; it is translated where it is shown."""
    return message


class PopupError(Exception):
    """An error with a message meant for a person, not a traceback.

    ``message`` is an English message id (translated by the catalogs), ``params``
    fill its ``%(name)s`` placeholders, ``fields`` maps form field names to
    message ids for per-field errors.
    """

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        fields: dict[str, FieldMessage] | None = None,
        params: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.fields = fields or {}
        self.params = params or {}


class InvalidInput(PopupError):
    code = "invalid"


class NotFound(PopupError):
    code = "not_found"


class Unauthorized(PopupError):
    code = "unauthorized"


class Forbidden(PopupError):
    code = "forbidden"


class Conflict(PopupError):
    code = "conflict"


class TooLarge(PopupError):
    code = "too_large"


class UnsupportedMedia(PopupError):
    code = "unsupported_media"


class RateLimited(PopupError):
    code = "rate_limited"


class StoreUnavailable(PopupError):
    """The disk refused a write (full, read-only, gone): nothing was acknowledged."""

    code = "store_unavailable"


class StoreCorrupted(PopupError):
    """The event data on disk cannot be read back; we refuse to touch it."""

    code = "store_corrupted"


class KitError(PopupError):
    code = "kit_invalid"


class StoreReadOnly(StoreUnavailable):
    """The disk failed in a way the store could not undo: it stopped writing."""

    code = "store_read_only"
