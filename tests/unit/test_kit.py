"""Kit validation: good kits pass, each kind of mistake is reported with its line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from popup_tierslieu import kit
from popup_tierslieu.kit import default_kit, parse, starter_text

from ..conftest import KITS


def test_the_embedded_kit_is_valid():
    k = default_kit()
    assert k.workshops and k.survey and k.coworking_spaces
    assert k.licence == "CC-BY-SA-4.0"


def test_example_kits_pass_kit_check():
    paths = sorted(KITS.glob("*.toml"))
    assert len(paths) >= 3
    for path in paths:
        result = subprocess.run([sys.executable, "-m", "popup_tierslieu", "kit", "check",
                                 str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def problems_of(text):
    parsed, problems = parse(text)
    assert parsed is None
    return problems


def line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize("old, new, path", [
    ('capacity = 12', 'capacity = "douze"', "workshops[1].capacity"),
    ('room = "salle-1"', 'room = "grenier"', "workshops[1].room"),
    ('slug = "tiers-lieu-ephemere"', 'slug = "Tiers Lieu!"', "event.slug"),
    ('timezone = "Europe/Paris"', 'timezone = "Mars/Olympus"', "event.timezone"),
    ('security = "WPA"', 'security = "WPA9"', "wifi.security"),
    ('licence = "CC-BY-SA-4.0"', 'licence = "GPL"', "docs.licence"),
    ('kind = "multiple"', 'kind = "checkbox"', "survey[2].kind"),
    ('time = "08:30"', 'time = "8h30"', "checklist[1].time"),
    ('seats = 12', 'seats = 0', "spaces[1].seats"),
    ('capacity = 12', 'capcity = 12', "workshops[1].capcity"),
])
def test_each_mistake_is_found_with_its_line_and_a_fix(old, new, path):
    text = starter_text().replace(old, new, 1)
    problems = problems_of(text)
    found = [p for p in problems if p.path == path]
    assert found, [str(p) for p in problems]
    assert found[0].line == line_of(text, new)
    assert found[0].fix


def test_dates_outside_the_event_and_inverted_times():
    text = starter_text(kit.dt.date(2026, 6, 12))
    text = text.replace("start = 2026-06-12T10:30:00", "start = 2026-07-01T10:30:00", 1)
    paths = {p.path for p in problems_of(text)}
    assert "workshops[1].start" in paths


def test_syntax_errors_give_the_line():
    problems = problems_of('[event]\nname = "x\n')
    assert problems[0].line == 2


def test_unknown_sections_are_reported():
    problems = problems_of(starter_text() + "\n[wiifi]\nssid = 'x'\n")
    assert any(p.path == "wiifi" for p in problems)


def test_kit_new_writes_a_kit_that_checks(tmp_path):
    target = tmp_path / "mon-kit.toml"
    run = [sys.executable, "-m", "popup_tierslieu", "kit"]
    assert subprocess.run([*run, "new", str(target)]).returncode == 0
    assert "# " in target.read_text()  # commented for the organiser
    checked = subprocess.run([*run, "check", str(target)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    again = subprocess.run([*run, "new", str(target)], capture_output=True, text=True)
    assert again.returncode == 1 and "--force" in again.stderr
    assert "Traceback" not in again.stderr


def test_kit_new_where_a_file_or_folder_is_in_the_way_is_one_line_with_the_fix(tmp_path):
    (tmp_path / "notes.txt").write_text("pas un dossier")
    (tmp_path / "kits").mkdir()
    for target in (tmp_path / "notes.txt" / "kit.toml", tmp_path / "kits"):
        answer = subprocess.run([sys.executable, "-m", "popup_tierslieu", "kit", "new",
                                 str(target), "--force"], capture_output=True, text=True)
        assert answer.returncode == 1 and "Traceback" not in answer.stderr, answer.stderr
        (line,) = answer.stderr.strip().splitlines()
        assert line.startswith(f"popup: Impossible d'écrire {target} : ")
        assert line.endswith("Solution : choisissez un autre nom de fichier.")


def test_kit_check_prints_every_problem_on_its_own_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(starter_text().replace("seats = 12", "seats = -1").replace(
        'security = "WPA"', 'security = "?"'))
    result = subprocess.run([sys.executable, "-m", "popup_tierslieu", "kit", "check", str(bad)],
                            capture_output=True, text=True)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(f"{bad}:") for line in lines)
    assert "Traceback" not in result.stderr
