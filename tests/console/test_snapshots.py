"""The dashboard and the desk as the concierge sees them, at a fixed terminal size.

Fixed data: a kit dated in 2030 (so "now and next" does not depend on today),
fixed names, a frozen clock for "updated at", no arrival times on screen.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from popup_tierslieu.kit import starter_text

from .conftest import burst, console_for, until

SIZE = (110, 36)
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def event(make_server, tmp_path):
    kit = tmp_path / "fixed.toml"
    kit.write_text(starter_text(dt.date(2030, 6, 15)))
    server = make_server(kit=str(kit))
    api = httpx.Client(base_url=server.url + "/api/v1", headers=server.concierge, timeout=10)
    people = [server.register(name=name, profile=profile) for name, profile in (
        ("Hélène Roux", "Indépendant·e"), ("Bruno Petit", "Salarié·e en télétravail"),
        ("Chloé Girard", "Association"))]
    for p in people:
        api.post("/desk/workshops/visio/registrations", json={"participant_id": p["id"]})
    api.post("/desk/workshops/plateau/registrations", json={"participant_id": people[0]["id"]})
    api.post("/seats/bookings", json={"participant_id": people[0]["id"], "slot_id": "matin",
                                      "space_id": "coworking", "seat": 3})
    api.post("/seats/bookings", json={"participant_id": people[1]["id"], "slot_id": "matin",
                                      "space_id": "coworking", "seat": 4})
    return server, people


def test_dashboard(event, snap_compare):
    server, _people = event
    app = console_for(server, frozen=True)

    async def ready(pilot):
        await until(pilot, lambda: app.stats)
        await pilot.press("f2")
        await until(pilot, lambda: app.screen.query("#counters"))
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_desk_after_a_scan(event, snap_compare):
    server, people = event
    app = console_for(server, frozen=True)

    async def scanned(pilot):
        await until(pilot, lambda: app.stats and app.event)
        app.screen.query_one("#scan").value = people[0]["pass_url"]
        await pilot.press("enter")
        await until(pilot, lambda: "good" in app.screen.query_one("#result").classes)
        await until(pilot, lambda: app.stats["checked_in"] == 1)
        # The input's cursor blinks: without this the picture depends on the instant.
        app.screen.query_one("#scan").cursor_blink = False
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=scanned)


def test_guide_screenshots(event, tmp_path):
    """The SVG screenshots of docs/concierge.md, taken from the real console. Arrival
    times and the checklist's "now" follow the real clock, so the files are only
    rewritten on demand: POPUP_SCREENSHOTS=1 pytest tests/console -k guide."""
    import asyncio
    import os
    import shutil

    from popup_tierslieu.console.screens.workshops import WorkshopScreen

    server, people = event
    app = console_for(server, frozen=True)
    folder = tmp_path / "shots"
    folder.mkdir()

    async def shoot() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.stats and app.event)
            burst(app, [people[2]["pass_url"], people[1]["pass_url"]])
            await until(pilot, lambda: len(app.scans.history) == 2)
            await until(pilot, lambda: app.stats["checked_in"] == 2)
            app.screen.query_one("#scan").cursor_blink = False
            await pilot.pause(0.2)
            app.save_screenshot("console-desk.svg", str(folder))
            await pilot.press("f2")
            await pilot.pause(0.3)
            app.save_screenshot("console-dashboard.svg", str(folder))
            await pilot.press("f4")
            await until(pilot, lambda: app.screen.query_one("#workshops").row_count == 3)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, WorkshopScreen)
                        and app.screen.query_one("#confirmed").row_count == 3)
            app.save_screenshot("console-workshop.svg", str(folder))
            await pilot.press("escape", "f5")
            await until(pilot, lambda: app.screen.query_one("#seat-list").row_count == 24)
            app.save_screenshot("console-seats.svg", str(folder))
            await pilot.press("f6")
            await until(pilot, lambda: app.screen.query_one("#checklist").row_count == 6)
            app.save_screenshot("console-checklist.svg", str(folder))
            await pilot.press("f1")
            await until(pilot, lambda: app.screen.query("#keys"))
            app.save_screenshot("console-help.svg", str(folder))
            await pilot.press("escape", "f9")
            await until(pilot, lambda: app.screen.query("#second-desk"))
            app.save_screenshot("console-portal.svg", str(folder))
            await pilot.press("escape", "f3")
            server.stop()
            burst(app, [people[0]["pass_url"]])
            await until(pilot, lambda: "wait" in app.screen.query_one("#scan-latest").classes)
            app.screen.query_one("#scan").cursor_blink = False
            await pilot.pause(0.2)
            app.save_screenshot("console-offline.svg", str(folder))

    asyncio.run(shoot())
    for name in ("desk", "dashboard", "workshop", "seats", "checklist", "help", "portal",
                 "offline"):
        shot = folder / f"console-{name}.svg"
        assert "Tiers-lieu" in shot.read_text()
        if os.environ.get("POPUP_SCREENSHOTS"):
            shutil.copy(shot, SHOTS / shot.name)
