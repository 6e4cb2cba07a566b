"""The notebook API: sanctionwatch.open(store), detect, screen, exports, plus the doctests and docs/python.md."""

from __future__ import annotations

import doctest
import json
import re
import warnings
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import shapely

import sanctionwatch
import sanctionwatch.api
import sanctionwatch.report.geoexport

DOCS = Path(__file__).resolve().parents[1] / "docs" / "python.md"


def test_doctests():
    for mod in (sanctionwatch.api, sanctionwatch.report.geoexport):
        res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
        assert res.attempted > 0 and res.failed == 0, mod.__name__


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from sanctionwatch.ais.ingest import ingest
    from sanctionwatch.simulate import run as simulate
    from sanctionwatch.store import Store

    tmp = tmp_path_factory.mktemp("api")
    summary = simulate("smoke", tmp / "scen", seed=3, csv=False)
    list(ingest(Store(tmp / "store"), [str(tmp / "scen" / summary["files"]["nmea"])]))
    sanctionwatch.api.detect(tmp / "store")
    return tmp / "store"


def test_open_store_end_to_end(store, tmp_path):
    ws = sanctionwatch.open(store)
    assert ws.positions().height > 1000
    ev = ws.events()
    assert ev.height > 0 and isinstance(ev["evidence"][0], dict)
    one = ws.events(type=ev["type"][0])
    assert set(one["type"]) == {ev["type"][0]}
    ranked = ws.risk()
    assert ranked.height > 0 and "risk_0_100" in ranked.columns
    with pytest.raises(FileNotFoundError):
        sanctionwatch.open(tmp_path / "nope")


def test_filters_pandas_and_profiles(store):
    ws = sanctionwatch.open(store)
    ev = ws.events()
    lat, lon = ev["lat"].drop_nulls()[0], ev["lon"].drop_nulls()[0]
    boxed = ws.events(bbox=(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01))
    assert 0 < boxed.height < ev.height
    assert all(abs(a - lat) <= 0.01 and abs(b - lon) <= 0.01 for a, b in zip(boxed["lat"], boxed["lon"], strict=True))
    late = ws.events(start=ev["end"].max())  # only events still going on at the very end
    assert late.height < ev.height and (late["end"] > ev["end"].max()).sum() == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        pdf = ws.events(as_="pandas")
        tracks = ws.tracks(as_="pandas")
    assert len(pdf) == ev.height and isinstance(pdf["evidence"].iloc[0], dict)
    assert {"mmsi", "ts", "lat", "lon"} <= set(tracks.columns)
    prof = ws.vessel(int(ev["mmsi"][0]))
    assert int(ev["mmsi"][0]) in prof["mmsis"] and prof["events"]
    with pytest.raises(ValueError):
        ws.positions(as_="spark")


def test_exports_are_geoparquet_and_geojson(store, tmp_path):
    ws = sanctionwatch.open(store)
    ev = ws.events()
    p = ws.export_events(tmp_path / "events.parquet")
    t = pq.read_table(p)
    geo = json.loads(t.schema.metadata[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["columns"]["geometry"]["encoding"] == "WKB"
    pts = shapely.from_wkb(t.column("geometry").to_pylist())
    assert t.num_rows == ev.filter(ev["lat"].is_not_null()).height
    assert [round(g.x, 6) for g in pts[:5]] == [round(x, 6) for x in t.column("lon").to_pylist()[:5]]
    lines = ws.export_tracks(tmp_path / "tracks.geojson", lines=True)
    fc = json.loads(lines.read_text())
    n_vessels = ws.sql("select count(distinct mmsi) n from positions")["n"][0]
    assert len(fc["features"]) == n_vessels and fc["features"][0]["geometry"]["type"] == "LineString"
    tp = ws.export_tracks(tmp_path / "tracks.parquet")
    assert pq.read_metadata(tp).num_rows == ws.positions().filter(ws.positions()["lat"].is_not_null()).height
    assert not list(tmp_path.glob(".*"))  # write-then-rename leaves no temporary file
    with pytest.raises(FileNotFoundError):
        ws.export_events(tmp_path / "missing" / "e.geojson")


def test_geopandas_reads_the_export(store, tmp_path):
    gpd = pytest.importorskip("geopandas")  # optional: not a runtime or test dependency
    p = sanctionwatch.open(store).export_events(tmp_path / "events.parquet")
    g = gpd.read_parquet(p)
    assert len(g) == pq.read_metadata(p).num_rows and g.crs is not None


def test_docs_python_md_code_blocks_run(store, monkeypatch, tmp_path):
    """Every ```python block of docs/python.md runs against a real (simulated) store."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sw-demo").mkdir()
    (tmp_path / "sw-demo" / "store").symlink_to(store)
    for code in blocks:
        exec(compile(code, str(DOCS), "exec"), {})  # our own documentation
