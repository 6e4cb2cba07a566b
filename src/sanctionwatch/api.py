"""The Python API for notebooks: `sanctionwatch.open(store)` and `sanctionwatch.screen(...)`.

Tables come back as Polars DataFrames (`.to_pandas()` gives pandas); event evidence is parsed to dicts.
Heavy modules are imported on first use, so `import sanctionwatch` stays fast.

    >>> import sanctionwatch
    >>> hits = sanctionwatch.screen(["IMO 8937675"])
    >>> "gb_hmt_sanctions" in set(hits["dataset"])
    True
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


class Workspace:
    """An opened store: positions, events (evidence as dicts), risk, and detection on demand."""

    def __init__(self, store: str | Path):
        from sanctionwatch.store import Store

        self.store = Store(Path(store))
        if not self.store.root.is_dir():
            raise FileNotFoundError(f"no store at {self.store.root}")

    def sql(self, query: str, params: list | None = None) -> pl.DataFrame:
        """Run SQL over the store's views (positions, vessel_reports, events, ...) and return Polars."""
        from sanctionwatch.store import connect

        return connect(self.store).execute(query, params or []).pl()

    def positions(self, mmsi: int | None = None) -> pl.DataFrame:
        """Stored positions, optionally of one vessel, in time order."""
        if mmsi is None:
            return self.sql("select * from positions order by mmsi, ts")
        return self.sql("select * from positions where mmsi = ? order by ts", [int(mmsi)])

    def events(self, type: str | None = None, mmsi: int | None = None) -> pl.DataFrame:
        """Detected events; the `evidence` column holds dicts (parsed from the stored JSON)."""
        from sanctionwatch.store.events import events_where

        where, args = events_where(type=type, mmsi=mmsi)
        df = self.sql(f"select * from events {'where ' + where if where else ''} order by start", args)
        if "evidence" in df.columns:
            import polars as pl

            df = df.with_columns(pl.Series("evidence", [json.loads(e) if isinstance(e, str) else e
                                                        for e in df["evidence"]], dtype=pl.Object))
        return df

    def detect(self, threads: int = 2) -> dict:
        """Run the detectors over the store (writes the events table); returns the run report."""
        from sanctionwatch.engines import embedded

        return embedded.run(self.store, threads=threads)

    def risk(self) -> pl.DataFrame:
        """Vessels ranked by explainable risk (list hits + events)."""
        from sanctionwatch.risk.run import compute_risk

        return compute_risk(self.store).ranked


def open(store: str | Path) -> Workspace:
    """Open an existing store folder."""
    return Workspace(store)


def screen(queries: list[str], store: str | Path | None = None) -> pl.DataFrame:
    """Screen names / `IMO nnnnnnn` / MMSIs / call signs against the default lists (the packaged snapshot,
    a newer `lists download`, or the store's built index)."""
    from sanctionwatch.lists.params import ScreenParams
    from sanctionwatch.lists.screen import default_index, screen_queries
    from sanctionwatch.store import Store

    index = default_index(Store(Path(store)) if store else None)
    return screen_queries(list(queries), index, ScreenParams())
