"""Options and output helpers shared by the CLI modules."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from sanctionwatch import settings

if TYPE_CHECKING:
    from sanctionwatch.store.layout import Store

console = Console(stderr=True)

QUIET = False
"""Set by the global `--quiet`: no progress bars, no status lines (errors and machine output still print)."""


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


FORMATS_HELP = ("table (for reading), csv, json (one array) or jsonl (one object a line); "
                "csv/json/jsonl go to stdout alone, messages to stderr.")
"""The one description of --format, shared by every command that prints rows."""


def format_option(default: Format = Format.table, note: str = "") -> Any:
    """`--format/-f` with the shared list of formats (`note` adds what a command does differently)."""
    return typer.Option(default, "--format", "-f", metavar="FORMAT",
                        help=FORMATS_HELP + (f" {note}" if note else ""))


def set_quiet(quiet: bool) -> None:
    """Apply the global `--quiet`: the stderr console drops status output, bars are off."""
    global QUIET
    QUIET = quiet
    console.quiet = quiet


def note(message: str) -> None:
    """A status line on stderr (not shown with --quiet)."""
    if not QUIET:
        console.print(message)


def show_progress() -> bool:
    """Bars only for a person watching: not with --quiet, not when stdout or stderr is piped or redirected."""
    return not QUIET and sys.stdout.isatty() and sys.stderr.isatty()


def _bars(unit: str | None, transient: bool, disable: bool = False) -> Any:
    """The one rich Progress layout on stderr: description, bar, done/total [`unit`], elapsed, ETA."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    unit_col = [TextColumn(unit)] if unit else []
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), *unit_col,
                    TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console,
                    disable=disable, transient=transient)


def progress_bar(unit: str = "rows") -> Any:
    """A rich Progress on stderr (description, bar, done/total `unit`, elapsed, ETA); disabled (draws nothing,
    costs nothing) when `show_progress()` is false. Use as a context manager; `add_task(name, total=...)`."""
    return _bars(unit, transient=False, disable=not show_progress())


def status(message: str) -> Any:
    """A spinner with elapsed time for one long step whose size is unknown in advance (a no-op when
    bars are off; the message is then printed once as a plain line, unless --quiet)."""
    import contextlib

    if not show_progress():
        note(message)
        return contextlib.nullcontext()
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    @contextlib.contextmanager
    def _spin() -> Any:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                      transient=True) as bar:
            bar.add_task(message, total=None)
            yield bar

    return _spin()


def progress_callback(message: str) -> Any:
    """Context manager yielding a `progress(stage, done, total)` callback (sanctionwatch.progress) for a
    library call: on a terminal each stage is a transient bar (done/total, elapsed, ETA) on stderr; when bars
    are off (--quiet, piped) it yields None, so the library reports nothing, and `message` is printed once
    as a plain status line unless --quiet."""
    import contextlib

    if not show_progress():
        note(message)
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def _stages() -> Any:
        with _bars(None, transient=True) as bar:
            tasks: dict[str, Any] = {}

            def update(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            yield update

    return _stages()


def _metavar_for(param: Any) -> str | None:
    """A reader's metavar for an option typer would show as a Python type (`<bool>`, `<list[str]>`, `<int>`)."""
    shown = param.display_type_rich(ctx=None) if param.metavar is None else None
    if shown is None:
        return None
    if param.is_flag:
        return ""  # a flag takes no value
    inner = shown.strip("<>").removesuffix("...")
    if "|" in inner and not inner.startswith("list["):
        return inner  # a choice: name the choices
    repeat = inner.startswith("list[")
    inner = inner.removeprefix("list[").removesuffix("]")
    name = {"int": "N", "float": "NUMBER", "path": "PATH", "file": "FILE", "directory": "DIR",
            "datetime": "TIME"}.get(inner, (param.name or "value").upper().rstrip("_"))
    return f"{name} (repeatable)" if repeat else name


def apply_metavars(cmd: Any) -> None:
    """Give every option of `cmd` and its subcommands a real metavar (idempotent; metavars set by hand stay)."""
    try:  # --help itself is made per command on first use (cached on the command): a flag, no metavar
        help_opt = cmd.get_help_option(cmd.context_class(cmd))
        if help_opt is not None and help_opt.metavar is None:
            help_opt.metavar = ""
    except Exception:  # help cosmetics must never break a command
        pass
    for p in getattr(cmd, "params", []):
        if p.param_type_name == "argument" and "display_type_rich" not in vars(p):
            try:  # the argument's name column stays; its type column reads TEXT / PATH (... when repeated)
                inner = p.display_type(ctx=None).strip("<>")
                label = "PATH" if "path" in inner.lower() else "N" if inner == "int" else "TEXT"
                label += "..." if inner.startswith("list[") else ""
                p.display_type_rich = lambda ctx, _label=label: _label
            except Exception:  # help cosmetics must never break a command
                pass
        if p.param_type_name == "option" and p.metavar is None:
            try:
                mv = _metavar_for(p)
            except Exception:  # help cosmetics must never break a command
                mv = None
            if mv is not None:
                p.metavar = mv
    for sub in getattr(cmd, "commands", {}).values():
        apply_metavars(sub)


class Engine(StrEnum):
    embedded = "embedded"
    spark = "spark"


def engine_option() -> Any:
    return typer.Option(Engine.embedded, "--engine", help="embedded (DuckDB/Polars on this machine) or spark.")


def master_option() -> Any:
    return typer.Option("local[2]", "--master", help="Spark master URL (with --engine spark).")


def store_uri(store: str | None) -> str:
    """The store as given (a local folder or an s3a:// / gs:// URI for Spark), else the setting."""
    return store or settings.get("store")


def store_option() -> Any:
    s = settings.SETTINGS["store"]
    return typer.Option(None, "--store", metavar="DIR", show_default=False,
                        help=f"Store directory: Parquet by day + DuckDB views (env {s.env}; default {s.default}).")


def parse_time(text: str | None, option: str) -> Any:
    """An ISO-8601 time from the command line (`2024-05-01`, `2024-05-01T06:00Z`); naive means UTC."""
    from datetime import UTC, datetime

    if not text:
        return None
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{option}: {text!r} is not an ISO-8601 time (e.g. 2024-05-01 or 2024-05-01T06:00Z)")
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """`minlon,minlat,maxlon,maxlat` (the API's bbox, same order and range checks) as a tuple."""
    if not text:
        return None
    from sanctionwatch.store.events import parse_bbox as parse

    try:
        return parse(text)
    except ValueError as e:
        fail(f"--bbox must be minlon,minlat,maxlon,maxlat, got {text!r}" if str(e) == "format"
             else f"--bbox out of range: {text!r} (lon -180..180, lat -90..90, minlat <= maxlat)")
        raise


def existing_store(store: str | None) -> Store:
    """The store to read from; a clear error when the folder does not exist (a mistyped --store is not
    an empty result)."""
    from sanctionwatch.store.layout import Store  # the store package loads DuckDB/Polars: not for --help

    st = Store(settings.store_path(store))
    if not st.root.is_dir():
        fail(f"no store at {st.root} (create one with `sanctionwatch ingest PATH... --store {st.root}`, "
             f"or pass --store / set {settings.SETTINGS['store'].env})")
    return st


def fail(message: str, code: int = 2) -> None:
    """Print a clear error and exit non-zero."""
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def emit_rows(columns: Sequence[str], rows: Sequence[Sequence[Any]], fmt: Format, title: str | None = None) -> None:
    """Write rows to stdout as a rich table, CSV, a JSON array or JSON lines."""
    if fmt == Format.table:
        t = Table(title=title, show_lines=False)
        for c in columns:
            t.add_column(str(c), overflow="fold")
        for r in rows:
            t.add_row(*["" if v is None else str(v) for v in r])
        Console().print(t)
        return
    if fmt == Format.csv:
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
        return
    dicts = [dict(zip(columns, r, strict=True)) for r in rows]
    if fmt == Format.json:
        sys.stdout.write(json.dumps(dicts, default=str, indent=1) + "\n")
    else:
        for d in dicts:
            sys.stdout.write(json.dumps(d, default=str) + "\n")
