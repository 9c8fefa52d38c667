"""Posting on the knowledge swap from a phone in a real browser (Debian's Chromium):
the offer reaches the board, and the person who asked sees it in "people who could
help you", then the announcement of the desk at the top of the pass."""

from __future__ import annotations

import httpx
import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_posting_an_offer_from_a_phone(server, phone):
    ana = server.register(name="Ana Lopez")
    bruno = server.register(name="Bruno Petit")
    httpx.post(server.url + "/api/v1/swap", headers={"Authorization": f"Bearer {bruno['token']}"},
               json={"kind": "request", "title": "Mon logiciel comptable bloque",
                     "category": "Gestion et comptabilité", "tags": ["compta"]}, timeout=10)

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
    # Ana's offer fits Bruno's request: she sees whom she could help.
    assert "Mon logiciel comptable bloque" in swap.inner_text()
    assert no_horizontal_scroll(phone)

    phone.goto(f"{server.url}/swap?kind=offer")
    assert "Tenir sa comptabilité d'indépendant" in phone.locator("#board").inner_text()
    assert "Mon logiciel comptable bloque" not in phone.locator("#board").inner_text()
    assert no_horizontal_scroll(phone)

    httpx.post(server.url + "/api/v1/announcements", headers=server.concierge,
               json={"text": "Les commandes de repas ferment à 12h"}, timeout=10)
    phone.goto(f"{server.url}/pass/{bruno['token']}")
    assert "Les commandes de repas ferment à 12h" in phone.locator("#announcements").inner_text()
    assert "Tenir sa comptabilité d'indépendant" in phone.locator("#swap").inner_text()
    screenshot(phone, "swap-matches")
