"""The captive portal's welcome page and the poster, as a phone and a printer see them."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from tests.browser.conftest import new_phone, screenshot
from tests.conftest import free_port
from tests.qrcodes import decode_all_in


def test_the_welcome_page_lets_a_phone_continue_and_says_how_to_keep_the_pass(
        browser, make_server):
    server = make_server(extra=["--captive", "--dns-port", str(free_port())])
    context = new_phone(browser, javascript=False)
    page = context.new_page()
    page.goto(server.url + "/welcome")
    assert page.locator("h1").inner_text() == "Vous êtes sur le Wi-Fi de l'événement"
    assert server.url in page.locator("main").inner_text()
    screenshot(page, "captive-welcome")
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url(server.url + "/")
    page.goto(server.url + "/api/v1/captive")
    assert json.loads(page.locator("body").inner_text())["captive"] is False
    context.close()


def test_the_poster_prints_on_one_a4_page_with_two_readable_codes(browser, tmp_path):
    out = tmp_path / "poster.html"
    done = subprocess.run([sys.executable, "-m", "popup_tierslieu", "poster", "--out", str(out),
                           "--no-pdf", "--address", "10.42.0.1"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    page = context.new_page()
    page.goto(out.as_uri())
    pdf = page.pdf(format="A4", print_background=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # one sheet of paper
    codes = decode_all_in(page.content())
    assert codes[1] == "http://10.42.0.1/" and codes[0].startswith("WIFI:T:WPA;")
    screenshot(page, "poster")
    context.close()
