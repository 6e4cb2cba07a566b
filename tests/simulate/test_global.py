"""The streaming `global` preset: exact message budget, decodable lines, port-call labels match messages."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pyais
import pytest
from global_land_mask import globe
from typer.testing import CliRunner

from sanctionwatch.geo.distance import haversine_km
from sanctionwatch.simulate.params import DEFAULT
from sanctionwatch.simulate.routes import port
from sanctionwatch.simulate.world_global import GlobalParams, run_global

SMALL = GlobalParams(n_ports=12, n_routes=4, max_route_km=4000.0, batch_messages=20_000, dark_fraction=0.5,
                     dark_h=(0.3, 0.6))


@pytest.fixture(scope="module")
def small_global(tmp_path_factory):
    out = tmp_path_factory.mktemp("global")
    s = run_global(out, seed=5, vessels=120, days=None, messages=60_000, gz=True, csv=True, params=DEFAULT, gp=SMALL)
    return out, s


def test_stops_at_exactly_the_message_budget(small_global):
    out, s = small_global
    assert s["messages"] == 60_000
    csv = pl.read_csv(out / "traffic.csv", infer_schema_length=0)
    assert csv.height == s["csv_rows"] == s["by_type"]["1"]
    assert s["by_type"]["1"] + s["by_type"]["5"] == 60_000


def test_gz_lines_decode(small_global):
    import gzip

    out, s = small_global
    with gzip.open(out / "traffic.nmea.gz", "rt") as fh:
        lines = fh.read().splitlines()
    assert len(lines) == s["lines"]
    single = [x.split("\\")[-1] for x in lines if ",1,1,," in x]
    ok = 0
    for x in single[:: max(1, len(single) // 3000)]:
        try:
            pyais.decode(x)
            ok += 1
        except pyais.exceptions.InvalidNMEAChecksum:
            pass
    assert ok >= 0.99 * len(single[:: max(1, len(single) // 3000)])


def test_global_port_calls_match_and_tracks_stay_at_sea(small_global):
    out, _ = small_global
    labels = [json.loads(x) for x in (out / "labels.jsonl").read_text().splitlines()]
    assert labels and {x["type"] for x in labels} == {"port_call", "gap"}
    csv = pl.read_csv(out / "traffic.csv", columns=["# Timestamp", "MMSI", "Latitude", "Longitude"],
                      schema_overrides={"MMSI": pl.Int64, "Latitude": pl.Float64, "Longitude": pl.Float64})
    csv = csv.with_columns(pl.col("# Timestamp").str.strptime(pl.Datetime("us", "UTC"), "%d/%m/%Y %H:%M:%S")
                           .dt.epoch("s").alias("ts"))
    for g in [x for x in labels if x["type"] == "gap"]:
        ts = csv.filter(pl.col("MMSI") == g["mmsi"])["ts"].to_numpy()
        assert g["start_epoch"] in ts and g["end_epoch"] in ts and g["end_epoch"] - g["start_epoch"] >= 0.3 * 3600
        assert not ((ts > g["start_epoch"]) & (ts < g["end_epoch"])).any()
    for x in [x for x in labels if x["type"] == "port_call"][:200]:
        p = port(x["locode"])
        r = csv.filter((pl.col("MMSI") == x["mmsi"]) & (pl.col("ts") >= x["start_epoch"])
                       & (pl.col("ts") < x["end_epoch"]))
        assert r.height and (haversine_km(r["Latitude"].to_numpy(), r["Longitude"].to_numpy(), p.lat, p.lon)
                             <= p.radius_km).all(), x
    lat, lon = csv["Latitude"].to_numpy(), csv["Longitude"].to_numpy()
    ok = np.zeros(len(lat), bool)
    for c in {x["locode"] for x in labels if x["locode"]}:
        p = port(c)
        ok |= haversine_km(lat, lon, p.lat, p.lon) <= p.area_km
    land = globe.is_land(lat, lon) & ~ok
    assert not land.any(), csv.filter(pl.Series(land)).head()


def test_cli_rejects_messages_for_regional_presets(tmp_path):
    from sanctionwatch.cli.main import app

    r = CliRunner().invoke(app, ["simulate", "smoke", "--out", str(tmp_path), "--messages", "10"])
    assert r.exit_code == 2 and "global" in r.output
    r = CliRunner().invoke(app, ["simulate", "nowhere", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "unknown preset" in r.output
