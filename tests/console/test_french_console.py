"""The console speaks French a volunteer reads without stumbling, at any terminal size."""

from __future__ import annotations

import io

import httpx
from rich.color import ColorSystem
from rich.console import Console
from textual.command import CommandInput
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from popup_tierslieu.console.app import create_app
from popup_tierslieu.console.client import ApiClient
from tests.conftest import free_port

from .conftest import console_for, screen_text, text_of, toasts, until


def in_16_colours(widget) -> tuple[int, int, str]:
    """What a 16-colour terminal shows of a panel: its background and border colour
    numbers, and the border's line style (all NO_COLOR keeps)."""
    background = (widget.screen.styles.background + widget.styles.background).rich_color
    kind, colour = widget.styles.border_left
    return (background.downgrade(ColorSystem.STANDARD).number,
            colour.rich_color.downgrade(ColorSystem.STANDARD).number, kind)


async def test_scan_outcomes_differ_by_word_symbol_and_16_colour(server):
    person = server.register(name="Hélène Roux")
    app = console_for(server)
    seen = {}
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.stats)
        result = app.screen.query_one("#result")
        for text, label in ((person["pass_url"], "✔ Bienvenue · Hélène Roux"),
                            (person["pass_url"], "↺ Déjà arrivé·e · Hélène Roux"),
                            (server.url + "/pass/AAAAAAAAAAAAAAAAAAAAAA", "✖ Pass inconnu")):
            app.screen.query_one("#scan", Input).value = text
            await pilot.press("enter")
            await until(pilot, lambda label=label: text_of(result).startswith(label),
                        what=label)
            seen[label] = in_16_colours(result)
    backgrounds, borders, kinds = zip(*seen.values(), strict=True)
    assert len(set(backgrounds)) == len(set(borders)) == len(set(kinds)) == 3, seen


async def test_textual_s_own_words_are_french(server):
    app = console_for(server)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await until(pilot, lambda: app.stats)
        await pilot.press("f6")
        await until(pilot, lambda: app.current_mode == "checklist")
        await pilot.press("ctrl+c")
        await until(pilot, lambda: "Pour fermer la console : Ctrl+Q." in toasts(app),
                    what="French Ctrl+C notice")
        assert "to quit" not in toasts(app)
        footer = {k.key_display: k.description for k in app.screen.query(FooterKey)}
        assert footer.get("Espace") == "Cocher / décocher" and footer.get("^p") == "Commandes"
        await pilot.press("f3", "f1")
        await until(pilot, lambda: app.screen.query("#keys"))
        keys = text_of(app.screen.query_one("#keys"))
        assert "Échap" in keys and "Bas" in keys and "escape" not in keys.lower()
        await pilot.press("escape", "ctrl+p")
        await until(pilot, lambda: app.screen.query(CommandInput))
        assert app.screen.query_one(CommandInput).placeholder == "Chercher une commande…"
        await pilot.press(*"zqzqzq")
        await until(pilot, lambda: "Aucune commande trouvée" in "\n".join(screen_lines(app)),
                    what="French no-match line")


async def test_an_unreachable_server_is_explained_in_french():
    app = create_app(ApiClient(f"http://127.0.0.1:{free_port()}", "x" * 22, lang="fr"))
    async with app.run_test(size=(100, 24)) as pilot:
        await until(pilot, lambda: "connexion refusée" in screen_text(app), what="reason")
        assert "ConnectError" not in screen_text(app)


def screen_lines(app) -> list[str]:
    """The terminal as the concierge sees it, one string per row (what
    App.export_screenshot draws, as text)."""
    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(),
                      record=True, force_terminal=True, color_system=None,
                      legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens))
    return console.export_text().splitlines()


def dialog_text(app) -> str:
    """The words inside the open dialog's frame, lines joined."""
    box = app.screen.query_one(".dialog").content_region
    rows = screen_lines(app)[box.y:box.bottom]
    return " ".join(" ".join(row[box.x:box.right].split()) for row in rows)


def cut_footer_keys(app) -> list[str]:
    keys = list(app.screen.query(FooterKey))
    palette = [k.region.x for k in keys if "-command-palette" in k.classes]
    limit = palette[0] if palette else app.size.width
    return [f"{k.key_display} {k.description}" for k in keys
            if "-command-palette" not in k.classes and k.region.right > limit]


async def test_questions_footers_and_columns_fit_80_120_and_200_columns(server):
    ana = server.register(name="Ana Lopez")
    httpx.post(server.url + "/api/v1/desk/requests", timeout=10,
               headers={"Authorization": f"Bearer {ana['token']}"},
               json={"item": "Multiprise", "text": "Une rallonge de dix mètres pour la salle "
                     "du fond, près de la fenêtre, si possible avant midi"})
    app = console_for(server)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.stats and app.event)
        for key in ("f2", "f3", "f4", "f5", "f6", "f8", "f7"):
            await pilot.press(key)
            await pilot.pause(0.05)
            assert not cut_footer_keys(app), (key, cut_footer_keys(app))
        for width, height in ((120, 40), (80, 24)):
            await pilot.resize_terminal(width, height)
            await until(pilot, lambda: "Ana Lopez" in "\n".join(screen_lines(app)))
            assert "Depuis" in "\n".join(screen_lines(app)), width
        await pilot.press("f4")
        await until(pilot, lambda: app.screen.query_one("#workshops").row_count)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.query("#roster"))
        await pilot.press("ctrl+x")
        await until(pilot, lambda: app.screen.query(".dialog"))
        assert ("Annuler cet atelier ? Les inscriptions sont gardées pour mémoire."
                in dialog_text(app)), dialog_text(app)
        await pilot.press("escape", "escape")
        for width, height in ((80, 24), (200, 50)):
            await pilot.resize_terminal(width, height)
            await pilot.press("ctrl+q")
            await until(pilot, lambda: app.screen.query(".dialog"))
            assert ("Fermer la console ? Le serveur continue de tourner et de recueillir "
                    "les inscriptions.") in dialog_text(app), (width, dialog_text(app))
            await pilot.press("escape")
