"""Hand-built track tables for detector tests: straight legs, stays and drifts with known truth."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest

T0 = datetime(2026, 1, 5, tzinfo=UTC)
KM_PER_DEG = 111.195


def leg(mmsi: int, t0_h: float, hours: float, lat0: float, lon0: float, lat1: float, lon1: float,
        step_s: float = 60.0, sog: float | None = None, msg_type: int = 1, source: str = "hand.nmea") -> pl.DataFrame:
    """Fixes every step_s from (lat0, lon0) to (lat1, lon1) over `hours`, starting t0_h hours after T0."""
    n = max(2, int(hours * 3600 / step_s) + 1)
    f = np.linspace(0, 1, n)
    lat, lon = lat0 + (lat1 - lat0) * f, lon0 + (lon1 - lon0) * f
    from sanctionwatch.geo.distance import haversine_km

    km = float(haversine_km(lat0, lon0, lat1, lon1))
    v = sog if sog is not None else (km / max(hours, 1e-9) / 1.852)
    ts = [T0.timestamp() + t0_h * 3600 + k * hours * 3600 / (n - 1) for k in range(n)]
    return pl.DataFrame({
        "ts": pl.Series([int(t * 1000) for t in ts]).cast(pl.Datetime("ms", "UTC")),
        "mmsi": pl.Series([mmsi] * n, dtype=pl.Int32), "lat": lat, "lon": lon,
        "sog": pl.Series([v] * n, dtype=pl.Float32), "msg_type": pl.Series([msg_type] * n, dtype=pl.Int8),
        "source": [source] * n, "src_line": pl.Series(range(1, n + 1), dtype=pl.Int64),
    })


def stay(mmsi: int, t0_h: float, hours: float, lat: float, lon: float, step_s: float = 180.0, **kw) -> pl.DataFrame:
    """A vessel stopped at one spot."""
    return leg(mmsi, t0_h, hours, lat, lon, lat, lon, step_s=step_s, sog=0.0, **kw)


def cat(*parts: pl.DataFrame) -> pl.DataFrame:
    """Concatenate parts and renumber src_line so every fix has its own line."""
    df = pl.concat(parts).sort("ts")
    return df.with_columns(pl.Series("src_line", range(1, df.height + 1), dtype=pl.Int64))


def reports(rows: list[tuple]) -> pl.DataFrame:
    """Static reports from (hours after T0, mmsi, imo, name, callsign, destination)."""
    return pl.DataFrame({
        "ts": pl.Series([int((T0.timestamp() + r[0] * 3600) * 1000) for r in rows]).cast(pl.Datetime("ms", "UTC")),
        "mmsi": pl.Series([r[1] for r in rows], dtype=pl.Int32), "imo": pl.Series([r[2] for r in rows], dtype=pl.Int32),
        "name": [r[3] for r in rows], "callsign": [r[4] for r in rows], "destination": [r[5] for r in rows],
        "source": ["hand.nmea"] * len(rows), "src_line": pl.Series(range(1, len(rows) + 1), dtype=pl.Int64),
    }, schema_overrides={"name": pl.String, "callsign": pl.String, "destination": pl.String})


@pytest.fixture(scope="session")
def ports() -> pl.DataFrame:
    from sanctionwatch.detect.near import ports_table

    return ports_table()


def port_at(ports: pl.DataFrame, locode: str) -> dict:
    """A gazetteer port row by LOCODE."""
    return ports.filter(pl.col("locode") == locode).row(0, named=True)
