"""docs/organiser.md names only commands and options that exist, and the example kits it
shows."""

from __future__ import annotations

import argparse
import re

from popup_tierslieu.cli import build_parser

from ..conftest import KITS, ROOT

DOC = (ROOT / "docs" / "organiser.md").read_text(encoding="utf-8")


def subparsers() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in build_parser()._actions
                  if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_popup_command_in_the_guide_exists():
    commands = subparsers()
    named = set(re.findall(r"(?:`|^\$? ?)popup ([a-z]+)\b", DOC, flags=re.M))
    assert {"up", "console", "stop", "kit", "report", "export"} <= named
    assert named <= set(commands), named - set(commands)


def test_the_options_of_popup_up_in_the_guide_exist():
    up = subparsers()["up"]
    known = {option for action in up._actions for option in action.option_strings}
    table = DOC.split("## Run the portal and the console")[1].split("**What it prints")[0]
    documented = set(re.findall(r"^\| `(--[a-z-]+)", table, flags=re.M))
    assert len(documented) >= 6
    assert documented <= known, documented - known


def test_the_example_kits_named_exist():
    named = set(re.findall(r"`(?:kits/)?([a-z0-9-]+\.toml)`", DOC)) - {"mon-kit.toml",
                                                                         "kit.toml"}
    assert len(named) >= 3
    for name in named:
        assert (KITS / name).exists(), name
