"""The participant's flows in Debian's Chromium on a phone, on one server whose kit
surrounds today: one registration per person, the programme by the event's clock, a
check-in QR that cannot manage the pass."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
from playwright.sync_api import expect

from ..conftest import Server, module_server
from ..integration.test_portal import registered
from ..portal_kit import write_clock_kit
from .conftest import new_phone
from .test_portal_browser import fill_registration

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("flows-browser")
    with module_server(folder, write_clock_kit(folder)) as server:
        yield server


def double_tap(page, selector: str) -> None:
    """Two taps 30 ms apart, wherever the button is, even if the first one disabled it."""
    box = page.locator(selector).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    page.wait_for_timeout(30)
    page.mouse.click(x, y)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_double_tap_then_back_and_submit_register_one_person(browser, portal, javascript):
    before = registered(portal)
    context = new_phone(browser, javascript=javascript)
    try:
        page = context.new_page()
        page.goto(portal.url + "/")
        fill_registration(page, "Lucie Vidal" if javascript else "Hugo Vidal")
        double_tap(page, "form[action^='/register'] button[type=submit]")
        # Without JavaScript the second tap sends the form again and the browser drops
        # the first navigation: poll the address rather than wait for one navigation.
        expect(page).to_have_url(re.compile(r"/pass/"))
        page.wait_for_load_state()
        pass_url = page.url
        page.go_back()
        page.wait_for_url(portal.url + "/")
        page.click("form[action^='/register'] button[type=submit]")
        page.wait_for_url("**/pass/**")
        assert page.url == pass_url
        page.goto(portal.url + "/charter")  # every entry page offers the pass it holds
        page.get_by_role("link", name="Ouvrir mon pass").click()
        assert page.url == pass_url
    finally:
        context.close()
    assert registered(portal) == before + 1


def test_a_past_workshop_offers_no_booking_and_the_check_in_qr_cannot_manage(browser,
                                                                              portal):
    person = portal.register(name="Inès Marchand")
    context = new_phone(browser)
    try:
        page = context.new_page()
        page.goto(person["pass_url"])
        past = page.locator("li.workshop", has_text="Atelier d'hier")
        assert "terminé" in past.inner_text() and past.locator("button").count() == 0
        running = page.locator("li.workshop", has_text="Fil rouge")
        assert "en cours" in running.inner_text()
        sizes = page.locator("#survey .scale label").evaluate_all(
            "labels => labels.map(l => [l.offsetWidth, l.offsetHeight])")
        assert sizes and all(w >= 44 and h >= 44 for w, h in sizes), sizes  # tap targets
        running.get_by_role("button", name="M'inscrire").click()
        assert page.locator("#flash").inner_text() == "Votre place est confirmée."
        with page.expect_download() as got:
            page.locator("li.workshop", has_text="Fil rouge").get_by_role(
                "link", name="Ajouter à mon agenda").click()
        (event,) = icalendar.Calendar.from_ical(
            Path(got.value.path()).read_bytes()).walk("VEVENT")
        assert str(event["summary"]) == "Fil rouge : imaginer le tiers-lieu"
        assert event.walk("VALARM")

        # Someone who photographed the QR in the queue opens what it encodes.
        stranger = new_phone(browser)
        other = stranger.new_page()
        other.goto(person["checkin_url"])
        assert other.locator("h1").inner_text() == "Présentez ce code à l'accueil"
        assert other.locator("form").count() == 0
        assert "Supprimer" not in other.content() and "Marchand" not in other.content()
        code = person["checkin_url"].rsplit("/", 1)[1]
        assert other.goto(f"{portal.url}/pass/{code}").status == 404
        assert other.goto(f"{portal.url}/pass/{code}/delete").status == 404
        stranger.close()
    finally:
        context.close()


def test_after_an_error_the_form_opens_at_it_and_the_language_switch_keeps_it(browser,
                                                                              portal):
    before = registered(portal)
    context = new_phone(browser)
    try:
        page = context.new_page()
        page.goto(portal.url + "/")
        page.fill("#name", "Élise Fabre")
        page.fill("#email", "elise@exemple.org")
        page.click("form[action^='/register'] button[type=submit]")
        assert page.evaluate("document.activeElement.id") == "profile"
        assert page.locator(".error-summary a[href='#commune']").inner_text() == "Votre commune"
        page.get_by_role("button", name="EN", exact=True).click()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.input_value("#name") == "Élise Fabre"
        assert page.input_value("#email") == "elise@exemple.org"
        page.select_option("#profile", "Indépendant·e")
        page.fill("#commune", "Lacoste")
        page.check("#consent")
        page.check("#charter")
        page.click("form[action^='/register'] button[type=submit]")
        page.wait_for_url("**/pass/**")
        assert page.locator("h1").first.inner_text() == "My pass"
    finally:
        context.close()
    assert registered(portal) == before + 1


def test_a_parent_registers_a_child_who_gets_a_pass_of_their_own(browser, portal):
    before = registered(portal)
    parent = portal.register(name="Claire Roux")
    context = new_phone(browser)
    try:
        page = context.new_page()
        page.goto(parent["pass_url"])
        section = page.locator("#companions")
        section.get_by_text("Inscrire quelqu'un avec moi").click()
        page.fill("#companion-name", "Théo Roux")
        assert page.input_value("#companion-commune") == "Lourmarin"
        page.select_option("#companion-profile", "Habitant·e")
        page.check("#companion-consent")
        page.check("#companion-charter")
        section.get_by_role("button", name="Inscrire cette personne").click()
        assert page.locator("#flash").inner_text().endswith(
            "est inscrit·e, avec son propre pass ci-dessous.")
        child = page.locator(".companion", has_text="Théo Roux")
        assert child.locator(".qr svg").is_visible()
        child.get_by_role("link", name="Ouvrir son pass").click()
        assert page.locator("h1").first.inner_text() == "Mon pass"
        assert "Théo Roux" in page.locator(".pass .who").inner_text()
        assert page.url != parent["pass_url"]
    finally:
        context.close()
    assert registered(portal) == before + 2


@pytest.fixture(scope="module")
def big_photo(tmp_path_factory) -> Path:
    """A real phone-sized photo above the 8 MB limit (noise does not compress)."""
    from PIL import Image

    path = tmp_path_factory.mktemp("photo") / "IMG_2041.jpg"
    size = (4000, 3000)  # 12 megapixels, as phones take them
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(path, quality=95)
    assert path.stat().st_size > 8 * 1024 * 1024
    return path


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_big_photo_is_shrunk_on_the_phone_or_refused_with_the_note_kept(browser, portal,
                                                                         big_photo,
                                                                         javascript):
    person = portal.register(name="Agathe Morel")
    context = new_phone(browser, javascript=javascript)
    try:
        page = context.new_page()
        page.goto(f"{portal.url}/pass/{person['token']}/notes/new")
        page.fill("#note-title", "La grande table")
        typed = "Tout le monde a mangé ensemble, même les élus."
        page.fill("#note-body", typed)
        page.set_input_files("#note-gallery", str(big_photo))
        page.get_by_role("button", name="Publier ma note").click()
        page.wait_for_load_state()
        if javascript:  # shrunk by the phone, then published with its photo
            expect(page).to_have_url(re.compile(r"/notes/\d+$"))
            assert page.locator("img[src^='/photos/']").count() == 1
        else:  # the server's limit: 413, the note still there to send without the photo
            assert "Cette photo est trop lourde" in page.locator("#note-file-error").inner_text()
            assert page.input_value("#note-body") == typed
            assert page.input_value("#note-title") == "La grande table"
    finally:
        context.close()
