"""Store: canonical Arrow schemas, day-partitioned Parquet with atomic writes, DuckDB views, ingest reports.

`Store` and `connect` load on first use (PEP 562 `__getattr__`), so importing a light submodule such as
`sanctionwatch.store.events` does not pull in PyArrow and DuckDB (the CLI's start-up depends on it, issue 16).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sanctionwatch.store.duck import connect
    from sanctionwatch.store.layout import Store

__all__ = ["Store", "connect"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from sanctionwatch.store.layout import Store

        return Store
    if name == "connect":
        from sanctionwatch.store.duck import connect

        return connect
    raise AttributeError(f"module 'sanctionwatch.store' has no attribute {name!r}")
