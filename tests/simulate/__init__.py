"""Shared readers for the simulator's outputs in these tests."""

from __future__ import annotations

from pathlib import Path

import polars as pl

_NUMERIC = {"MMSI": pl.Int64, "Latitude": pl.Float64, "Longitude": pl.Float64, "SOG": pl.Float64}


def scenario_csv(run_dir: Path, extra: tuple[str, ...] = ()) -> pl.DataFrame:
    """The run's traffic.csv (time, MMSI, position, SOG and `extra` columns) with `ts` in epoch seconds."""
    df = pl.read_csv(run_dir / "traffic.csv", columns=["# Timestamp", *_NUMERIC, *extra], schema_overrides=_NUMERIC)
    return df.with_columns(pl.col("# Timestamp").str.strptime(pl.Datetime("us", "UTC"), "%d/%m/%Y %H:%M:%S")
                           .dt.epoch("s").alias("ts"))
