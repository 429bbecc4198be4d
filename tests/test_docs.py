"""The README documents every command and every option (as datasette's docs tests do)."""

from __future__ import annotations

import re

import click
import pytest
from helpers import ROOT

from newsindex.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _section(command: str) -> str:
    """The README's text under ``### `newsindex COMMAND` ``, up to the next heading."""
    match = re.search(rf"^### `newsindex {command}`\n(.*?)(?=^##)", README, re.M | re.S)
    assert match, f"README has no section for `newsindex {command}`"
    return match.group(1)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_option_of_every_command_is_documented(name: str):
    section = _section(name)
    command = main.commands[name]
    for param in command.params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        for opt in [*param.opts, *param.secondary_opts]:
            if opt.startswith("--"):
                assert re.search(rf"{re.escape(opt)}\b", section), f"`newsindex {name}` does not document {opt}"
