"""Every command's --help reads like a manual: each option has help text and a real metavar (issue 14)."""

from __future__ import annotations

import re

import click
import typer.main
from typer.testing import CliRunner

from sanctionwatch.cli.main import app


def _commands(group: click.Command, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out = [(prefix, group)]
    if isinstance(group, click.Group):
        for name, cmd in group.commands.items():
            out += _commands(cmd, (*prefix, name))
    return out


ROOT = typer.main.get_command(app)
COMMANDS = _commands(ROOT)


def test_every_option_has_help_and_a_real_metavar():
    missing, pythonic = [], []
    for path, cmd in COMMANDS:
        for p in cmd.params:
            if isinstance(p, click.Option) and not (p.help or "").strip():
                missing.append(f"{' '.join(path)} {p.opts[0]}")
    runner = CliRunner()
    for path, _ in COMMANDS:
        r = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert r.exit_code == 0, (path, r.output)
        if re.search(r"<list\[str\]>|Store directory \.|Store directory[^\n]*\s\.\s", r.output):
            pythonic.append(" ".join(path))
    assert not missing, "options without help: " + ", ".join(missing)
    assert not pythonic, "help with Python-type metavars or the stray dot: " + ", ".join(pythonic)


def test_store_help_names_the_env_var_and_default():
    r = CliRunner().invoke(app, ["risk", "--help"], env={"COLUMNS": "300"})
    assert "SANCTIONWATCH_STORE" in r.output and "./sw-store" in r.output
