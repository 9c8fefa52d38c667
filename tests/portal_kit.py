"""A kit for portal tests: the default kit over today and tomorrow, with a small workshop
that runs from today to the end of tomorrow (so the room's screen always has something
"now", and it overlaps every other workshop) and the
starter's slots and workshops tomorrow, so they can be booked whatever the hour the tests
run at (bookings close when a workshop or a slot ends, by the event's clock)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

from popup_tierslieu.kit import parse, starter_text

ALL_DAY = """
[[workshops]]
id = "journee"
title = "Fil rouge : imaginer le tiers-lieu"
title_en = "Common thread: imagining the third place"
room = "salle-1"
host = "Conciergerie"
capacity = 5
start = {day}T00:00:00
end = {tomorrow}T23:59:00
"""


def write_portal_kit(folder: Path, capacity: int = 10) -> Path:
    """Write the kit into ``folder``; the workshop "visio" holds ``capacity`` places."""
    today = dt.datetime.now(zoneinfo.ZoneInfo("Europe/Paris")).date()
    tomorrow = today + dt.timedelta(days=1)
    text = starter_text(tomorrow).replace("capacity = 12", f"capacity = {capacity}", 1)
    text = text.replace(f"start_date = {tomorrow}", f"start_date = {today}", 1)
    text = text.replace("\n[swap]", ALL_DAY.replace("{day}", today.isoformat()).replace(
        "{tomorrow}", tomorrow.isoformat()) + "\n[swap]", 1)
    kit, problems = parse(text)
    assert kit is not None and not problems, problems
    path = folder / "portal-kit.toml"
    path.write_text(text, encoding="utf-8")
    return path

PAST_AND_FUTURE = """
[[workshops]]
id = "hier"
title = "Atelier d'hier"
title_en = "Yesterday's workshop"
room = "salle-1"
capacity = 5
description = "On y a appris à réparer un vélo."
start = {yesterday}T10:00:00
end = {yesterday}T11:00:00

[[slots]]
id = "hier-matin"
label = "Hier matin"
label_en = "Yesterday morning"
start = {yesterday}T09:00:00
end = {yesterday}T12:30:00
"""


def write_clock_kit(folder: Path, extra: str = "") -> Path:
    """A three-day event around today, by the event's clock: a workshop and a slot that
    ended yesterday, the all-day workshop "journee" under way, the starter's slots and
    workshops tomorrow. Whatever the hour, each is past, under way or to come."""
    path = write_portal_kit(folder)
    today = dt.datetime.now(zoneinfo.ZoneInfo("Europe/Paris")).date()
    yesterday = today - dt.timedelta(days=1)
    text = path.read_text(encoding="utf-8").replace(
        f"start_date = {today}", f"start_date = {yesterday}", 1)
    text = text.replace("\n[swap]", PAST_AND_FUTURE.replace(
        "{yesterday}", yesterday.isoformat()) + extra + "\n[swap]", 1)
    kit, problems = parse(text)
    assert kit is not None and not problems, problems
    path.write_text(text, encoding="utf-8")
    return path
