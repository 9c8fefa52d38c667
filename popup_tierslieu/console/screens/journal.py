"""The memory of the activities: the concierge's quick timestamped log, notes
written from the desk (published with the participants' notes, under the kit's
licence, credited to the concierge desk), and the latest notes, which Ctrl+X hides
from the portal, the screen and the export (or shows again).

Everything here was typed by someone: it is shown as plain ``Text``, never markup.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Input, Select, Static, TextArea

from ... import i18n
from ...domain.docs import KINDS
from .. import days
from .base import Section
from .dashboard import local_hour

_ = i18n.gettext


class JournalScreen(Section):
    DEFAULT_CSS = """
    JournalScreen #journal { height: 1fr; min-height: 5; }
    JournalScreen #notes { height: 1fr; min-height: 4; }
    JournalScreen #note-choices { height: auto; }
    JournalScreen #note-choices Select { width: 1fr; }
    JournalScreen #note-body { height: 7; }
    """
    BINDINGS = [Binding("ctrl+s", "publish", _("Publish the note")),
                Binding("ctrl+x", "hide", _("Hide or show the highlighted note"))]

    def body(self) -> ComposeResult:
        yield Static(_("Memory of the activities"), classes="title")
        yield DataTable(id="journal", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder=_("What just happened? Type a line for the log, then Enter"),
                    id="log-line", max_length=500)
        yield Static(_("A note for the documentation"), classes="title")
        with Horizontal(id="note-choices"):
            yield Select([(_(label), kind) for kind, label in KINDS.items()], value="worked",
                         allow_blank=False, id="note-kind")
            yield Select([], prompt=_("The event as a whole"), id="note-workshop")
        yield Input(placeholder=_("Title"), id="note-title", max_length=120)
        yield TextArea(id="note-body", placeholder=_("The note, in Markdown: what worked, "
                                                     "what didn't, ideas, tips…"))
        yield Static(_("Latest notes"), classes="title")
        yield DataTable(id="notes", cursor_type="row", zebra_stripes=True)
        yield Static(_("Enter adds the line to the log · Ctrl+S publishes the note · "
                       "Ctrl+X hides or shows the highlighted note · F1 help"),
                     classes="hint")

    def on_mount(self) -> None:
        self.workshops: list[tuple[str, str]] = []
        self.notes: list[dict[str, Any]] = []
        self.query_one("#journal", DataTable).add_columns(_("Time"), _("Text"))
        self.query_one("#notes", DataTable).add_columns(_("Title"), _("Kind"), _("By"), "")

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self.query_one("#log-line", Input).focus()

    def data_changed(self) -> None:
        workshops = [(f"{days.moment(w['start'], self.app.event)} {w['title']}", w["id"])
                     for w in self.app.event.get("workshops", [])]
        if workshops != self.workshops:
            self.workshops = workshops
            self.query_one("#note-workshop", Select).set_options(workshops)
        self.load()

    def server_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind in ("journal", "note"):
            self.load()

    @work(exclusive=True, group="journal", exit_on_error=False)
    async def load(self) -> None:
        entries = await self.call(self.app.client.journal())
        notes = await self.call(self.app.client.notes(all_notes=True))
        if entries is not None:
            self.show(entries)
        if notes is not None:
            self.show_notes(notes)

    def show_notes(self, notes: list[dict[str, Any]]) -> None:
        self.notes = notes
        table = self.query_one("#notes", DataTable)
        cursor = table.cursor_row
        table.clear()
        for note in notes:
            style = "dim strike" if note["hidden"] else ""
            kind = KINDS.get(note["kind"], note["kind"])
            table.add_row(Text(note["title"], style=style), _(kind),
                          Text(note["author"] or _("Anonymous")),
                          Text(_("hidden"), style="bold") if note["hidden"] else "")
        if notes:
            table.move_cursor(row=min(cursor, len(notes) - 1))

    def action_hide(self) -> None:
        if not self.notes:
            return
        note = self.notes[self.query_one("#notes", DataTable).cursor_row]
        self.hide(note["id"], not note["hidden"])

    @work(group="change", exit_on_error=False)
    async def hide(self, note_id: int, hidden: bool) -> None:
        if await self.call(self.app.client.hide_note(note_id, hidden)) is not None:
            self.load()

    def show(self, entries: list[dict[str, Any]]) -> None:
        table = self.query_one("#journal", DataTable)
        table.clear()
        for entry in entries:
            table.add_row(local_hour(entry["at"], self.app.event.get("timezone")),
                          Text(entry["text"]))
        if entries:
            table.move_cursor(row=len(entries) - 1)

    @on(Input.Submitted, "#log-line")
    def log_line(self, message: Input.Submitted) -> None:
        text = message.value.strip()
        if text:
            message.input.value = ""
            self.add_line(text)

    @work(group="change", exit_on_error=False)
    async def add_line(self, text: str) -> None:
        if await self.call(self.app.client.add_log_entry(text)) is not None:
            self.load()

    def action_publish(self) -> None:
        workshop = self.query_one("#note-workshop", Select).value
        form = {"title": self.query_one("#note-title", Input).value,
                "body": self.query_one("#note-body", TextArea).text,
                "kind": self.query_one("#note-kind", Select).value,
                "workshop_id": workshop if isinstance(workshop, str) else None}
        self.publish(form)

    @work(group="change", exit_on_error=False)
    async def publish(self, form: dict[str, Any]) -> None:
        answer = await self.call(self.app.client.add_note(form))
        if answer is None:
            return
        self.query_one("#note-title", Input).value = ""
        self.query_one("#note-body", TextArea).text = ""
        self.app.notify(_("Note published."))
