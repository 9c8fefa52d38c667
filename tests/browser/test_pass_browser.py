"""The pass page on a phone: a menu that jumps to each section of a long page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..conftest import Server, module_server
from ..portal_kit import write_portal_kit
from .conftest import new_phone
from .test_portal_browser import fill_registration

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def portal(tmp_path_factory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("pass-browser")
    with module_server(folder, write_portal_kit(folder)) as shared:
        yield shared


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


# Left edges of the first two letters of each text: swapped, the text reads backwards
# (two neighbours, so a line break in the text cannot fool it).
READING_ORDER = """(selector) => {
  const box = document.querySelector(selector);
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  const lefts = {};
  const left = (node, at) => { const r = document.createRange();
    r.setStart(node, at); r.setEnd(node, at + 1); return r.getBoundingClientRect().left; };
  while (walker.nextNode()) {
    const node = walker.currentNode, text = node.textContent.trim();
    if (text.length < 2) continue;
    const start = node.textContent.indexOf(text[0]);
    lefts[text] = [left(node, start), left(node, start + 1)];
  }
  return lefts;
}"""


def test_a_name_with_a_right_to_left_override_reorders_nothing_around_it(browser, portal):
    """The store removes such characters at the input; the pages isolate every visitor
    name anyway (a name from before the cleaning, or a character it does not know)."""
    context = new_phone(browser)
    try:
        page = context.new_page()
        page.goto(portal.url + "/")
        fill_registration(page, "Amina \u202eBenali")
        page.click("form[action='/register'] button[type=submit]")
        page.wait_for_url("**/pass/**")
        lefts = page.evaluate(READING_ORDER, ".pass .who")
        for text in ("Indépendant·e", "Ménerbes"):
            (key,) = [k for k in lefts if text in k]
            assert lefts[key][0] < lefts[key][1], (text, lefts)
        # The welcome page names the pass this phone holds, then offers to open it.
        page.goto(portal.url + "/")
        lefts = page.evaluate(READING_ORDER, ".has-pass")
        first, last = lefts["Ouvrir mon pass"]
        assert first < last, lefts
    finally:
        context.close()


def test_a_name_that_kept_its_override_still_reorders_nothing(browser):
    """A name stored before the input cleaning existed: the page isolates it."""
    from popup_tierslieu.kit import default_kit
    from popup_tierslieu.web import app  # noqa: F401  (registers the partials' helpers)
    from popup_tierslieu.web.render import render

    html = render("error.html", kit=default_kit(), lang="fr", path="/", message="Introuvable",
                  mine={"name": "Amina \u202eBenali", "token": "x"})
    context = new_phone(browser)
    try:
        page = context.new_page()
        page.set_content(html)
        first, last = page.evaluate(READING_ORDER, ".has-pass")["Ouvrir mon pass"]
        assert first < last
    finally:
        context.close()
