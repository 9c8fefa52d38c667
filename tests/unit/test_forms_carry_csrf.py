"""Every form that posts carries the CSRF field the server checks (web/security.py):
a form without it would be refused to every visitor."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "popup_tierslieu" / "web" / "templates"
POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
FIELD = '<input type="hidden" name="csrf" value="{{ csrf }}">'


def test_every_post_form_carries_the_csrf_field():
    forms = 0
    problems = []
    for template in sorted(TEMPLATES.glob("**/*.html")):
        text = template.read_text(encoding="utf-8")
        for form in POST_FORM.finditer(text):
            forms += 1
            if FIELD not in form.group(1):
                line = text[: form.start()].count("\n") + 1
                problems.append(f"{template.relative_to(TEMPLATES)}:{line}")
    assert forms >= 1
    assert not problems, "forms without " + FIELD + ": " + ", ".join(problems)
