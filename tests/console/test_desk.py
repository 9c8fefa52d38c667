"""The arrivals desk against a real server on loopback."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from popup_tierslieu import i18n

from .conftest import console_for, scan, screen_text, text_of, until

_ = i18n.gettext


def figures(app) -> str:
    return text_of(app.screen.query_one(".figures"))


async def test_scanning_a_pass_url_moves_the_checked_in_count(server):
    person = server.register(name="Hélène Roux")
    app = console_for(server)
    async with app.run_test(size=(110, 36)) as pilot:
        await until(pilot, lambda: app.stats, what="figures")
        assert f"{_('Checked in')} 0" in figures(app)
        assert app.screen.focused is app.screen.query_one("#scan", Input)
        await scan(pilot, person["pass_url"])
        await until(pilot, lambda: f"{_('Checked in')} 1" in figures(app), what="count 1")
        result = text_of(app.screen.query_one("#result"))
        assert "Hélène Roux" in result and "Habitant·e" in result
        app.screen.query_one("#scan", Input).value = person["pass_url"]
        await pilot.press("enter")
        await until(pilot, lambda: "warn" in app.screen.query_one("#result").classes)
        assert "Hélène Roux" in text_of(app.screen.query_one("#result"))
        app.screen.query_one("#scan", Input).value = "http://127.0.0.1/pass/AAAAAAAAAAAAAAAAAAAAAA"
        await pilot.press("enter")
        await until(pilot, lambda: "bad" in app.screen.query_one("#result").classes)
        assert _("Unknown pass") in text_of(app.screen.query_one("#result"))
        assert app.stats["checked_in"] == 1


async def test_search_without_accents_finds_the_person_and_checks_her_in(server):
    server.register(name="Hélène Roux")
    server.register(name="Bruno Petit")
    server.register(name="Ayşe Yılmaz")
    app = console_for(server)
    async with app.run_test(size=(110, 36)) as pilot:
        await until(pilot, lambda: app.stats)
        await scan(pilot, "helene")
        table = app.screen.query_one("#found", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="one result")
        assert str(table.get_row_at(0)[0]) == "Hélène Roux"
        await pilot.press("down", "enter")
        await until(pilot, lambda: "good" in app.screen.query_one("#result").classes)
        await until(pilot, lambda: app.stats["checked_in"] == 1)
        assert app.screen.focused is app.screen.query_one("#scan", Input)
        # Letters Unicode does not decompose are folded too: "yilmaz" finds "Yılmaz".
        await scan(pilot, "yilmaz")
        await until(pilot, lambda: table.display and table.row_count == 1, what="Yılmaz")
        assert str(table.get_row_at(0)[0]) == "Ayşe Yılmaz"
        await scan(pilot, "zorglub")
        await until(pilot, lambda: "Aucune personne trouvée pour « zorglub »" in screen_text(app),
                    what="French not-found message")


async def test_a_walk_in_is_registered_and_sees_their_pass_qr(server):
    app = console_for(server)
    async with app.run_test(size=(110, 50)) as pilot:
        await until(pilot, lambda: app.stats and app.event)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: app.screen.query("#walk-in"))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "" != text_of(app.screen.query_one("#error-name")),
                    what="field errors")
        await pilot.press(*"Zoé Walk-in")
        app.screen.query_one("#commune", Input).value = "Cucuron"
        app.screen.query_one("#profile").value = "Touriste"
        app.screen.query_one("#consent").value = True
        app.screen.query_one("#charter").value = True
        await pilot.press("ctrl+s")
        await until(pilot, lambda: app.screen.query("#pass-qr"), what="pass QR")
        qr_text = text_of(app.screen.query_one("#pass-qr"))
        assert "█" in qr_text and len(qr_text.splitlines()) > 10
        assert "/pass/" in text_of(app.screen.query_one("#pass-url"))
        await until(pilot, lambda: app.stats["registered"] == 1 and app.stats["checked_in"] == 1)
        await pilot.press("escape")
        await until(pilot, lambda: "Zoé Walk-in" in screen_text(app))


async def test_two_desks_checking_in_the_same_pass_count_it_once(server):
    person = server.register(name="Camille Martin")
    first, second = console_for(server), console_for(server)
    async with first.run_test(size=(100, 30)) as one, second.run_test(size=(100, 30)) as two:
        await until(one, lambda: first.stats)
        await until(two, lambda: second.stats)
        first.screen.query_one("#scan", Input).value = person["pass_url"]
        second.screen.query_one("#scan", Input).value = person["pass_url"]
        await one.press("enter")
        await two.press("enter")
        results = [a.screen.query_one("#result") for a in (first, second)]
        await until(one, lambda: all(r.classes & {"good", "warn"} for r in results))
        assert sorted(next(iter(r.classes & {"good", "warn"})) for r in results) == [
            "good", "warn"]
        await until(one, lambda: first.stats["checked_in"] == 1
                    and second.stats["checked_in"] == 1)
