"""A kit for portal tests: the default kit on today's date, with a small workshop that
runs all day (so the room's screen always has something "now") and a race-sized one."""

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
end = {day}T23:59:00
"""


def write_portal_kit(folder: Path, capacity: int = 10) -> Path:
    """Write the kit into ``folder``; the workshop "visio" holds ``capacity`` places."""
    today = dt.datetime.now(zoneinfo.ZoneInfo("Europe/Paris")).date()
    text = starter_text(today).replace("capacity = 12", f"capacity = {capacity}", 1)
    text = text.replace("\n[swap]", ALL_DAY.replace("{day}", today.isoformat()) + "\n[swap]", 1)
    kit, problems = parse(text)
    assert kit is not None and not problems, problems
    path = folder / "portal-kit.toml"
    path.write_text(text, encoding="utf-8")
    return path
