"""The `sanctionwatch` command: a thin typer front over the packages (no logic of its own here).

Each area registers its commands from its own module (`cli/<area>.py`, a `register(app)` function),
so that adding a command touches one file plus one name in `COMMAND_MODULES`.
"""

from __future__ import annotations

import importlib
import sys

import typer
from typer.core import TyperGroup

from sanctionwatch import __version__
from sanctionwatch.cli.common import apply_metavars, set_quiet


class _Root(TyperGroup):
    """The root group: before any command runs (or prints --help), every option gets a real metavar."""

    def main(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        apply_metavars(self)
        return super().main(*args, **kwargs)


app = typer.Typer(
    cls=_Root,
    name="sanctionwatch",
    help="Open data to evidence of sanctions evasion: AIS behaviour, list screening, trade flows, BGP routing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = ("ingest", "query", "demo", "serve", "report", "screen", "risk", "trade", "bgp", "detect", "simulate",
                   "ownership")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sanctionwatch {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or status lines on stderr (errors "
                               "still print). Bars are also off whenever stdout or stderr is not a terminal."),
) -> None:
    """sanctionwatch command line."""
    set_quiet(quiet)


for _name in COMMAND_MODULES:
    importlib.import_module(f"sanctionwatch.cli.{_name}").register(app)


GLOBAL_FLAGS = ("-q", "--quiet")


def hoist_global_flags(argv: list[str]) -> list[str]:
    """Move `-q/--quiet` given after the subcommand (`sanctionwatch ingest FILE -q`) to the front, where the
    global option lives; nothing after a `--` is touched. Users put flags at the end; typer would reject it."""
    end = argv.index("--") if "--" in argv else len(argv)
    flags = [a for a in argv[:end] if a in GLOBAL_FLAGS]
    rest = [a for a in argv[:end] if a not in GLOBAL_FLAGS]
    return flags[:1] + rest + argv[end:]


def run() -> None:
    """The `sanctionwatch` console script: the typer app with global flags accepted anywhere."""
    app(args=hoist_global_flags(sys.argv[1:]), prog_name="sanctionwatch")
