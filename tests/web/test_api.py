"""REST API: typed pages, vessel profile and track, error envelope per error class, security controls."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from sanctionwatch.web.app import create_app
from sanctionwatch.web.queries import MAX_TRACK_POINTS
from sanctionwatch.web.security import RateLimiter, token_required
from tests.web.conftest import MMSI


@pytest.fixture()
def client(store) -> TestClient:
    return TestClient(create_app(store), base_url="http://127.0.0.1")


def test_api_docs_are_served_offline(client):
    html = client.get("/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in html and "http" not in html.split("<body>")[1]
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200


def test_health_and_openapi(client):
    assert client.get("/api/health").json()["tables"] == {"positions": True, "vessel_reports": True, "events": True}
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/vessels", "/api/vessels/{mmsi}", "/api/vessels/{mmsi}/track", "/api/events", "/api/risk"} <= set(paths)


def test_vessel_search_profile_and_pagination(client):
    page = client.get("/api/vessels", params={"q": "CHON"}).json()
    assert [v["mmsi"] for v in page["items"]] == [MMSI] and page["next_offset"] is None
    assert client.get("/api/vessels", params={"q": "8705539"}).json()["items"][0]["name"] == "CHONMASAN"
    prof = client.get(f"/api/vessels/{MMSI}").json()
    assert [h["name"] for h in prof["identity_history"]] == ["CHON MA SAN", "CHONMASAN"]
    assert [d["destination"] for d in prof["destinations"]] == ["VLADIVOSTOK", "NAMPO"]
    assert prof["track"]["positions"] == 20_000
    assert {e["type"] for e in prof["events"]} == {"gap", "port_call"}
    ev = client.get("/api/events", params={"limit": 1}).json()
    assert len(ev["items"]) == 1 and ev["next_offset"] == 1
    assert client.get("/api/events", params={"type": "port_call"}).json()["items"][0]["locode"] == "KPNJN"
    assert client.get("/api/events", params={"bbox": "130,42,131,43"}).json()["items"][0]["type"] == "port_call"


def test_track_is_simplified_by_zoom_and_shows_gap(client):
    full = client.get(f"/api/vessels/{MMSI}/track").json()
    coarse = client.get(f"/api/vessels/{MMSI}/track", params={"zoom": 3}).json()
    assert full["properties"]["positions"] == 20_000
    assert full["properties"]["vertices"] <= MAX_TRACK_POINTS
    assert coarse["properties"]["vertices"] < full["properties"]["vertices"]
    kinds = [f["properties"]["kind"] for f in coarse["features"]]
    assert kinds.count("gap") == 1 and kinds.count("track") >= 2
    ts = [f["properties"]["t"] for f in coarse["features"] if f["properties"]["kind"] == "track"]
    assert ts == sorted(ts) and ts[0] == 0.0


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/api/vessels/123", 404, "http_error"),
    ("/api/events?type=bogus", 422, "http_error"),
    ("/api/events?limit=0", 422, "invalid_parameter"),
    ("/api/events?bbox=1,2,3", 422, "http_error"),
    ("/api/vessels/abc/track", 422, "invalid_parameter"),
])
def test_error_envelope(client, path, status, code):
    r = client.get(path)
    assert r.status_code == status
    assert r.json()["error"]["status"] == status and r.json()["error"]["code"] == code


def test_read_only_size_limit_and_headers(client):
    assert client.post("/api/events").json()["error"]["code"] == "read_only"
    r = client.get("/api/health", headers={"content-length": str(10**7)})
    assert r.status_code == 413
    h = client.get("/api/health").headers
    assert h["x-frame-options"] == "DENY" and "default-src 'self'" in h["content-security-policy"]
    assert "access-control-allow-origin" not in client.get("/api/health", headers={"Origin": "http://evil"}).headers


def test_static_no_path_traversal(client):
    assert client.get("/static/app.js").status_code == 200
    for p in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fqueries.py"):
        assert client.get(p).status_code == 404


def test_token_required_off_loopback_and_enforced(store):
    with pytest.raises(ValueError, match="token"):
        token_required("0.0.0.0", "")
    assert token_required("127.0.0.1", "") == ""
    c = TestClient(create_app(store, token="s3cret"), base_url="http://127.0.0.1")
    assert c.get("/api/events").status_code == 401
    assert c.get("/api/events", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/api/events", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert c.get("/api/health").status_code == 200


def test_rate_limit(store):
    c = TestClient(create_app(store, limiter=RateLimiter(rate=0.001, burst=3)), base_url="http://127.0.0.1")
    codes = [c.get("/api/health").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_trade_endpoints_on_constructed_fixture(tmp_path):
    from pathlib import Path

    import sanctionwatch
    from sanctionwatch.store import Store
    from sanctionwatch.trade.load import load_file

    st = Store(tmp_path)
    fixture = Path(sanctionwatch.__file__).parent / "data" / "trade" / "constructed_rus_prk_monthly_H4_2016-2017.csv"
    load_file(st, fixture)
    c = TestClient(create_app(st), base_url="http://127.0.0.1")
    pairs = c.get("/api/trade/pairs").json()
    assert {(p["reporter_code"], p["partner_code"]) for p in pairs} >= {(643, 408)}
    series = c.get("/api/trade/series", params={"reporter": 643, "partner": 408, "flow": "export"}).json()
    assert len(series) >= 12 and all(s["value_usd"] >= 0 for s in series)
    assert c.get("/api/trade/series", params={"reporter": 643, "partner": 408, "flow": "x"}).status_code == 422
    charts = c.get("/api/trade/charts", params={"limit": 1}).json()["items"]
    assert charts and all(ch["png"].startswith("data:image/png;base64,") for ch in charts)


def test_map_layers_areas_and_ports(client):
    areas = client.get("/api/areas").json()
    assert {f["properties"]["area_id"] for f in areas["features"]} >= {"dprk_12nm", "dprk_24nm"}
    kp = client.get("/api/ports", params={"country": "kp"}).json()["features"]
    names = {f["properties"]["name"] for f in kp}
    assert len(kp) >= 10 and any("Nampo" in n for n in names)
    box = client.get("/api/ports", params={"bbox": "129,42,131,43"}).json()["features"]
    assert box and all(129 <= f["geometry"]["coordinates"][0] <= 131 for f in box)


def test_tracks_table_serves_same_track_and_goes_stale_after_ingest(store, tmp_path):
    import os
    import shutil
    import time

    from sanctionwatch.store import Store, connect
    from sanctionwatch.store.layout import write_tracks
    from sanctionwatch.web.queries import Queries

    st = Store(shutil.copytree(store.root, tmp_path / "s"))
    before = Queries(st).track(MMSI, None, None, zoom=5)
    pos = connect(st).execute("select mmsi, ts, lat, lon, sog, source, src_line from positions").arrow().read_all()
    assert write_tracks(st, pos) == 20_000
    q = Queries(st)
    assert q.track_table().startswith("read_parquet(")
    assert q.track(MMSI, None, None, zoom=5) == before
    assert q.track_summary(MMSI)["positions"] == 20_000
    # an import newer than the tracks table: per-vessel reads go back to the positions
    time.sleep(0.01)
    rec = st.imports_dir / "imp1.json"
    os.utime(rec, (time.time() + 5, time.time() + 5))
    assert Queries(st).track_table() == "positions"


def test_screen_endpoint_says_why(client):
    r = client.get("/api/screen", params=[("q", "KUMUNSAN 3"), ("q", "IMO 8705539")]).json()
    hits = r["items"]
    assert {h["query"] for h in hits} == {"KUMUNSAN 3", "IMO 8705539"}
    assert all(h["caption"] and h["dataset"] and h["list_version"] and h["algorithm"] for h in hits)
    assert any(h["field"] == "imo" and h["match_kind"] == "strong" for h in hits)


def test_risk_page_follows_the_band_rank_not_raw_points(tmp_path) -> None:
    """A designated vessel (rank 1) with fewer points than a busy high-band one is listed first."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sanctionwatch.risk.run import risk_file
    from sanctionwatch.store.layout import Store

    st = Store(tmp_path / "st")
    st.stage_day_partitions("vessel_reports", pa.table({
        "ts": pa.array([0], pa.timestamp("ms", tz="UTC")), "mmsi": pa.array([445000001], pa.int32()),
        "msg_type": pa.array([5], pa.int8()), "name": ["X"]}), "imp1", 0)
    st.publish_import("imp1", {"import_id": "imp1"})
    f = risk_file(st, "ranked")
    f.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"rank": pa.array([1, 2], pa.uint32()), "mmsi": [445000001, 445000002],
                             "band": ["designated", "high"], "points": [100.0, 140.0]}), f)
    rows = TestClient(create_app(st), base_url="http://127.0.0.1").get("/api/risk").json()
    items = rows["items"] if isinstance(rows, dict) else rows
    assert [r["mmsi"] for r in items] == [445000001, 445000002]
