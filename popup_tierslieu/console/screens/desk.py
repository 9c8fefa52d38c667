"""The arrivals desk: one input, always focused, for a USB QR scanner or the keyboard.

A pass URL or a token checks the person in; anything else searches by name.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from ... import i18n
from ..client import ApiError
from ..widgets import outcome
from .base import Section
from .dialogs import PassScreen
from .register import RegisterScreen

_ = i18n.gettext
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def looks_like_pass(text: str) -> bool:
    return "/pass/" in text or bool(_TOKEN.match(text))


def bookings_lines(person: dict[str, Any], event: dict[str, Any]) -> list[Text]:
    """The person's workshops and seats, as the concierge reads them aloud."""
    lines = []
    for r in person.get("registrations", []):
        hour = (r.get("start") or "")[11:16]
        if r["status"] == "confirmed":
            state = _("confirmed")
        else:
            state = i18n.translate("waiting list, no. %(position)s", {"position": r["position"]})
        lines.append(Text(f"  • {hour} {r['title']} ({state})"))
    slots = {s["id"]: s["label"] for s in event.get("slots", [])}
    spaces = {s["id"]: s["name"] for s in event.get("spaces", [])}
    for s in person.get("seats", []):
        lines.append(Text("  • " + i18n.translate(
            "%(slot)s: %(space)s, seat %(seat)s",
            {"slot": slots.get(s["slot_id"], s["slot_id"]),
             "space": spaces.get(s["space_id"], s["space_id"]), "seat": s["seat"]})))
    if not lines:
        lines.append(Text("  " + _("No workshop or seat booked."), style="dim"))
    return lines


class DeskScreen(Section):
    BINDINGS = [
        Binding("ctrl+n", "walk_in", _("Walk-in")),
        Binding("down", "results", _("Search results"), show=False),
        Binding("escape", "back_to_scan", _("Back to the scan input"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, Any]] = []

    def body(self) -> ComposeResult:
        # No select-on-focus: a scan that moves the focus back must keep its first character.
        yield Input(placeholder=_("Scan a pass or type its code or a name, then Enter"),
                    id="scan", select_on_focus=False)
        yield Static("", id="result")
        yield DataTable(id="found", cursor_type="row")
        yield Static(_("Enter on a name checks the person in · Ctrl+N registers a walk-in "
                       "· F1 help"), classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#found", DataTable)
        table.add_columns(_("Name"), _("Profile"), _("Town"))
        table.display = False

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.query_one("#scan", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """A scanner may fire while the results list has the focus: its characters go
        back to the scan input, so its Enter never picks the highlighted name."""
        scan = self.query_one("#scan", Input)
        if self.focused is not scan and event.is_printable and event.character:
            scan.focus()
            scan.insert_text_at_cursor(event.character)
            event.prevent_default()
            event.stop()

    # ------------------------------------------------------------- scanning
    @on(Input.Submitted, "#scan")
    def scanned(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        event.input.value = ""
        if not value:
            return
        if looks_like_pass(value):
            self.check_in(value, fall_back_to_search=("/" not in value))
        else:
            self.search(value)

    @work(group="checkin", exit_on_error=False)
    async def check_in(self, value: str, fall_back_to_search: bool = False) -> None:
        try:
            answer = await self.app.client.check_in(value)
        except ApiError as exc:
            if exc.status == 404:
                if fall_back_to_search:
                    self.search(value)
                    return
                self.show_result(outcome.UNKNOWN, "", [Text(exc.message)])
                return
            self.app.report(exc)
            return
        person = answer["participant"]
        lines = bookings_lines(person, self.app.event)
        seen = outcome.ALREADY if answer["already_checked_in"] else outcome.WELCOME
        self.show_result(seen, person["name"], [Text(person["profile"] or ""), *lines])
        self.app.refresh_data()

    def show_result(self, seen: outcome.Outcome, name: str, lines: list[Text]) -> None:
        outcome.show(self.query_one("#result", Static), seen, name, lines)
        self.query_one("#found", DataTable).display = False
        self.query_one("#scan", Input).focus()

    # ------------------------------------------------------------- searching
    @work(exclusive=True, group="search", exit_on_error=False)
    async def search(self, query: str) -> None:
        found = await self.call(self.app.client.search(query))
        if found is None:
            return
        self.found = found
        table = self.query_one("#found", DataTable)
        table.clear()
        for p in found:
            table.add_row(Text(p["name"]), Text(p["profile"] or ""), Text(p["commune"] or ""))
        table.display = bool(found)
        result = self.query_one("#result", Static)
        if found:
            result.set_classes("outcome info")
            result.update(Text(i18n.translate("%(count)s found for “%(query)s”: ↓ then Enter",
                                              {"count": len(found), "query": query})))
        else:
            result.set_classes(["outcome", outcome.UNKNOWN.css])
            result.update(Text(outcome.UNKNOWN.symbol + " " + i18n.translate(
                "Nobody found for “%(query)s”", {"query": query})))

    def action_results(self) -> None:
        if self.found and self.query_one("#found", DataTable).display:
            self.query_one("#found", DataTable).focus()

    def action_back_to_scan(self) -> None:
        self.query_one("#scan", Input).focus()

    @on(DataTable.RowSelected, "#found")
    def chosen(self, event: DataTable.RowSelected) -> None:
        self.check_in_person(self.found[event.cursor_row]["id"])

    @work(group="checkin", exit_on_error=False)
    async def check_in_person(self, participant_id: int) -> None:
        person = await self.call(self.app.client.participant(participant_id))
        if person is not None:
            self.check_in(person["pass_url"])

    # --------------------------------------------------------------- walk-in
    def action_walk_in(self) -> None:
        self.app.push_screen(RegisterScreen(self.app.event), self.registered)

    def registered(self, answer: dict[str, Any] | None) -> None:
        if answer is None:
            self.query_one("#scan", Input).focus()
            return
        self.check_in(answer["pass_url"])
        self.app.push_screen(PassScreen(answer["name"], answer["pass_url"]))
