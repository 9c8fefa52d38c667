"""What the arrivals desk needs beyond the check-in itself: the time a scan was made
(a desk that lost the server sends its scans later), undoing a check-in, and keeping
pass URLs and tokens out of text that gets published."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .. import i18n
from ..errors import N_, InvalidInput, NotFound
from ..kit import Kit
from . import clock, participants

# A desk's clock may run a little ahead of the server's.
FUTURE_SLACK = dt.timedelta(minutes=2)
# A URL that opens someone's pass or check-in page, whatever the host.
_SCAN_URL = re.compile(r"/(?:pass|c)/[A-Za-z0-9_-]{16,64}")
# What secrets.token_urlsafe(16) gives: 22 characters of the URL-safe alphabet.
_TOKEN_WORD = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])")


def scan_time(kit: Kit, raw: Any, now: dt.datetime | None = None) -> dt.datetime:
    """The instant a scan was made, as the desk gives it (ISO 8601 with its offset);
    the server's own time when none is given."""
    now = now or clock.utcnow()
    if raw is None or raw == "":
        return now
    field = {"scanned_at": N_("Give the time of the scan as ISO 8601 with its offset, "
                              "e.g. 2026-06-12T09:30:00+02:00.")}
    if not isinstance(raw, str):
        raise InvalidInput("Some fields need your attention.", fields=field)
    try:
        moment = dt.datetime.fromisoformat(raw.strip())
        # Year 1 with an eastern offset is before the first instant Python can hold.
        day = clock.local_day(moment, kit.event.timezone) if moment.tzinfo else None
    except (ValueError, OverflowError):
        raise InvalidInput("Some fields need your attention.", fields=field) from None
    if day is None:
        raise InvalidInput("Some fields need your attention.", fields=field)
    if moment > now + FUTURE_SLACK:
        raise InvalidInput("Some fields need your attention.", fields={
            "scanned_at": N_("This scan time is in the future: check the desk's clock.")})
    if day < kit.event.start_date:
        raise InvalidInput("Some fields need your attention.", fields={
            "scanned_at": N_("This scan time is before the event's first day.")})
    return moment


def undo(store: Any, kit: Kit, participant_id: Any,
         now: dt.datetime | None = None) -> dict[str, Any]:
    """Take back a participant's latest check-in (the desk checked in the wrong
    namesake) and say so in the concierge's log; returns the participant. Their
    earlier days stay. The log is published with the documentation: it names the
    participant's number, not the person, and goes with their data if they erase it."""
    participant = participants.get(store, participant_id)
    done = store.find("checkins", participant_id=participant["id"])
    if not done:
        raise NotFound("This person is not checked in.")
    latest = max(done, key=lambda c: (c["at"], c["id"]))
    store.remove("checkins", latest["id"])
    text = i18n.translate("Check-in undone at the desk (participant no. %(id)s).",
                          {"id": participant["id"]}, lang=kit.event.languages[0])
    store.insert("journal", {"text": text, "at": clock.stamp(now or clock.utcnow()),
                             "author_kind": "concierge", "participant_id": participant["id"]})
    return participant


def refuse_scan_text(store: Any, text: str, field: str) -> str:
    """``text`` unless it carries a pass or check-in URL, or the token of a pass:
    a scan that landed in the wrong field must not be published, as whoever reads
    it could open that person's pass."""
    leaked = bool(_SCAN_URL.search(text)) or any(
        store.find_one("participants", token=word) is not None
        or store.find_one("participants", checkin_code=word) is not None
        for word in _TOKEN_WORD.findall(text))
    if leaked:
        raise InvalidInput("Some fields need your attention.", fields={
            field: N_("This looks like a scanned pass: it is not published. Scan passes "
                      "at the arrivals desk.")})
    return text
