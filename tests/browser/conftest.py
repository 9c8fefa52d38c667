"""A real browser: Debian's Chromium driven by Playwright, on a phone-sized viewport."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# Chromium must not reach for the closed network at start-up (see the machine notes).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """One Chromium per test module. Not per session: Playwright's sync API keeps an
    event loop running until it stops, which would break the asyncio tests (Textual
    pilots) that run after the browser tests in the same pytest session."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: .ci/run installs it with apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


def new_phone(browser, locale: str = "fr-FR", javascript: bool = True):
    context = browser.new_context(viewport=PHONE, locale=locale, java_script_enabled=javascript,
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def phone(browser) -> Iterator:
    """A French phone with JavaScript; use ``new_phone`` for other set-ups."""
    context = new_phone(browser)
    yield context.new_page()
    context.close()


def screenshot(target, name: str) -> Path:
    """Take a screenshot of a page (whole) or of one element (a Playwright locator);
    keep it for the guides in docs/screenshots/ when it
    is missing or when POPUP_SCREENSHOTS=1 asks for fresh ones (each run differs by its
    port and QR codes, so ordinary runs leave the committed pictures alone)."""
    import os

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    is_page = hasattr(target, "goto")
    picture = target.screenshot(full_page=True) if is_page else target.screenshot()
    assert picture.startswith(b"\x89PNG") and len(picture) > 1000
    if os.environ.get("POPUP_SCREENSHOTS") == "1" or not path.exists():
        path.write_bytes(picture)
    return path
