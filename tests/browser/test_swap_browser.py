"""Posting on the knowledge swap from a phone in a real browser (Debian's Chromium):
the offer reaches the board and, live, the pass of the person who asked ("people who
could help you"); then the desk's announcement reaches the top of that pass."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from .conftest import new_phone, screenshot

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_posting_an_offer_from_a_phone(server, browser, phone):
    ana = server.register(name="Ana Lopez")
    bruno = server.register(name="Bruno Petit")
    httpx.post(server.url + "/api/v1/swap", headers={"Authorization": f"Bearer {bruno['token']}"},
               json={"kind": "request", "title": "Mon logiciel comptable bloque",
                     "category": "Gestion et comptabilité", "tags": ["compta"]}, timeout=10)
    other = new_phone(browser)
    bruno_pass = other.new_page()
    bruno_pass.goto(f"{server.url}/pass/{bruno['token']}")
    expect(bruno_pass.locator("#swap")).to_contain_text("Publiez une offre pour voir")

    phone.goto(f"{server.url}/pass/{ana['token']}")
    if not phone.locator("#swap-title").is_visible():  # the form is open until one posts
        phone.locator("#swap-new summary").click()
    phone.check("#kind-offer")
    phone.fill("#swap-title", "Tenir sa comptabilité d'indépendant")
    phone.fill("#swap-description", "Livre des recettes, URSSAF, un logiciel gratuit.")
    phone.select_option("#swap-category", "Gestion et comptabilité")
    phone.fill("#swap-tags", "compta, urssaf")
    screenshot(phone, "swap-post-offer")
    phone.click("#swap-new button[type=submit]")
    phone.wait_for_url(f"**/pass/{ana['token']}")
    assert phone.locator("#flash").inner_text() == "Votre annonce est sur le tableau."
    swap = phone.locator("#swap")
    assert "Tenir sa comptabilité d'indépendant" in swap.inner_text()
    # Ana's offer fits Bruno's request: she sees whom she could help...
    assert "Mon logiciel comptable bloque" in swap.inner_text()
    assert no_horizontal_scroll(phone)
    # ...and Bruno's open pass shows who could help him, without a reload.
    expect(bruno_pass.locator("#swap")).to_contain_text("Tenir sa comptabilité d'indépendant")

    httpx.post(server.url + "/api/v1/announcements", headers=server.concierge,
               json={"text": "Les commandes de repas ferment à 12h"}, timeout=10)
    expect(bruno_pass.locator("#announcements")).to_contain_text(
        "Les commandes de repas ferment à 12h")
    screenshot(bruno_pass.locator("#swap"), "swap-matches")
    other.close()

    phone.goto(f"{server.url}/swap?kind=offer")
    assert "Tenir sa comptabilité d'indépendant" in phone.locator("#board").inner_text()
    assert "Mon logiciel comptable bloque" not in phone.locator("#board").inner_text()
    assert "Les commandes de repas ferment à 12h" in phone.locator("#announcements").inner_text()
    assert no_horizontal_scroll(phone)
