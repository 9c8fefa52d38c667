"""The live dashboard: counts, seats per zone, workshops now and next, latest arrivals."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static

from ... import i18n
from ..widgets.status import percent
from .base import Section

_ = i18n.gettext


def counters(stats: dict[str, Any]) -> Table:
    table = Table.grid(expand=True)
    cells = ((_("registered"), stats["registered"]), (_("checked in"), stats["checked_in"]),
             (_("here today"), stats["checked_in_today"]),
             (_("show rate"), percent(stats["show_rate"])))
    for _label in cells:
        table.add_column(justify="center", ratio=1)
    table.add_row(*(Text(str(value), style="bold") for _label, value in cells))
    table.add_row(*(Text(label, style="dim") for label, _value in cells))
    return table


def seats_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(box=None, expand=True, show_edge=False)
    table.add_column(_("Slot"))
    table.add_column(_("Area"))
    table.add_column(_("Taken"), justify="right")
    table.add_column(_("Free"), justify="right")
    for row in rows:
        table.add_row(Text(row["slot"]), Text(row["space"]), f"{row['taken']}/{row['seats']}",
                      str(row["free"]))
    return table


def workshop_rows(table: Table, label: str, workshops: list[dict[str, Any]]) -> None:
    for w in workshops:
        fill = f"{w['confirmed']}/{w['capacity']}"
        waiting = str(w["waitlisted"]) if w["waitlisted"] else "–"
        table.add_row(label, w["start"][11:16], Text(w["title"]), fill, waiting)


def workshops_table(programme: dict[str, list[dict[str, Any]]]) -> Table | Text:
    if not programme["now"] and not programme["next"]:
        return Text(_("No workshop running or to come today."), style="dim")
    table = Table(box=None, expand=True, show_edge=False)
    for title, justify in ((_("When"), "left"), (_("At"), "left"), (_("Workshop"), "left"),
                           (_("Filled"), "right"), (_("Waiting"), "right")):
        table.add_column(title, justify=justify)  # type: ignore[arg-type]
    workshop_rows(table, _("now"), programme["now"])
    workshop_rows(table, _("next"), programme["next"])
    return table


def arrivals_table(arrivals: list[dict[str, Any]], timezone: str) -> Table | Text:
    if not arrivals:
        return Text(_("Nobody checked in yet."), style="dim")
    table = Table(box=None, expand=True, show_edge=False, show_header=False)
    table.add_column()
    table.add_column()
    table.add_column(style="dim")
    for a in arrivals:
        table.add_row(Text(a["name"]), Text(a["profile"] or ""), local_hour(a["at"], timezone))
    return table


def local_hour(stamp: str | None, timezone: str | None) -> str:
    """A stored instant as the hour in the event's zone (a second desk may sit in another
    zone); empty when there is no instant."""
    if not stamp:
        return ""
    return dt.datetime.fromisoformat(stamp).astimezone(
        ZoneInfo(timezone or "Europe/Paris")).strftime("%H:%M")


class DashboardScreen(Section):
    def body(self) -> ComposeResult:
        yield Static("", id="counters", classes="panel")
        with Grid(id="panels"):
            yield Static("", id="workshops-now", classes="panel")
            yield Static("", id="seats", classes="panel")
            yield Static("", id="arrivals", classes="panel")

    def on_mount(self) -> None:
        self.query_one("#counters").border_title = _("Today")
        self.query_one("#workshops-now").border_title = _("Workshops now and next")
        self.query_one("#seats").border_title = _("Coworking seats")
        self.query_one("#arrivals").border_title = _("Latest arrivals")

    def data_changed(self) -> None:
        stats = self.app.stats
        if not stats:
            return
        self.query_one("#counters", Static).update(counters(stats))
        self.query_one("#workshops-now", Static).update(workshops_table(self.app.programme))
        self.query_one("#seats", Static).update(seats_table(stats["seats"]))
        self.query_one("#arrivals", Static).update(arrivals_table(stats["arrivals"],
                                                                   self.app.event["timezone"]))
