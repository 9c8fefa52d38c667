"""argparse's own words ("usage:", "options:", "show this help message and exit", its
error messages) in the product's catalogs, so `popup --help` speaks French by default.

argparse looks each of them up with the module-level ``_``/``ngettext`` it imported from
``gettext``; pointing those at our catalogs (read at call time, so POPUP_LANG=en still
gives English) translates every word without copying argparse's formatter.
"""

from __future__ import annotations

import argparse

from . import i18n
from .errors import N_

# The ids argparse asks for in front of a user; listed so the catalog test checks each
# has its French text.
WORDS = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"), N_("unrecognized arguments: %s"),
    N_("the following arguments are required: %s"), N_("expected one argument"),
    N_("expected at most one argument"), N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("not allowed with argument %s"), N_("ignored explicit argument %r"),
    N_("one of the arguments %s is required"),
)


def speak_the_current_language() -> None:
    """Call before building a parser: its "options" and "-h" help are fixed at creation."""
    argparse._ = i18n.gettext  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]
