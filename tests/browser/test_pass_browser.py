"""The pass page on a phone: a menu that jumps to each section of a long page."""

from __future__ import annotations

import pytest

from ..portal_kit import write_portal_kit
from .conftest import new_phone

pytestmark = pytest.mark.browser


@pytest.fixture
def portal(make_server, tmp_path):
    return make_server(kit=str(write_portal_kit(tmp_path)))


def in_view(page, selector: str) -> bool:
    return page.evaluate("""(sel) => { const box = document.querySelector(sel)
        .getBoundingClientRect(); return box.top >= 0 && box.top < window.innerHeight; }""",
                         selector)


def test_the_pass_menu_jumps_to_each_section_and_stays_at_hand(browser, portal):
    person = portal.register(name="Inès Garnier")
    context = new_phone(browser, javascript=False)
    try:
        page = context.new_page()
        page.goto(f"{portal.url}/pass/{person['token']}")
        menu = page.locator("nav.pass-menu")
        labels = [text.strip() for text in menu.locator("a").all_inner_texts()]
        assert labels[0] == "Réservations" and labels[-1] == "Mes données"
        assert {"Ateliers", "Troc", "Documenter", "Avis"} <= set(labels)
        assert not in_view(page, "#privacy")
        menu.get_by_role("link", name="Mes données").click()
        assert in_view(page, "#privacy")
        assert page.locator("#privacy h2").is_visible()
        assert in_view(page, "nav.pass-menu")  # still at the top, to jump back
        menu.get_by_role("link", name="Ateliers").click()
        assert in_view(page, "#programme")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
