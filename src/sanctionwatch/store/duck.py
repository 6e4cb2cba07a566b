"""DuckDB over the Parquet store: one view per canonical table, empty views where nothing is stored yet."""

from __future__ import annotations

import duckdb
import pyarrow as pa

from sanctionwatch.store.layout import Store
from sanctionwatch.store.schemas import TABLES, arrow_schema

_DUCK_TYPES = {
    pa.int8(): "TINYINT",
    pa.int16(): "SMALLINT",
    pa.int32(): "INTEGER",
    pa.int64(): "BIGINT",
    pa.float32(): "REAL",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.string(): "VARCHAR",
}


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_dictionary(t):
        return _duck_type(t.value_type)
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
    return _DUCK_TYPES[t]


def _empty_select(table: str) -> str:
    cols = ", ".join(f'CAST(NULL AS {_duck_type(f.type)}) AS "{f.name}"' for f in arrow_schema(table))
    return f"SELECT {cols} WHERE false"


def connect(store: Store | str, *, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB connection with views over the store's tables (UTC session time zone)."""
    store = store if isinstance(store, Store) else Store(store)
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    for table in TABLES:
        if store.has_files(table):
            glob = str(store.table_dir(table) / "**" / "*.parquet").replace("'", "''")
            con.execute(
                f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{glob}', hive_partitioning = true, "
                f"union_by_name = true)"
            )
        else:
            con.execute(f"CREATE VIEW {table} AS {_empty_select(table)}")
    return con
