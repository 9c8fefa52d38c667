"""The programme as an iCalendar file (RFC 5545): the whole programme for anyone, or a
participant's own bookings with an alarm before each, to add to a phone's calendar."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

import icalendar

from .. import i18n
from ..kit import Kit, Workshop

# How long before a booked workshop the phone reminds its participant.
ALARM_BEFORE = dt.timedelta(minutes=15)


def _event(kit: Kit, w: Workshop, lang: str, public_url: str,
           alarm: bool) -> icalendar.Event:
    zone = zoneinfo.ZoneInfo(kit.event.timezone)
    room = kit.space(w.room)
    event = icalendar.Event()
    event.add("uid", f"{w.id}@{kit.event.slug}.popup-tierslieu")
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", w.start.replace(tzinfo=zone))
    event.add("dtend", w.end.replace(tzinfo=zone))
    event.add("summary", w.title.get(lang))
    place = room.name.get(lang) if room else w.room
    event.add("location", f"{place}, {kit.venue.name}" if kit.venue.name else place)
    description = "\n\n".join(part for part in (
        w.description.get(lang), w.host, f"{public_url}/programme") if part)
    event.add("description", description)
    event.add("url", f"{public_url}/programme")
    if w.cancelled:
        event.add("status", "CANCELLED")
    if alarm:
        reminder = icalendar.Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", w.title.get(lang))
        reminder.add("trigger", -ALARM_BEFORE)
        event.add_component(reminder)
    return event


def ics(kit: Kit, workshops: Iterable[Workshop], lang: str, public_url: str,
        alarm: bool = False) -> bytes:
    """The workshops as one calendar, in the event's time zone."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//popup-tierslieu//programme//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", i18n.translate("Programme: %(event)s",
                                                {"event": kit.event.name.get(lang)}, lang))
    for w in workshops:
        calendar.add_component(_event(kit, w, lang, public_url, alarm))
    calendar.add_missing_timezones()
    return calendar.to_ical()
