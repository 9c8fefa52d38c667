"""Jinja2 templates (autoescaped) rendered in the visitor's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import jinja2
from markupsafe import Markup
from sanic import Request
from sanic.response import HTTPResponse, html

from .. import i18n, qr
from ..domain import participants
from ..errors import NotFound
from ..kit import Localized
from .assets import static_url

PASS_COOKIE = "pass"


def _localize(value: Any) -> str:
    if isinstance(value, Localized):
        return value.get(i18n.current.get())
    return "" if value is None else str(value)


def _time(value: dt.datetime | str | None) -> str:
    """Hours as the event's local format: 14h30 in French, 2:30 pm in English."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if i18n.current.get() == "fr":
        return value.strftime("%Hh%M")
    return value.strftime("%I:%M %p").lstrip("0").lower()


def isolate(value: Any) -> str:
    """Visitor text inside a sentence or an <option> (where <bdi> cannot go): first-strong
    isolate marks, so that no direction in it reorders the text around it."""
    return f"\u2068{value}\u2069"


def unbroken(value: Any) -> str:
    """A value read letter by letter (a Wi-Fi password): its hyphens become non-breaking
    ones, so a line never ends at one (cut there, it reads as two words); it breaks
    elsewhere only where it cannot fit."""
    return str(value).replace("-", "\u2011")


def _date(value: dt.date | None) -> str:
    if value is None:
        return ""
    from babel.dates import format_date

    return format_date(value, format="full", locale=i18n.current.get())


def short_date(value: dt.date | None) -> str:
    """The day of a multi-day event in a line: "sam. 10 juil." / "Sat 10 Jul"."""
    if value is None:
        return ""
    from babel.dates import format_date

    return format_date(value, format="EEE d MMM", locale=i18n.current.get())


def _moment(value: dt.datetime | str | None, kit: Any) -> str:
    """An hour, with its day in front when the event lasts several days (14h00 alone
    is ambiguous on a three-day festival)."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if kit is not None and kit.event.start_date != kit.event.end_date:
        return f"{short_date(value.date())} · {_time(value)}"
    return _time(value)


def build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("popup_tierslieu.web", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(
        lambda message: i18n.gettext(message),
        lambda singular, plural, n: i18n.ngettext(singular, plural, n),
        newstyle=True,
    )
    env.filters["l10n"] = _localize
    env.filters["hour"] = _time
    env.filters["longdate"] = _date
    env.filters["isolate"] = isolate
    env.filters["unbroken"] = unbroken
    env.filters["shortdate"] = short_date
    env.filters["moment"] = _moment
    env.globals["static_url"] = static_url
    env.globals["qr_svg"] = lambda data, title="": Markup(qr.svg(data, title))
    env.globals["qr_logo_base64"] = qr.logo_base64
    return env


ENVIRONMENT = build_environment()


def render(template: str, **context: Any) -> str:
    return ENVIRONMENT.get_template(template).render(**context)


def own_pass(request: Request) -> dict[str, Any] | None:
    """The participant whose pass this phone holds (the pass cookie), if any: every entry
    page offers to open it."""
    token = request.cookies.get(PASS_COOKIE)
    store = getattr(request.app.ctx, "store", None)
    if not token or store is None:
        return None
    try:
        return participants.by_token(store, token)
    except NotFound:
        return None


def page(request: Request, template: str, status: int = 200,
         headers: dict[str, str] | None = None, **context: Any) -> HTTPResponse:
    app = request.app
    context.setdefault("kit", getattr(app.ctx, "kit", None))
    context.setdefault("lang", getattr(request.ctx, "lang", i18n.DEFAULT))
    context.setdefault("path", request.path)
    context.setdefault("csrf", getattr(request.ctx, "csrf", ""))
    if "mine" not in context:
        context["mine"] = own_pass(request)
    return html(render(template, **context), status=status, headers=headers)
