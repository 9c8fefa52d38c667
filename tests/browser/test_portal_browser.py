"""The portal in a real browser (Debian's Chromium) on a phone: register, pass, workshop,
language, cancel; with and without JavaScript; the room's screen updating live."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from ..portal_kit import write_portal_kit
from .conftest import new_phone, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def portal(make_server, tmp_path):
    return make_server(kit=str(write_portal_kit(tmp_path)))


def fill_registration(page, name: str) -> None:
    page.fill("#name", name)
    page.select_option("#profile", "Indépendant·e")
    page.fill("#commune", "Ménerbes")
    page.check("#consent")
    page.check("#charter")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def walk_through(page, url: str, name: str, shots: bool) -> None:
    page.goto(url + "/")
    assert page.locator("html").get_attribute("lang") == "fr"
    fill_registration(page, name)
    if shots:
        screenshot(page, "registration")
    page.click("form[action='/register'] button[type=submit]")
    page.wait_for_url("**/pass/**")
    assert page.locator("h1").first.inner_text() == "Mon pass"
    assert page.locator(".qr svg").is_visible()
    assert name in page.locator(".pass .who").inner_text()
    if shots:
        screenshot(page.locator(".pass"), "pass")

    page.click("form[action$='/workshops/visio'] button")
    assert page.locator("#flash").inner_text() == "Votre place est confirmée."
    assert page.locator("#my-bookings").get_by_text("confirmé").is_visible()
    if shots:
        screenshot(page.locator("#programme"), "programme")

    page.click("a[hreflang='en']")
    assert page.locator("h1").first.inner_text() == "My pass"
    assert page.locator("html").get_attribute("lang") == "en"
    page.click("form[action$='/workshops/visio/cancel'] button")
    assert page.locator("#flash").inner_text() == "Your registration is cancelled."
    assert page.locator("#my-bookings").get_by_text("No booking yet.").is_visible()
    assert no_horizontal_scroll(page)


def test_register_book_switch_language_and_cancel_on_a_phone(browser, portal):
    context = new_phone(browser)
    try:
        walk_through(context.new_page(), portal.url, "Lina Moreau", shots=True)
    finally:
        context.close()


def test_the_same_without_javascript(browser, portal):
    context = new_phone(browser, javascript=False)
    try:
        walk_through(context.new_page(), portal.url, "Paul Fabre", shots=False)
    finally:
        context.close()


def test_nothing_scrolls_sideways_at_320_px(browser, portal):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(portal.url + "/")
        assert no_horizontal_scroll(page)
        labels = page.evaluate("""[...document.querySelectorAll('input:not([type=hidden]), select')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
            .map(el => el.name)""")
        assert labels == []
        fill_registration(page, "Anne-Sophie de La Tour-Vieille-Montagne")
        page.click("form[action='/register'] button[type=submit]")
        page.wait_for_url("**/pass/**")
        assert no_horizontal_scroll(page)
        page.goto(portal.url + "/screen")
        assert no_horizontal_scroll(page)
    finally:
        context.close()


def test_an_open_pass_shows_the_promotion_without_reload(browser, portal):
    people = [portal.register(name=f"Participant·e {n}") for n in range(6)]
    for person in people:  # "journee" has 5 places: the sixth waits
        httpx.post(portal.url + "/api/v1/workshops/journee/registrations",
                   headers={"Authorization": f"Bearer {person['token']}"}, timeout=10)
    context = new_phone(browser)
    try:
        page = context.new_page()
        page.goto(f"{portal.url}/pass/{people[5]['token']}")
        bookings = page.locator("#my-bookings")
        expect(bookings).to_contain_text("liste d'attente, position 1")
        page.wait_for_selector("#live[data-updated]", state="attached")
        page.evaluate("window.stillTheSamePage = true")
        httpx.request("DELETE", portal.url + "/api/v1/workshops/journee/registrations",
                      headers={"Authorization": f"Bearer {people[0]['token']}"}, timeout=10)
        expect(bookings).to_contain_text("confirmé", timeout=10_000)
        assert page.evaluate("window.stillTheSamePage") is True
        # A screen reader is told, through a polite status message.
        expect(page.locator("#live-status")).to_have_text("Vos réservations ont changé.")
    finally:
        context.close()


def test_the_screen_updates_live_when_someone_registers(browser, portal):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(portal.url + "/screen")
        places = page.locator("[data-workshop='journee']")
        assert places.inner_text() == "Places : 5"
        # live.js marks the board once its stream is open and it has refreshed.
        page.wait_for_selector("#live[data-updated]", state="attached")
        page.evaluate("window.stillTheSamePage = true")
        person = portal.register(name="Rémi Chabert")
        answer = httpx.post(portal.url + "/api/v1/workshops/journee/registrations",
                            headers={"Authorization": f"Bearer {person['token']}"}, timeout=10)
        assert answer.json()["status"] == "confirmed"
        expect(places).to_have_text("Places : 4", timeout=10_000)
        assert page.evaluate("window.stillTheSamePage") is True
        screenshot(page, "screen")
    finally:
        context.close()


def test_the_screen_recovers_by_itself_when_the_server_restarts(browser, portal):
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(portal.url + "/screen")
        page.wait_for_selector("#live[data-updated]", state="attached")
        page.evaluate("window.stillTheSamePage = true")
        portal.stop()
        portal.start()
        person = portal.register(name="Yanis Roche")
        httpx.post(portal.url + "/api/v1/workshops/journee/registrations",
                   headers={"Authorization": f"Bearer {person['token']}"}, timeout=10)
        expect(page.locator("[data-workshop='journee']")).to_have_text(
            "Places : 4", timeout=20_000)
        assert page.evaluate("window.stillTheSamePage") is True
    finally:
        context.close()
