"""The Python API for notebooks: `sanctionwatch.open(store)` and `sanctionwatch.screen(...)`.

Tables come back as Polars DataFrames by default; `as_="pandas"` gives pandas (built from Arrow: no DuckDB
`.df()` deprecation warnings) and `as_="geo"` a geopandas GeoDataFrame (geopandas is optional: installed
separately). Event evidence is parsed to dicts. Tracks and events export as GeoParquet or GeoJSON.
Heavy modules are imported on first use, so `import sanctionwatch` stays fast.

    >>> import sanctionwatch
    >>> hits = sanctionwatch.screen(["IMO 8937675"])
    >>> sorted(set(hits["caption"]))   # the UK list's vessel entry, matched by IMO number
    ['Tong San 2']
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

    from sanctionwatch.progress import ProgressFn

FORMS = ("polars", "pandas", "geo")


def _as(df: pl.DataFrame, as_: str, geometry: str = "points") -> object:
    """`df` in the asked form: Polars as is, pandas via Arrow, or a GeoDataFrame (EPSG:4326) from lon/lat."""
    if as_ == "polars":
        return df
    if as_ not in FORMS:
        raise ValueError(f"as_ must be one of {', '.join(FORMS)}, got {as_!r}")
    if as_ == "pandas":
        return df.to_pandas()
    try:
        import geopandas
    except ImportError as e:
        raise ImportError("as_='geo' needs geopandas (pip install geopandas); polars and pandas work without it") from e
    from sanctionwatch.report import geoexport

    table = geoexport.lines_table(df) if geometry == "lines" else geoexport.points_table(df)
    return geopandas.GeoDataFrame.from_arrow(table, geometry="geometry").set_crs("EPSG:4326", allow_override=True)


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

    def positions(self, mmsi: int | None = None, as_: str = "polars") -> pl.DataFrame:
        """Stored positions, optionally of one vessel, in time order."""
        if mmsi is None:
            return _as(self.sql("select * from positions order by mmsi, ts"), as_)  # type: ignore[return-value]
        return _as(self.sql("select * from positions where mmsi = ? order by ts", [int(mmsi)]), as_)  # type: ignore[return-value]

    def tracks(self, mmsi: int | None = None, as_: str = "polars", lines: bool = False) -> pl.DataFrame:
        """Per-vessel tracks: the time-ordered fixes (mmsi, ts, lon, lat, sog, cog, ...), one row per fix
        (MovingPandas: `TrajectoryCollection(ws.tracks(as_="geo"), "mmsi", t="ts")`); `lines=True` with
        `as_="geo"` gives one LineString per vessel instead."""
        cond, args = ("where mmsi = ?", [int(mmsi)]) if mmsi is not None else ("", [])
        df = self.sql(f"select * from positions {cond} order by mmsi, ts", args)
        return _as(df, as_, "lines" if lines else "points")  # type: ignore[return-value]

    def vessel(self, query: str | int) -> dict:
        """One vessel's profile (MMSI, IMO or name): identity history, list hits, events, risk breakdown,
        declared destinations - the data of `sanctionwatch vessel` and of the case file."""
        from sanctionwatch.report.casefile import vessel_context

        ctx = vessel_context(self.store, str(query), with_map=False)
        return {k: v for k, v in ctx.items() if k != "map_png"}

    def export_tracks(self, path: str | Path, mmsi: int | None = None, lines: bool = False) -> Path:
        """Write tracks as GeoParquet (.parquet/.geoparquet) or GeoJSON (.geojson): points per fix, or one
        LineString per vessel with `lines=True`. Written to a temporary file and renamed."""
        from sanctionwatch.report import geoexport

        df = self.tracks(mmsi)
        return geoexport.write(geoexport.lines_table(df) if lines else geoexport.points_table(df), path)

    def export_events(self, path: str | Path, type: str | None = None, mmsi: int | None = None) -> Path:
        """Write events (Point at the event's lat/lon; evidence as JSON text in Parquet, an object in GeoJSON)."""
        from sanctionwatch.report import geoexport

        df = self.events(type=type, mmsi=mmsi, parse_evidence=False)
        return geoexport.write(geoexport.points_table(df, keep_xy=True), path)

    def events(self, type: str | None = None, mmsi: int | None = None, start: object = None, end: object = None,
               bbox: tuple[float, float, float, float] | None = None, as_: str = "polars",
               parse_evidence: bool = True) -> pl.DataFrame:
        """Detected events, filtered as the CLI and the API are (time overlap with [start, end), bbox as
        (minlon, minlat, maxlon, maxlat)); the `evidence` column holds dicts (parsed from the stored JSON)."""
        from sanctionwatch.store.events import events_where

        where, args = events_where(type=type, mmsi=mmsi, start=start, end=end, bbox=bbox)
        df = self.sql(f"select * from events {'where ' + where if where else ''} order by start", args)
        if parse_evidence and "evidence" in df.columns:
            if as_ != "polars":  # pandas / geopandas hold the dicts in an object column
                out = _as(df, as_)
                out["evidence"] = [json.loads(e) if isinstance(e, str) else e for e in out["evidence"]]
                return out  # type: ignore[return-value]
            import polars as pl

            df = df.with_columns(pl.Series("evidence", [json.loads(e) if isinstance(e, str) else e
                                                        for e in df["evidence"]], dtype=pl.Object))
            return df
        return _as(df, as_)  # type: ignore[return-value]

    def detect(self, threads: int = 2, progress: ProgressFn | None = None) -> dict:
        """Run the detectors over the store (writes the events table); returns the run report.
        `progress(stage, done, total)`, if given, is called as the work advances (sanctionwatch.progress)."""
        from sanctionwatch.engines import embedded

        return embedded.run(self.store, threads=threads, progress=progress)

    def risk(self, as_: str = "polars") -> pl.DataFrame:
        """Vessels ranked by explainable risk (list hits + events)."""
        from sanctionwatch.risk.run import compute_risk

        ranked = compute_risk(self.store).ranked
        return ranked if as_ == "polars" else _as(ranked, "pandas" if as_ == "pandas" else as_)  # type: ignore[return-value]


def open(store: str | Path) -> Workspace:
    """Open an existing store folder.

    >>> import sanctionwatch, tempfile
    >>> sanctionwatch.open(tempfile.mkdtemp() + "/missing")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no store at ...
    """
    return Workspace(store)


def detect(store: str | Path, threads: int = 2, progress: ProgressFn | None = None) -> dict:
    """Run the detectors over a store (replaces its maritime events); returns the run report.

    The top-level name `sanctionwatch.detect` is the detectors' package, so this function is
    `sanctionwatch.api.detect` (`import sanctionwatch as sw; sw.api.detect(store)`) or `sw.open(store).detect()`.
    """
    return Workspace(store).detect(threads=threads, progress=progress)


def screen(queries: list[str], store: str | Path | None = None) -> pl.DataFrame:
    """Screen names / `IMO nnnnnnn` / MMSIs / call signs against the default lists (the packaged snapshot,
    a newer `lists download`, or the store's built index)."""
    from sanctionwatch.lists.params import ScreenParams
    from sanctionwatch.lists.screen import default_index, screen_queries
    from sanctionwatch.store import Store

    index = default_index(Store(Path(store)) if store else None)
    return screen_queries(list(queries), index, ScreenParams())
