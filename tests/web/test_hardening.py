"""Web hardening (issue 19): Host allow-list, 5xx envelope, rate limit by socket peer, Bearer-only token, health
without secrets, and a fuzz of request parsing (never a 5xx, always the envelope on errors)."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import quote

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctionwatch.web.app import create_app
from sanctionwatch.web.queries import Queries
from sanctionwatch.web.security import RateLimiter, allowed_hosts, host_name, uvicorn_proxy_options
from tests.web.conftest import MMSI

LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def app(store):
    return create_app(store, limiter=RateLimiter(rate=1e9, burst=1e9))


@pytest.fixture(scope="module")
def client(app) -> TestClient:
    return TestClient(app, base_url=LOCAL, raise_server_exceptions=False)


@pytest.mark.parametrize(("host", "ok"), [
    ("127.0.0.1", True), ("127.0.0.1:8765", True), ("localhost:8765", True), ("LOCALHOST", True),
    ("[::1]:8765", True), ("evil.example", False), ("evil.example:8765", False), ("127.0.0.1.evil.example", False),
    ("", False),
])
def test_host_allow_list(client, host, ok):
    r = client.get("/api/health", headers={"host": host})
    if ok:
        assert r.status_code == 200
    else:  # a DNS-rebound page sends its own name: refused before any route runs
        assert r.status_code == 400 and r.json()["error"]["code"] == "bad_host"
        assert r.headers["x-frame-options"] == "DENY"


def test_allowed_hosts_configuration(store):
    hosts = allowed_hosts("0.0.0.0", "sw.lan, Analyst-PC:8765")
    assert {"sw.lan", "analyst-pc", "127.0.0.1", "localhost"} <= hosts and "0.0.0.0" not in hosts
    assert "192.168.1.5" in allowed_hosts("192.168.1.5")
    c = TestClient(create_app(store, hosts=hosts), base_url="http://sw.lan:8765")
    assert c.get("/api/health").status_code == 200
    assert c.get("/api/health", headers={"host": "other.lan"}).status_code == 400
    anyhost = TestClient(create_app(store, hosts=allowed_hosts("127.0.0.1", "*")), base_url="http://x.y")
    assert anyhost.get("/api/health").status_code == 200
    assert host_name("[::1]:80") == "::1" and host_name("::1") == "::1"


def test_unhandled_error_is_a_json_500_with_headers(client, monkeypatch):
    def boom(self, *a, **k):
        raise RuntimeError("secret /home/analyst/store path in a traceback")

    monkeypatch.setattr(Queries, "risk", boom)
    r = client.get("/api/risk")
    assert r.status_code == 500
    assert r.json() == {"error": {"status": 500, "code": "internal_error",
                                  "message": "internal error (details are in the server log)"}}
    assert "secret" not in r.text and "Traceback" not in r.text
    assert r.headers["x-content-type-options"] == "nosniff" and "default-src" in r.headers["content-security-policy"]


def test_huge_mmsi_is_a_422_not_a_500(client):
    """The issue's example: /api/vessels/100000000000000000000/track was a plain-text 500."""
    for path in ("/api/vessels/100000000000000000000/track", "/api/vessels/1000000000", "/api/events?mmsi=-1"):
        r = client.get(path)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_parameter", path
    assert client.get(f"/api/vessels/{MMSI}/track").status_code == 200


def test_token_only_as_bearer_header(store):
    c = TestClient(create_app(store, token="s3cret"), base_url=LOCAL)
    assert c.get("/api/events?token=s3cret").status_code == 401  # never in the URL
    assert c.get("/api/events", headers={"Authorization": "s3cret"}).status_code == 401  # no scheme
    assert c.get("/api/events", headers={"Authorization": "Basic s3cret"}).status_code == 401
    assert c.get("/api/events", headers={"Authorization": "Bearer s3cret-and-more"}).status_code == 401
    assert c.get("/api/events", headers={"Authorization": "bearer s3cret"}).status_code == 200  # scheme is case-free
    r = c.get("/api/events?token=s3cret")
    assert "Authorization: Bearer" in r.json()["error"]["message"]
    # the page and its static files hold no data and load without a token (the page sends it as Bearer)
    assert c.get("/").status_code == 200 and c.get("/static/app.js").status_code == 200
    assert "Bearer" in c.get("/static/app.js").text


def test_health_reveals_no_secrets(store):
    c = TestClient(create_app(store, token="s3cret"), base_url=LOCAL)
    r = c.get("/api/health")  # answers without a token
    assert r.status_code == 200 and set(r.json()) == {"status", "version", "tables"}
    assert str(store.root) not in r.text and store.root.name not in r.text and "s3cret" not in r.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(app, **options):
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.02)
    return srv, t, f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(("trusted", "expect"), [
    ("", [200, 200, 200, 429, 429, 429]),        # socket peer: a rotating X-Forwarded-For does not help
    ("127.0.0.1", [200] * 6),                    # behind a configured proxy, each forwarded client has a bucket
])
def test_rate_limit_keyed_on_peer_unless_trusted_proxy(store, trusted, expect):
    app = create_app(store, limiter=RateLimiter(rate=0.001, burst=3))
    srv, t, url = _serve(app, **uvicorn_proxy_options(trusted))
    try:
        codes = [httpx.get(f"{url}/api/health", headers={"X-Forwarded-For": f"10.0.0.{i}"}).status_code
                 for i in range(6)]
    finally:
        srv.should_exit = True
        t.join(5)
    assert codes == expect


def test_rate_limiter_memory_is_bounded():
    lim = RateLimiter(rate=1.0, burst=2, max_clients=100)
    for i in range(1000):
        lim.allow(f"10.0.{i // 256}.{i % 256}")
    assert len(lim._buckets) <= 100


# --- fuzz: arbitrary paths, query strings and headers. The API never answers 5xx to a malformed request,
# and every error is the JSON envelope.

_ROUTES = ["/api/vessels", f"/api/vessels/{MMSI}", f"/api/vessels/{MMSI}/track", "/api/events", "/api/risk",
           "/api/events/counts", "/api/health", "/api/vessels/{x}", "/api/vessels/{x}/track", "/static/{x}",
           "/api/{x}"]
_PARAMS = ["q", "limit", "offset", "type", "mmsi", "start", "end", "bbox", "zoom", "token"]
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(route=st.sampled_from(_ROUTES), x=_text, params=st.lists(st.tuples(st.sampled_from(_PARAMS), _text),
                                                                 max_size=4),
       auth=st.one_of(st.none(), _text))
def test_fuzz_request_parsing(client, route, x, params, auth):
    path = route.replace("{x}", quote(x, safe=""))
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params)
    headers = {"Authorization": auth.encode("utf-8")} if auth is not None else {}  # raw bytes, not only ASCII
    r = client.get(path + ("?" + query if query else ""), headers=headers)
    assert r.status_code < 500, (path, query, r.text[:200])
    if r.status_code >= 400:
        err = r.json()["error"]
        assert err["status"] == r.status_code and err["code"] and err["message"]
