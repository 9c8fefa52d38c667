"""The console shows hours in the event's zone, whatever the laptop's zone."""

from popup_tierslieu.console.screens.dashboard import local_hour


def test_stored_instants_are_shown_in_the_event_zone():
    assert local_hour("2026-06-12T14:03:00+00:00", "Europe/Paris") == "16:03"
    assert local_hour("2026-12-12T14:03:00+00:00", "Europe/Paris") == "15:03"
    assert local_hour(None, "Europe/Paris") == ""
