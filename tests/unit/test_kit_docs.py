"""docs/kit.md cannot drift from kit.py: every section, key, kind, measure and licence the
validator accepts has its row in the reference (as datasette checks its settings)."""

from __future__ import annotations

import re

import pytest

from popup_tierslieu import kit

from ..conftest import ROOT

DOC = (ROOT / "docs" / "kit.md").read_text(encoding="utf-8")


def section_text(section: str) -> str:
    """The part of the reference under the section's own heading."""
    header = f"[[{section}]]" if section in kit._ARRAYS else f"[{section}]"
    parts = re.split(r"^## ", DOC, flags=re.M)
    found = [p for p in parts if p.startswith(f"`{header}`")]
    assert found, f"docs/kit.md has no heading for {header}"
    return found[0]


def row_of(text: str, key: str) -> list[str] | None:
    for line in text.splitlines():
        if line.startswith(f"| `{key}` |"):
            return [cell.strip() for cell in line.strip("|").split("|")]
    return None


@pytest.mark.parametrize("section, key", sorted(
    (section, key) for section, keys in kit._SECTIONS.items() for key in keys))
def test_every_kit_key_is_documented_in_its_section(section, key):
    row = row_of(section_text(section), key)
    assert row is not None, f"docs/kit.md: no row for `{key}` under [{section}]"
    assert len(row) == 5 and all(row[1:4]), f"type, default and example of {key}: {row}"


@pytest.mark.parametrize("key", sorted(kit.DEFAULTS_BUDGET))
def test_documented_budget_defaults_are_the_real_ones(key):
    default = row_of(section_text("budget"), key)[2]
    assert float(default.strip("`")) == kit.DEFAULTS_BUDGET[key]


def test_kinds_measures_formulas_and_licences_are_documented():
    survey = section_text("survey")
    for name in (*kit.SURVEY_KINDS, *kit.MEASURES, *kit.PRICE_FORMULAS):
        assert f"`{name}`" in survey or f'`"{name}"`' in survey, name
    for measure in kit.MEASURES:
        assert row_of(survey, measure), f"no row for the measure {measure}"
    docs = section_text("docs")
    for licence in kit.LICENCES:
        assert row_of(docs, licence), f"no row for the licence {licence}"
    for localized in kit._LOCALIZED:
        assert f"`{localized}`" in DOC.split("## `[event]`")[0], localized
