"""The paper route: print a participant's pass (A6, A4 or a receipt roll) or a workshop's
sign-in sheet from the desk. The data comes from the concierge API; the PDF is built and
printed on this laptop (where the printer is), off the UI loop."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from ... import i18n, paper
from ...errors import N_

if TYPE_CHECKING:
    from ..app import ConsoleApp

_ = i18n.gettext
SIZES = (("a6", _("A6 card")), ("a4", _("A4 page")), ("receipt", _("Receipt roll")))


class PaperChoice(ModalScreen[str | None]):
    """Which paper the pass goes on; the last choice has the focus, Escape cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", _("Cancel"))]
    last = "a6"

    def __init__(self, name: str) -> None:
        super().__init__()
        self.person = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(i18n.translate("Print the pass of %(name)s on:",
                                            {"name": self.person})), classes="question")
            with Horizontal(classes="buttons"):
                for size, label in SIZES:
                    yield Button(label, id=f"paper-{size}")

    def on_mount(self) -> None:
        self.query_one(f"#paper-{PaperChoice.last}", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        PaperChoice.last = str(event.button.id).removeprefix("paper-")
        self.dismiss(PaperChoice.last)


def ask_and_print_pass(app: ConsoleApp, participant_id: int, name: str) -> None:
    def chosen(size: str | None) -> None:
        if size:
            app.run_worker(print_pass(app, participant_id, size), group="paper",
                           exit_on_error=False)

    app.push_screen(PaperChoice(name), chosen)


async def print_pass(app: ConsoleApp, participant_id: int, size: str) -> None:
    person = await app.call(app.client.participant(participant_id))
    if person is not None:
        pdf = await asyncio.to_thread(paper.pass_pdf, person, app.event, size)
        await deliver(app, pdf, f"pass-{participant_id}.pdf", size)


async def print_sign_in_sheet(app: ConsoleApp, workshop_id: str) -> None:
    roster = await app.call(app.client.roster(workshop_id))
    if roster is not None:
        pdf = await asyncio.to_thread(paper.sign_in_pdf, roster, app.event)
        await deliver(app, pdf, f"sign-in-{workshop_id}.pdf", "a4")


async def deliver(app: ConsoleApp, pdf: bytes, name: str, size: str) -> None:
    try:
        done = await asyncio.to_thread(paper.deliver, pdf, app.paper_dir, name, size)
    except OSError as exc:
        app.notify(i18n.translate("Cannot write %(path)s: %(reason)s", {
            "path": str(app.paper_dir / name), "reason": exc.strerror or str(exc)}),
            severity="error", markup=False)
        return
    message = N_("Sent to the printer; the PDF is kept in %(path)s") if done.queued else (
        N_("No default printer: the PDF is in %(path)s"))
    app.notify(i18n.translate(message, {"path": str(done.path)}), markup=False, timeout=15)
