"""Store: canonical Arrow schemas, day-partitioned Parquet with atomic writes, DuckDB views, ingest reports."""

from sanctionwatch.store.duck import connect
from sanctionwatch.store.layout import Store

__all__ = ["Store", "connect"]
