"""The `smoke` preset end to end: files decode, tracks are physical, labels agree with the emitted messages."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import polars as pl
import pyais
import pytest
import shapely
from global_land_mask import globe

from sanctionwatch.geo.areas import load_areas
from sanctionwatch.geo.distance import haversine_km
from sanctionwatch.simulate import run
from sanctionwatch.simulate.emit import DMA_HEADER
from sanctionwatch.simulate.labels import LABEL_TYPES
from sanctionwatch.simulate.routes import port

SEED = 3


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("smoke")
    return out, run("smoke", out, seed=SEED)


@pytest.fixture(scope="module")
def labels(smoke) -> list[dict]:
    return [json.loads(x) for x in (smoke[0] / "labels.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def csv(smoke) -> pl.DataFrame:
    df = pl.read_csv(smoke[0] / "traffic.csv", infer_schema_length=0)
    return df.with_columns(
        pl.col("# Timestamp").str.strptime(pl.Datetime("us", "UTC"), "%d/%m/%Y %H:%M:%S").dt.epoch("s").alias("ts"),
        pl.col("MMSI").cast(pl.Int64), pl.col("Latitude").cast(pl.Float64), pl.col("Longitude").cast(pl.Float64),
        pl.col("SOG").cast(pl.Float64))


def _checksum_ok(line: str) -> bool:
    s = line.split("\\")[-1]
    body, ck = s[1:].rsplit("*", 1)
    x = 0
    for c in body:
        x ^= ord(c)
    return f"{x:02X}" == ck


def test_summary_counts_match_files(smoke, csv):
    out, summary = smoke
    lines = (out / "traffic.nmea").read_text().splitlines()
    assert len(lines) == summary["lines"]
    assert csv.height == summary["position_reports"] == summary["csv_rows"]
    assert (out / "traffic.csv").read_text().splitlines()[0] == DMA_HEADER
    assert summary["corrupt_lines"] > 0 and summary["duplicate_receptions"] > 0


def test_every_clean_line_decodes_and_corrupt_lines_fail_checksum(smoke):
    out, summary = smoke
    lines = (out / "traffic.nmea").read_text().splitlines()
    bad = [x for x in lines if not _checksum_ok(x)]
    assert len(bad) == summary["corrupt_lines"]
    clean = [x.split("\\")[-1] for x in lines if _checksum_ok(x)]
    types = {}
    pending: list[str] = []
    for s in clean:
        parts = s.split(",")
        if parts[1] == "2":
            pending.append(s)
            if parts[2] == "1":
                continue
            msg = pyais.decode(*pending)
            pending = []
        else:
            msg = pyais.decode(s)
        types[msg.msg_type] = types.get(msg.msg_type, 0) + 1
    assert not pending
    assert set(types) == {1, 5, 18, 24}


def test_tag_block_times_are_ordered(smoke):
    out, _ = smoke
    ts = [int(x.split(",c:")[1].split("*")[0]) for x in (out / "traffic.nmea").read_text().splitlines()]
    assert ts == sorted(ts)


def test_csv_equals_decoded_nmea_positions(smoke, csv):
    out, _ = smoke
    got = set()
    for x in (out / "traffic.nmea").read_text().splitlines():
        s = x.split("\\")[-1]
        if _checksum_ok(x) and s.split(",")[5][0] in "1B":  # types 1 and 18 start with '1' / 'B'
            m = pyais.decode(s).asdict()
            got.add((m["mmsi"], int(x.split(",c:")[1][:10]), round(m["lat"] * 1e5), round(m["lon"] * 1e5)))
    # the CSV carries 6 decimals of the same 1/600000-degree value: equal at 1e-5 after rounding both
    want = set(zip(csv["MMSI"], csv["ts"], (csv["Latitude"] * 1e5).round().cast(pl.Int64),
                   (csv["Longitude"] * 1e5).round().cast(pl.Int64), strict=True))
    assert got == want


def _excluded(labels: list[dict], kinds=("spoofing",)) -> list[tuple[int, int, int]]:
    out = []
    for lab in labels:
        if lab["type"] in kinds and not lab["control"]:
            for m in (lab["mmsi"], lab["other_mmsi"]):
                if m:
                    out.append((m, lab["start_epoch"] - 600, lab["end_epoch"] + 600))
    return out


def test_no_position_on_land_outside_port_areas(csv, labels):
    lat, lon = csv["Latitude"].to_numpy(), csv["Longitude"].to_numpy()
    land = globe.is_land(lat, lon)
    codes = {x["locode"] for x in labels if x["locode"]}
    ok = np.zeros(len(lat), bool)
    for c in codes:
        p = port(c)
        ok |= haversine_km(lat, lon, p.lat, p.lon) <= p.area_km
    assert land.sum() > 0  # port berths sit on land in the 1 km mask: the check is live
    assert not (land & ~ok).any(), csv.filter(pl.Series(land & ~ok)).head()


def test_speeds_consistent_with_distance_and_time(csv, labels):
    ex = _excluded(labels)
    df = csv.sort("MMSI", "ts")
    for (mmsi,), g in df.group_by("MMSI"):
        t, la, lo, sog = (g[c].to_numpy() for c in ("ts", "Latitude", "Longitude", "SOG"))
        keep = np.ones(len(t), bool)
        for m, a, b in ex:
            if m == mmsi:
                keep &= ~((t >= a) & (t < b))
        t, la, lo, sog = t[keep], la[keep], lo[keep], sog[keep]
        dt = np.diff(t)
        ok = dt >= 30
        v = haversine_km(la[:-1], lo[:-1], la[1:], lo[1:]) / 1.852 / np.maximum(dt, 1) * 3600
        assert (v[ok] < 25).all(), (mmsi, v[ok].max())
        rep = np.maximum(sog[:-1], sog[1:])
        assert (v[ok] <= rep[ok] * 1.25 + 1.0).mean() > 0.99, mmsi


def test_every_behaviour_and_control_present(labels):
    assert {x["type"] for x in labels} == set(LABEL_TYPES)
    assert {x["type"] for x in labels if not x["control"]} == set(LABEL_TYPES)
    controls = {x["notes"].split(" ")[0] for x in labels if x["control"]}
    assert {"long", "anchorage", "bunkering", "fishing", "Class", "scheduled", "'FOR"} <= controls
    enc = [x for x in labels if x["type"] == "encounter"]
    assert all(x["mmsi"] and x["other_mmsi"] for x in enc)
    # an open gap (transponder still off when the data ends) has no end
    assert all(x["start_epoch"] < x["end_epoch"] for x in labels if x["observable"] and x["end_epoch"] is not None)
    assert all(x["type"] == "gap" and x["seen"]["end"] == "open" for x in labels
               if x["observable"] and x["end_epoch"] is None)


def _rows(csv: pl.DataFrame, mmsi: int, a: int, b: int, exclude=()) -> pl.DataFrame:
    """Rows of one MMSI in [a, b), minus (mmsi, start, end) windows (a second hull on the same MMSI)."""
    df = csv.filter((pl.col("MMSI") == mmsi) & (pl.col("ts") >= a) & (pl.col("ts") < b)).sort("ts")
    for m, s, e in exclude:
        if m == mmsi:
            df = df.filter(~((pl.col("ts") >= s) & (pl.col("ts") < e)))
    return df


def test_port_call_labels_match_messages(csv, labels):
    calls = [x for x in labels if x["type"] == "port_call" and x["observable"]]
    twins = [(x["mmsi"], x["start_epoch"], x["end_epoch"]) for x in labels
             if x["type"] == "spoofing" and x["other_mmsi"]]
    assert len(calls) >= 20 and twins
    for c in calls:
        p = SimpleNamespace(lat=c["lat"], lon=c["lon"], radius_km=c["radius_km"])  # anchorage calls: no LOCODE
        ex = [w for w in twins if c["vessel"] not in ("",)] if c["mmsi"] in {w[0] for w in twins} else []
        inside = _rows(csv, c["mmsi"], c["start_epoch"], c["end_epoch"], ex)
        if not inside.height:
            continue  # the call of the twin hull itself, made entirely under the borrowed MMSI
        d = haversine_km(inside["Latitude"].to_numpy(), inside["Longitude"].to_numpy(), p.lat, p.lon)
        assert inside.height and (d <= p.radius_km).all(), c
        assert inside["ts"][0] == c["start_epoch"]
        after = _rows(csv, c["mmsi"], c["end_epoch"], c["end_epoch"] + 1)
        if after.height:
            assert haversine_km(after["Latitude"][0], after["Longitude"][0], p.lat, p.lon) > p.radius_km
        assert inside["SOG"].min() < 1.0  # a stop, not a pass-through


def test_gap_labels_match_messages(csv, labels):
    gaps = [x for x in labels if x["type"] == "gap" and not x["control"]]
    assert gaps
    for g in gaps:
        ts = csv.filter(pl.col("MMSI") == g["mmsi"])["ts"].to_numpy()
        if g["end_epoch"] is None:  # still off at the end of the data
            assert g["start_epoch"] in ts and not (ts > g["start_epoch"]).any() and g["seen"]["end"] == "open"
            continue
        assert g["start_epoch"] in ts and g["end_epoch"] in ts
        assert not ((ts > g["start_epoch"]) & (ts < g["end_epoch"])).any()
        assert g["end_epoch"] - g["start_epoch"] >= 2 * 3600


def test_sanctioned_area_labels_match_messages(csv, labels):
    areas = load_areas()
    geom = areas.filter(pl.col("area_id") == "dprk_12nm")["geometry"][0]
    sa = [x for x in labels if x["type"] == "sanctioned_area" and x["observable"]]
    assert sa
    twins = [(x["mmsi"], x["start_epoch"], x["end_epoch"]) for x in labels
             if x["type"] == "spoofing" and x["other_mmsi"]]
    for x in sa:
        if any(m == x["mmsi"] and x["start_epoch"] < e and s < x["end_epoch"] for m, s, e in twins):
            continue  # two hulls share this MMSI then: rows cannot be told apart by MMSI alone
        r = _rows(csv, x["mmsi"], x["start_epoch"], x["end_epoch"])
        assert shapely.intersects_xy(geom, r["Longitude"].to_numpy(), r["Latitude"].to_numpy()).all(), x
    # every emitted position inside the area is covered by a label of its MMSI
    inside = csv.filter(pl.Series(shapely.intersects_xy(geom, csv["Longitude"].to_numpy(), csv["Latitude"].to_numpy())))
    cov = np.zeros(inside.height, bool)
    m, t = inside["MMSI"].to_numpy(), inside["ts"].to_numpy()
    for x in sa:
        cov |= (m == x["mmsi"]) & (t >= x["start_epoch"]) & (t < x["end_epoch"])
    assert cov.all()


def test_encounter_vessels_side_by_side(csv, labels):
    for e in [x for x in labels if x["type"] == "encounter" and x["observable"] and not x["control"]]:
        a = _rows(csv, e["mmsi"], e["start_epoch"], e["end_epoch"])
        b = _rows(csv, e["other_mmsi"], e["start_epoch"], e["end_epoch"])
        j = a.join_asof(b, on="ts", strategy="nearest", suffix="_b")
        d = haversine_km(j["Latitude"].to_numpy(), j["Longitude"].to_numpy(), j["Latitude_b"].to_numpy(),
                         j["Longitude_b"].to_numpy())
        assert np.median(d) < 0.2 and a["SOG"].max() < 3, e
        assert (e["end_epoch"] - e["start_epoch"]) >= 3 * 3600


def test_identity_change_labels(smoke, labels):
    ch = [x for x in labels if x["type"] == "identity_change"]
    launder = [x for x in ch if x["other_mmsi"] and x["old_flag"] != x["new_flag"]]
    rename = [x for x in ch if not x["other_mmsi"]]
    assert launder and rename
    for x in launder:
        assert x["imo"] and x["old_name"] != x["new_name"]


def test_destination_mismatch_declares_other_port(labels):
    mm = [x for x in labels if x["type"] == "destination_mismatch" and not x["control"]]
    assert mm
    for x in mm:
        assert x["declared_locode"] != x["locode"] and x["declared_destination"]


def test_deterministic_for_a_seed(tmp_path, smoke):
    out, _ = smoke
    run("smoke", tmp_path, seed=SEED)
    for name in ("traffic.nmea", "traffic.csv", "labels.jsonl"):
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == \
            hashlib.sha256((out / name).read_bytes()).hexdigest(), name


def test_coverage_hole_drops_reports_and_labels_control_gaps(tmp_path):
    from dataclasses import replace

    from sanctionwatch.simulate.params import DEFAULT

    box = (42.3, 42.7, 131.3, 132.3)
    params = replace(DEFAULT, noise=replace(DEFAULT.noise, coverage_holes=(box,)))
    run("smoke", tmp_path, seed=SEED, params=params)
    df = pl.read_csv(tmp_path / "traffic.csv", columns=["# Timestamp", "MMSI", "Latitude", "Longitude"],
                     schema_overrides={"MMSI": pl.Int64, "Latitude": pl.Float64, "Longitude": pl.Float64})
    df = df.with_columns(pl.col("# Timestamp").str.strptime(pl.Datetime("us", "UTC"), "%d/%m/%Y %H:%M:%S")
                         .dt.epoch("s").alias("ts"))
    labels = [json.loads(x) for x in (tmp_path / "labels.jsonl").read_text().splitlines()]
    for m, a, b in _excluded(labels):  # a spoofer's fake positions may lie in the box: reception follows the hull
        df = df.filter(~((pl.col("MMSI") == m) & pl.col("ts").is_between(a, b)))
    inside = df.filter(pl.col("Latitude").is_between(box[0], box[1]) & pl.col("Longitude").is_between(box[2], box[3]))
    assert inside.height <= 5  # only GNSS noise at the box edge can put a heard report just inside
    holes = [x for x in labels if x["type"] == "gap" and x["control"] and "coverage" in x["notes"]]
    assert len(holes) >= 3
    for g in holes:
        ts = df.filter(pl.col("MMSI") == g["mmsi"])["ts"].to_numpy()
        assert g["start_epoch"] in ts and g["end_epoch"] in ts
        assert not ((ts > g["start_epoch"]) & (ts < g["end_epoch"])).any()
