"""What every screen shows on top: the unreachable-server banner and the key figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.text import Text
from textual.widgets import Static

from ... import i18n

_ = i18n.gettext


def percent(rate: float | None) -> str:
    return "–" if rate is None else f"{round(rate * 100)} %"


class Banner(Static):
    """Red and bold while the server cannot be reached; hidden otherwise."""

    def show(self, problem: str | None) -> None:
        self.set_class(problem is not None, "down")
        self.update(Text("⚠ " + problem) if problem else "")


class Figures(Static):
    """One line: registered, checked in, here now, show rate, new participant requests
    (standing out while there are some: the concierge may be on another screen), time
    of the last update."""

    def show(self, stats: dict[str, Any], updated_at: dt.datetime | None,
             new_requests: int = 0) -> None:
        if not stats:
            self.update(_("Loading…"))
            return
        line = Text()
        for label, value in ((_("Registered"), stats["registered"]),
                             (_("Checked in"), stats["checked_in"]),
                             (_("Here today"), stats["checked_in_today"]),
                             (_("Show rate"), percent(stats["show_rate"]))):
            line.append(f"{label} ", style="dim")
            line.append(str(value), style="bold")
            line.append("   ")
        if new_requests:
            line.append(" " + i18n.translate("%(count)s new request(s) (F7)",
                                             {"count": new_requests}) + " ",
                        style="bold reverse")
            line.append("   ")
        if updated_at is not None:
            line.append(i18n.translate("updated at %(time)s",
                                       {"time": updated_at.strftime("%H:%M:%S")}), style="dim")
        self.update(line)
