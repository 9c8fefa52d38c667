"""The console speaks French a volunteer reads without stumbling, at any terminal size."""

from __future__ import annotations

from textual.widgets import DataTable

from .conftest import console_for, scan, screen_text, until


async def test_search_folds_dotless_i_and_says_nobody_in_french(server):
    server.register(name="Ayşe Yılmaz")
    app = console_for(server)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.stats)
        await scan(pilot, "yilmaz")
        table = app.screen.query_one("#found", DataTable)
        await until(pilot, lambda: table.row_count == 1, what="Yılmaz found")
        assert str(table.get_row_at(0)[0]) == "Ayşe Yılmaz"
        await scan(pilot, "zorglub")
        await until(pilot, lambda: "Aucune personne trouvée pour « zorglub »" in screen_text(app),
                    what="French not-found message")
