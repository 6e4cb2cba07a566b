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


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


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
