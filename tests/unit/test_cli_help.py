"""`popup --help` and every subcommand's help: French by default, English on request,
and every option explained."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from popup_tierslieu import i18n
from popup_tierslieu.cli import build_parser


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from parsers(child)


def help_text(lang: str, *path: str) -> str:
    token = i18n.current.set(lang)
    try:
        parser = build_parser()
        for name in path:
            parser = next(a for a in parser._actions
                          if isinstance(a, argparse._SubParsersAction)).choices[name]
        return parser.format_help()
    finally:
        i18n.current.reset(token)


@pytest.mark.parametrize("path", [(), ("up",), ("console",), ("kit", "check")])
def test_help_is_in_french_by_default(path):
    text = help_text("fr", *path)
    assert text.startswith("utilisation : popup")
    assert "Options:" in text and "afficher cette aide et quitter" in text
    for english in ("usage:", "options:", "show this help", "positional arguments"):
        assert english not in text


def test_help_is_in_english_when_asked():
    text = help_text("en", "up")
    assert text.startswith("usage: popup up") and "show this help message and exit" in text
    assert "address to listen on" in text


def test_every_option_of_every_command_has_help():
    token = i18n.current.set("fr")
    try:
        silent = [f"{p.prog} {a.option_strings or a.dest}" for p in parsers(build_parser())
                  for a in p._actions
                  if not a.help and not isinstance(a, argparse._SubParsersAction)]
        silent += [f"{p.prog} {c.dest}" for p in parsers(build_parser()) for a in p._actions
                   if isinstance(a, argparse._SubParsersAction)
                   for c in a._choices_actions if not c.help]
    finally:
        i18n.current.reset(token)
    assert not silent, silent


def test_a_bad_value_is_one_french_line(capsys):
    token = i18n.current.set("fr")
    try:
        with pytest.raises(SystemExit) as exit_:
            build_parser().parse_args(["up", "--port", "x"])
    finally:
        i18n.current.reset(token)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err == "popup: argument --port : valeur invalide (int attendu) : 'x' (popup --help)\n"
