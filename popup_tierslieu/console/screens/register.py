"""Register a walk-in at the desk: the same form and the same checks as the portal."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from ... import i18n
from ..client import ApiError
from .base import ReportsFailures

_ = i18n.gettext


class RegisterScreen(ReportsFailures, ModalScreen[dict[str, Any] | None]):
    """Dismissed with the server's answer plus the name, or None when cancelled."""

    BINDINGS = [Binding("escape", "dismiss(None)", _("Cancel")),
                Binding("ctrl+s", "save", _("Register them"))]

    def __init__(self, event: dict[str, Any]) -> None:
        super().__init__()
        self.event = event

    def compose(self) -> ComposeResult:
        profiles = [(p, p) for p in self.event.get("profiles", [])]
        charter = self.event.get("charter", {}).get("required", False)
        with VerticalScroll(classes="dialog wide", id="walk-in"):
            yield Label(_("New participant (walk-in)"), classes="heading")
            yield Input(placeholder=_("Name"), id="name")
            yield Static("", id="error-name", classes="error")
            yield Select(profiles, prompt=_("Profile"), id="profile")
            yield Static("", id="error-profile", classes="error")
            yield Input(placeholder=_("Town"), id="commune")
            yield Static("", id="error-commune", classes="error")
            yield Input(placeholder=_("E-mail (optional)"), id="email")
            yield Static("", id="error-email", classes="error")
            yield Checkbox(_("Agrees that we keep their data for this event"), id="consent")
            yield Static("", id="error-consent", classes="error")
            if charter:
                yield Checkbox(_("Accepts the charter of use"), id="charter")
                yield Static("", id="error-charter", classes="error")
            yield Checkbox(_("May be contacted by the future tiers-lieu"), id="contact_optin")
            yield Static("", id="error-other", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(_("Register them"), id="save", variant="primary")
                yield Button(_("Cancel"), id="cancel")
            yield Static(_("Ctrl+S registers · Escape cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def form(self) -> dict[str, Any]:
        profile = self.query_one("#profile", Select).value
        form: dict[str, Any] = {
            "name": self.query_one("#name", Input).value,
            "commune": self.query_one("#commune", Input).value,
            "email": self.query_one("#email", Input).value,
            "profile": profile if isinstance(profile, str) else None,
            "lang": self.app.client.lang,  # type: ignore[attr-defined]
        }
        for box in self.query(Checkbox):
            form[box.id or ""] = box.value
        return form

    def action_save(self) -> None:
        self.save(self.form())

    @work(exclusive=True, exit_on_error=False)
    async def save(self, form: dict[str, Any]) -> None:
        for message in self.query(".error"):
            message.update("")  # type: ignore[attr-defined]
        try:
            answer = await self.app.client.register(form)  # type: ignore[attr-defined]
        except ApiError as exc:
            if not exc.fields:
                self.app.report(exc)  # type: ignore[attr-defined]
                return
            other = []
            for field, message in exc.fields.items():
                target = self.query(f"#error-{field}")
                if target:
                    target.first(Static).update(Text(message))
                else:
                    other.append(message)
            self.query_one("#error-other", Static).update(Text(" ".join(other)))
            self.notify(exc.message, severity="warning", markup=False)
            return
        self.dismiss({**answer, "name": form["name"].strip()})
