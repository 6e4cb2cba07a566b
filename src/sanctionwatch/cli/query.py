"""`sanctionwatch sql`: SQL over the store through DuckDB."""

from __future__ import annotations

import typer

from sanctionwatch.cli.common import Format, emit_rows, existing_store, fail, format_option, store_option


def sql(
    query: str = typer.Argument(..., help="SQL; views: positions, vessel_reports, events, trade_flows."),
    store: str = store_option(),
    format: Format = format_option(),
) -> None:
    """Run SQL over the store (DuckDB views over the Parquet files)."""
    import duckdb

    from sanctionwatch.store import connect

    con = connect(existing_store(store))
    try:
        cur = con.execute(query)
    except duckdb.Error as e:
        fail(str(e).splitlines()[0])
        return
    cols = [d[0] for d in cur.description] if cur.description else []
    emit_rows(cols, cur.fetchall(), format)


def register(app: typer.Typer) -> None:
    app.command("sql")(sql)
