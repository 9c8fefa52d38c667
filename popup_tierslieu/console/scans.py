"""From a scan to its outcome: written to the desk's disk, sent in order, answered.

Scans are sent one at a time, oldest first, so a burst of twenty gets twenty outcomes
in the order they were scanned. When the server cannot be reached the scans stay in
the queue (``offline.ScanQueue``) and the panel says how many wait; they are sent with
the time they were made as soon as the server answers again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from .. import i18n
from ..errors import N_
from . import days
from .client import ApiClient, ApiError, Unreachable
from .offline import ScanQueue
from .scanner import Scan
from .widgets import outcome

_ = i18n.gettext
HISTORY = 8
ERROR = outcome.Outcome("bad", "✖", N_("Not checked in"))
UNDONE = outcome.Outcome("info", "↶", N_("Check-in undone"))


@dataclass(frozen=True)
class Result:
    """One line of the scan history: when, who, what happened."""

    at: dt.datetime
    seen: outcome.Outcome
    name: str = ""
    lines: list[Text] = field(default_factory=list)
    participant: dict[str, Any] | None = None


def bookings_lines(person: dict[str, Any], event: dict[str, Any]) -> list[Text]:
    """The person's workshops and seats, as the concierge reads them aloud."""
    lines = []
    for r in person.get("registrations", []):
        if r["status"] == "confirmed":
            state = _("confirmed")
        else:
            state = i18n.translate("waiting list, no. %(position)s", {"position": r["position"]})
        hour = days.moment(r.get("start") or "", event)
        lines.append(Text(f"  • {hour} {r['title']} ({state})"))
    slots = {s["id"]: s["label"] for s in event.get("slots", [])}
    for s in person.get("seats", []):
        lines.append(Text("  • " + i18n.translate(
            "%(slot)s: %(space)s, seat %(seat)s",
            {"slot": slots.get(s["slot_id"], s["slot_id"]),
             "space": days.room_name(s["space_id"], event), "seat": s["seat"]})))
    if not lines:
        lines.append(Text("  " + _("No workshop or seat booked."), style="dim"))
    return lines


class ScanDesk:
    """The queue of scans of one console and the history of their outcomes."""

    def __init__(self, client: ApiClient, queue: ScanQueue,
                 shown: Callable[[Result | None], None],
                 event: Callable[[], dict[str, Any]]) -> None:
        self.client = client
        self.queue = queue
        self.history: deque[Result] = deque(maxlen=HISTORY)
        self.offline = False
        self._shown = shown
        self._event = event
        self._wake = asyncio.Event()
        # Scans that waited for the server: they carry their own time. A scan sent at
        # once does not, so the server's clock stays the one truth for live arrivals.
        self._late: set[int] = set()

    def take(self, scan: Scan, when: dt.datetime | None = None) -> None:
        """A scan is on the desk's disk before anything else happens to it."""
        when = when or dt.datetime.now().astimezone()
        self.queue.add(scan.text, when.isoformat(timespec="seconds"), scan.wrong_layout)
        if self.offline:
            self._shown(None)
        self.wake()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Send what waits, in order, whenever there is something new or the server
        may be back; never returns."""
        if len(self.queue):
            self.offline = True
            self._late.update(entry["id"] for entry in self.queue.pending())
            self._shown(None)
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self.send_pending()

    async def send_pending(self) -> None:
        for entry in self.queue.pending():
            late = entry["id"] in self._late
            try:
                answer = await self.client.check_in(
                    entry["text"], scanned_at=entry["scanned_at"] if late else None)
            except ApiError as exc:
                # Unreachable, or the server failing (5xx): the scan is not answered, it
                # waits; a 4xx is the server's answer about this scan.
                if isinstance(exc, Unreachable) or (exc.status or 500) >= 500:
                    self.offline = True
                    self._late.update(e["id"] for e in self.queue.pending())
                    self._shown(None)
                    return
                result = self.refused(entry, exc)
            else:
                result = self.answered(entry, answer)
            self.offline = False
            self._late.discard(entry["id"])
            self.queue.done(entry["id"])
            self.history.appendleft(result)
            self._shown(result)

    @staticmethod
    def _at(entry: dict[str, Any]) -> dt.datetime:
        return dt.datetime.fromisoformat(entry["scanned_at"])

    def refused(self, entry: dict[str, Any], exc: ApiError) -> Result:
        seen = outcome.UNKNOWN if exc.status == 404 else ERROR
        return Result(self._at(entry), seen, "", [Text(exc.message)])

    def answered(self, entry: dict[str, Any], answer: dict[str, Any]) -> Result:
        person = answer["participant"]
        seen = outcome.ALREADY if answer["already_checked_in"] else outcome.WELCOME
        details = " · ".join(x for x in (person.get("profile"), person.get("commune")) if x)
        lines = [Text(details), *bookings_lines(person, self._event())]
        if entry.get("wrong_layout"):
            lines.append(Text(_("The scanner types in the other keyboard layout (QWERTY/"
                                "AZERTY): set its layout to the laptop's."), style="bold"))
        return Result(self._at(entry), seen, person["name"], lines,
                      {"id": answer["participant_id"], **person})

    def note(self, result: Result) -> None:
        """An outcome that is not a scan (an undone check-in) joins the history."""
        self.history.appendleft(result)
        self._shown(result)

    def waiting_line(self) -> str:
        # Two messages, not ngettext: babel gives French three plural forms.
        count = len(self.queue)
        if count == 1:
            return _("waiting, 1 scan to send")
        return i18n.translate("waiting, %(count)s scans to send", {"count": count})
