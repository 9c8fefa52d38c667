"""Printed passes on a laptop without a Unicode TrueType font: Helvetica, Latin-1."""

from __future__ import annotations

import pypdfium2
import zxingcpp

from popup_tierslieu import paper

EVENT = {"name": "Tiers-lieu éphémère", "slots": [], "spaces": []}


def test_without_a_unicode_font_the_pass_still_prints_and_scans(monkeypatch):
    monkeypatch.setattr(paper, "FONT_DIRS", ())
    person = {"name": "Hélène Yılmaz", "checkin_url": "http://10.42.0.1/c/" + "k" * 22,
              "registrations": [], "seats": []}
    page = pypdfium2.PdfDocument(paper.pass_pdf(person, EVENT, "receipt"))[0]
    text = page.get_textpage().get_text_range()
    assert "Hélène Y?lmaz" in text and "Aucun atelier ni poste réservé." in text
    codes = zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil())
    assert [c.text for c in codes] == [person["checkin_url"]]
