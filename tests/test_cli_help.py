"""Every command's --help reads like a manual: each option has help text and a real metavar (issue 14).

typer >= 0.2x vendors its own click (`typer._click`), so the tree is walked by duck typing (`.commands`,
`param_type_name`), not `isinstance(..., click.Group)` - which silently matched only the root before.
"""

from __future__ import annotations

import re

import typer.main
from typer.testing import CliRunner

from sanctionwatch.cli.main import app

PYTHON_TYPE = re.compile(r"<(?:bool|int|float|str|path|list\[[^\]]*\]|[a-z_]+)>")


def _commands(group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], object]]:
    out = [(prefix, group)]
    for name, cmd in getattr(group, "commands", {}).items():
        out += _commands(cmd, (*prefix, name))
    return out


ROOT = typer.main.get_command(app)
COMMANDS = _commands(ROOT)


def _help(path: tuple[str, ...]) -> str:
    r = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "250"})
    assert r.exit_code == 0, (path, r.output)
    return r.output


def test_the_walk_reaches_every_command():
    names = {" ".join(p) for p, _ in COMMANDS}
    assert len(COMMANDS) > 30, names  # the walk must descend into groups (it silently did not under typer 0.29)
    assert {"events", "claims check", "trade mirror", "lists build", "bgp upstreams"} <= names


def test_every_option_has_help_and_a_real_metavar():
    missing, pythonic = [], []
    for path, cmd in COMMANDS:
        for p in cmd.params:
            if p.param_type_name == "option" and not p.hidden and not (p.help or "").strip():
                missing.append(f"{' '.join(path)} {p.opts[0]}")
    for path, _ in COMMANDS:
        out = _help(path)
        found = PYTHON_TYPE.findall(out)
        if found or re.search(r"Store directory \.|Store directory[^\n]*\s\.\s", out):
            pythonic.append(f"{' '.join(path) or 'sanctionwatch'} {sorted(set(found))}")
    assert not missing, "options without help: " + ", ".join(missing)
    assert not pythonic, "help with Python-type metavars or the stray dot: " + ", ".join(pythonic)


def test_every_format_option_lists_the_same_formats():
    helps = {}
    for path, cmd in COMMANDS:
        for p in cmd.params:
            if p.param_type_name == "option" and "--format" in p.opts:
                helps[" ".join(path)] = p.help
    assert len(helps) >= 8, helps
    from sanctionwatch.cli.common import FORMATS_HELP

    assert all(h.startswith(FORMATS_HELP) for h in helps.values()), helps


def test_claims_check_has_one_json_switch():
    out = _help(("claims", "check"))
    assert "--format" in out and "--json" not in out  # --json stays only as a hidden deprecated alias
    assert "[[claim]]" in out  # rich markup no longer eats the TOML table name


def test_events_has_the_api_filters():
    out = _help(("events",))
    assert all(o in out for o in ("--start", "--end", "--bbox", "MINLON,MINLAT,MAXLON,MAXLAT"))


def test_store_help_names_the_env_var_and_default():
    r = CliRunner().invoke(app, ["risk", "--help"], env={"COLUMNS": "300"})
    assert "SANCTIONWATCH_STORE" in r.output and "./sw-store" in r.output


def test_defaults_are_shown():
    out = _help(("risk",))
    assert "[default: 50]" in out and "[default: table]" in out
