"""Read-only queries behind the API: DuckDB over the store with a row cap and a time limit per query."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import shapely

from sanctionwatch.risk.run import risk_file
from sanctionwatch.store import Store, connect
from sanctionwatch.store.events import events_where

# A page of the dashboard never needs more rows than a person can read or a map can draw smoothly;
# 5,000 events or vessels per request keeps responses < ~2 MB and DuckDB time in the tens of ms.
MAX_ROWS = 5_000
# Common queries answer in < 200 ms on a 10M-position store (see docs/benchmarks.md); 10 s means
# something pathological (a huge time range without filters): stop it rather than pin a core.
QUERY_TIMEOUT_S = 10.0
# Tracks: at most this many vertices go to the browser; more are simplified away (Douglas-Peucker).
MAX_TRACK_POINTS = 4_000
TRACK_COLOR_SEGMENTS = 48


class QueryTimeout(Exception):
    """A query ran past QUERY_TIMEOUT_S and was interrupted."""


@dataclass
class Queries:
    """Query functions over one store; a DuckDB cursor per call (thread-safe)."""

    store: Store

    def __post_init__(self) -> None:
        self._con = connect(self.store)

    def run(self, sql: str, params: list[Any] | None = None, *, timeout_s: float = QUERY_TIMEOUT_S
            ) -> tuple[list[str], list[tuple]]:
        cur = self._con.cursor()
        timer = threading.Timer(timeout_s, cur.interrupt)
        timer.start()
        try:
            res = cur.execute(sql, params or [])
            cols = [d[0] for d in res.description] if res.description else []
            return cols, res.fetchmany(MAX_ROWS)
        except duckdb.InterruptException as e:
            raise QueryTimeout(f"query exceeded {timeout_s:.0f} s") from e
        finally:
            timer.cancel()
            cur.close()

    def dicts(self, sql: str, params: list[Any] | None = None) -> list[dict]:
        cols, rows = self.run(sql, params)
        return [dict(zip(cols, r, strict=True)) for r in rows]

    # ---- vessels ---------------------------------------------------------------------------
    def vessels(self, q: str | None, limit: int, offset: int) -> list[dict]:
        where, params = "", []
        if q:
            if q.isdigit():
                where = "where cast(mmsi as varchar) like ? or cast(imo as varchar) = ?"
                params = [q + "%", q]
            else:
                where = "where upper(name) like ? or upper(callsign) = ?"
                params = ["%" + q.upper() + "%", q.upper()]
        sql = f"""
            select mmsi, arg_max(name, ts) as name, arg_max(imo, ts) as imo, arg_max(callsign, ts) as callsign,
                   arg_max(ship_type, ts) as ship_type, arg_max(destination, ts) as destination,
                   min(ts) as first_seen, max(ts) as last_seen
            from vessel_reports {where}
            group by mmsi order by mmsi limit ? offset ?"""
        return self.dicts(sql, [*params, limit, offset])

    def identity_history(self, mmsi: int) -> list[dict]:
        return self.dicts("""
            select imo, name, callsign, ship_type, min(ts) as first_seen, max(ts) as last_seen, count(*) as reports
            from vessel_reports where mmsi = ? and (name is not null or imo is not null or callsign is not null)
            group by all order by first_seen""", [mmsi])

    def destinations(self, mmsi: int) -> list[dict]:
        return self.dicts("""
            select destination, min(ts) as first_seen, max(ts) as last_seen, count(*) as reports
            from vessel_reports where mmsi = ? and destination is not null group by destination
            order by first_seen""", [mmsi])

    def track_table(self) -> str:
        """SQL source of per-vessel reads: the sorted `tracks` table when it is newer than every import
        (written by `detect`), else the day-partitioned positions (correct, but a full scan)."""
        tracks = self.store.table_dir("tracks")
        if not self.store.has_files("tracks"):
            return "positions"
        imports = self.store.imports_dir
        newest = max((p.stat().st_mtime for p in imports.glob("*.json")), default=0.0) if imports.exists() else 0.0
        if tracks.stat().st_mtime < newest:
            return "positions"
        glob = str(tracks / "*.parquet").replace("'", "''")
        return f"read_parquet('{glob}')"

    def track_summary(self, mmsi: int) -> dict:
        return self.dicts(f"select count(*) as positions, min(ts) as first, max(ts) as last from "
                          f"{self.track_table()} where mmsi = ?", [mmsi])[0]

    # ---- tracks ----------------------------------------------------------------------------
    def track(self, mmsi: int, start: datetime | None, end: datetime | None, zoom: float | None) -> dict:
        """Track as GeoJSON: time-coloured segments after simplification, gaps as dashed segments."""
        cond, params = ["mmsi = ?", "lat is not null", "lon is not null"], [mmsi]
        if start:
            cond.append("ts >= ?")
            params.append(start)
        if end:
            cond.append("ts < ?")
            params.append(end)
        cur = self._con.cursor()
        try:
            arr = cur.execute(
                f"select epoch_ms(ts) as t, lon, lat from {self.track_table()} where {' and '.join(cond)} "
                f"order by ts",
                params).fetchnumpy()
        finally:
            cur.close()
        t, lon, lat = (np.asarray(arr[k]) for k in ("t", "lon", "lat"))
        n_raw = len(t)
        features: list[dict] = []
        # gaps: dashed from the last position before the gap to the first after it (from the arrays above)
        for g in self.dicts("select event_id, epoch_ms(start) as s, epoch_ms(\"end\") as e from events "
                            "where type = 'gap' and mmsi = ?", [mmsi]):
            i = int(np.searchsorted(t, g["s"], side="right")) - 1
            j = int(np.searchsorted(t, g["e"], side="left"))
            if 0 <= i < n_raw and 0 <= j < n_raw:
                coords = [[float(lon[i]), float(lat[i])], [float(lon[j]), float(lat[j])]]
                features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                                 "properties": {"kind": "gap", "event_id": g["event_id"],
                                                "start": int(g["s"]), "end": int(g["e"])}})
        if n_raw >= 2:
            keep = _simplify(lon, lat, zoom)
            t, lon, lat = t[keep], lon[keep], lat[keep]
            t0, t1 = float(t[0]), float(t[-1])
            bounds = np.linspace(0, len(t) - 1, min(TRACK_COLOR_SEGMENTS, len(t) - 1) + 1).astype(int)
            for a, b in itertools.pairwise(bounds):
                coords = np.column_stack([_unwrap(lon[a:b + 1]), lat[a:b + 1]]).round(5).tolist()
                features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                                 "properties": {"kind": "track", "t": (float(t[a]) - t0) / max(t1 - t0, 1.0),
                                                "start": int(t[a]), "end": int(t[b])}})
        return {"type": "FeatureCollection", "features": features,
                "properties": {"mmsi": mmsi, "positions": n_raw, "vertices": len(t) if n_raw >= 2 else n_raw}}

    # ---- events ------------------------------------------------------------------------------
    def events(self, *, type: str | None = None, mmsi: int | None = None, start: datetime | None = None,
               end: datetime | None = None, bbox: tuple[float, float, float, float] | None = None,
               limit: int = 500, offset: int = 0) -> list[dict]:
        where, params = events_where(type=type, mmsi=mmsi, start=start, end=end, bbox=bbox)
        sql = (f"select event_id, type, mmsi, other_mmsi, start, \"end\", lat, lon, port, locode, country, "
               f"confidence, evidence from events where {where} order by start, event_id "
               f"limit ? offset ?")
        return self.dicts(sql, [*params, limit, offset])

    def event_counts(self) -> list[dict]:
        return self.dicts("select type, count(*) as n from events group by type order by type")

    # ---- risk (written by `sanctionwatch risk`) ----------------------------------------------
    def risk(self, limit: int, offset: int) -> list[dict]:
        f = risk_file(self.store, "ranked")
        if not f.exists():
            return []
        import pyarrow.parquet as pq

        # risk's own rank (band first, then points): a designated vessel outranks a busier high-band one;
        # stores scored before bands existed have no rank column and keep the points order
        order = "rank" if "rank" in pq.read_schema(f).names else "points desc, mmsi"
        return self.dicts(f"""
            with page as (select * from read_parquet(?) order by {order} limit ? offset ?)
            select page.*, v.name from page left join (
                select mmsi, arg_max(name, ts) as name from vessel_reports
                where name is not null and mmsi in (select mmsi from page) group by mmsi) v using (mmsi)
            order by {order}""", [str(f), limit, offset])

    def _per_vessel(self, name: str, mmsi: int, order: str) -> list[dict]:
        """Rows of one vessel from a risk output file ([] before `sanctionwatch risk` has run)."""
        f = risk_file(self.store, name)
        if not f.exists():
            return []
        return self.dicts(f"select * from read_parquet(?) where mmsi = ? order by {order}", [str(f), mmsi])

    def risk_of(self, mmsi: int) -> list[dict]:
        """The vessel's ranking row (0 or 1)."""
        return self._per_vessel("ranked", mmsi, "points desc")

    def risk_breakdown(self, mmsi: int) -> list[dict]:
        return self._per_vessel("contributions", mmsi, "points desc")

    def list_hits(self, mmsi: int) -> list[dict]:
        """List hits recorded for the vessel by `sanctionwatch risk` (screening of the store's vessels)."""
        return self._per_vessel("list_hits", mmsi, "score desc")


def _unwrap(lon: np.ndarray) -> np.ndarray:
    """Continuous longitudes across the antimeridian (MapLibre draws 179 -> -179 the short way then)."""
    return np.rad2deg(np.unwrap(np.deg2rad(lon)))


def _simplify(lon: np.ndarray, lat: np.ndarray, zoom: float | None) -> np.ndarray:
    """Indices of the vertices kept: Douglas-Peucker at ~half a pixel for the zoom, then capped."""
    n = len(lon)
    tol = 0.0 if zoom is None else 360.0 / (256 * 2 ** max(0.0, min(zoom, 22.0))) * 0.5
    idx = np.arange(n)
    while True:
        if tol > 0:
            line = shapely.linestrings(np.column_stack([_unwrap(lon), lat, idx]))
            simple = shapely.simplify(line, tol, preserve_topology=False)
            idx_kept = shapely.get_coordinates(simple, include_z=True)[:, 2].astype(int)
        else:
            idx_kept = idx
        if len(idx_kept) <= MAX_TRACK_POINTS:
            return idx_kept
        tol = tol * 2 if tol > 0 else 1e-4
