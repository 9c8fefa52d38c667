"""How to open a second desk: the exact command, printed by ``popup up`` before the
console takes the screen and shown again by F9. The token stays in its file (never
printed): whoever reads the terminal over the concierge's shoulder does not get it."""

from __future__ import annotations

from pathlib import Path

from .. import i18n
from ..settings import TOKEN_FILE


def server_url(portal_url: str) -> str:
    """The address other laptops use: the portal's own, without its path."""
    scheme, _, rest = portal_url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def command(portal_url: str) -> str:
    return (f"popup console --url {server_url(portal_url)} "
            f"--token \"$(cat {TOKEN_FILE})\"")


def instructions(portal_url: str, token_file: Path | None) -> list[str]:
    """What to do on the other laptop, line by line."""
    where = str(token_file) if token_file else TOKEN_FILE
    return [
        i18n.gettext("Second desk, on another laptop on the same network:"),
        "  " + command(portal_url),
        i18n.translate("after copying %(path)s next to it (keep this file secret: it opens "
                       "the desk).", {"path": where}),
    ]


def banner(name: str, portal_url: str, qr_text: str, token_file: Path | None) -> str:
    """What ``popup up`` prints before the console opens."""
    return "\n".join([
        "", f"  {name}", "",
        "  " + i18n.gettext("Portal for phones:"), f"    {portal_url}", "",
        qr_text,
        *("  " + line for line in instructions(portal_url, token_file)),
        "",
    ])
