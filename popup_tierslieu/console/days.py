"""Times as the concierge reads them: the hour, and the day too when the event lasts
more than one day (a 10:30 workshop on Saturday is not today's 10:30)."""

from __future__ import annotations

from typing import Any


def multi_day(event: dict[str, Any]) -> bool:
    return bool(event.get("start_date")) and event.get("start_date") != event.get("end_date")


def moment(iso: str, event: dict[str, Any]) -> str:
    """"10:30", or "13/06 10:30" for a multi-day event."""
    hour = (iso or "")[11:16]
    if not multi_day(event) or len(iso or "") < 10:
        return hour
    return f"{iso[8:10]}/{iso[5:7]} {hour}"


def room_name(room_id: str, event: dict[str, Any]) -> str:
    """The room's name from the kit's spaces; its id when the kit has no such space."""
    return next((s["name"] for s in event.get("spaces", []) if s["id"] == room_id), room_id)
