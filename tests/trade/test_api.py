"""Comtrade+ client against a local HTTP server on 127.0.0.1 (offline): URLs, key header, retries, cache."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.store import Store
from sanctionwatch.trade.comtrade_api import ComtradeClient, ComtradeError
from sanctionwatch.trade.data import TradeData, measure
from sanctionwatch.trade.periods import parse_period

# A response in the Comtrade+ shape (field names as returned by comtradeapi.un.org; values constructed).
RECORD = {"typeCode": "C", "freqCode": "A", "refPeriodId": 20180101, "refYear": 2018, "refMonth": 52,
          "period": "2018", "reporterCode": 156, "reporterISO": "CHN", "reporterDesc": "China", "flowCode": "X",
          "flowDesc": "Export", "partnerCode": 408, "partnerISO": "PRK", "partnerDesc": "Dem. People's Rep. of Korea",
          "classificationCode": "H5", "cmdCode": "2710", "cmdDesc": "Petroleum oils, not crude", "aggrLevel": 4,
          "qtyUnitCode": 8, "qtyUnitAbbr": "kg", "qty": 1000000, "netWgt": 1000000, "primaryValue": 750000.0}
BODY = json.dumps({"elements": [], "statusCode": 200, "message": None, "count": 1, "data": [RECORD], "error": ""})


class Server:
    """Scripted responses: each request pops the next (status, headers, body); requests are recorded."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, str], str]] = []
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                u = urlparse(self.path)
                outer.requests.append((u.path, parse_qs(u.query), dict(self.headers)))
                status, headers, body = outer.script.pop(0) if outer.script else (200, {}, BODY)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    t = threading.Thread(target=s.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def _client(server: Server, tmp_path: Path, key: str | None = None) -> tuple[ComtradeClient, list[float]]:
    slept: list[float] = []
    c = ComtradeClient(key=key, base_url=server.url, cache_dir=tmp_path / "cache", min_interval_s=0.0,
                       backoff_s=0.5, sleep=slept.append)
    return c, slept


def test_preview_endpoint_without_key_and_reading(server: Server, tmp_path: Path) -> None:
    c, _ = _client(server, tmp_path)
    r = c.fetch(156, "2018", 408, cmd="2710", flow="X")
    path, q, headers = server.requests[0]
    assert path == "/public/v1/preview/C/A/HS"
    assert (q["reporterCode"], q["partnerCode"], q["period"], q["cmdCode"], q["flowCode"]) == (
        ["156"], ["408"], ["2018"], ["2710"], ["X"])
    assert "Ocp-Apim-Subscription-Key" not in headers
    assert r.layout == "current"
    assert r.table.select("flow", "period", "commodity_code", "net_weight_kg", "value_usd").rows() == [
        ("export", "2018", "2710", 1_000_000.0, 750_000.0)]


def test_key_uses_data_endpoint_and_header_not_url(server: Server, tmp_path: Path) -> None:
    c, _ = _client(server, tmp_path, key="sekret")
    c.fetch(156, "2018", 408)
    path, q, headers = server.requests[0]
    assert path == "/data/v1/get/C/A/HS"
    assert headers.get("Ocp-Apim-Subscription-Key") == "sekret"
    assert "sekret" not in json.dumps(q)
    assert all("sekret" not in p.read_text() and "sekret" not in p.name for p in (tmp_path / "cache").iterdir())


def test_retries_429_and_5xx_honouring_retry_after(server: Server, tmp_path: Path) -> None:
    server.script = [(429, {"Retry-After": "3"}, "{}"), (503, {}, "{}"), (200, {}, BODY)]
    c, slept = _client(server, tmp_path)
    r = c.fetch(156, "2018", 408)
    assert r.table.height == 1 and len(server.requests) == 3 and c.calls == 3
    assert slept == [3.0, 0.5 * 2]  # Retry-After, then exponential backoff (attempt 1)


def test_gives_up_and_client_errors(server: Server, tmp_path: Path) -> None:
    server.script = [(500, {}, "{}")] * 3
    c, _ = _client(server, tmp_path)
    c.max_retries = 2
    with pytest.raises(ComtradeError, match="gave up after 3 attempts: HTTP 500"):
        c.fetch(156, "2018", 408)
    server.script = [(400, {}, json.dumps({"statusCode": 400, "message": "Invalid period"}))]
    with pytest.raises(ComtradeError, match=r"HTTP 400.*Invalid period"):
        c.fetch(156, "20x8", 408)


def test_cache_avoids_second_call(server: Server, tmp_path: Path) -> None:
    c, _ = _client(server, tmp_path)
    c.fetch(156, "2018", 408)
    c.fetch(156, "2018", 408)
    assert len(server.requests) == 1
    c.fetch(156, "2019", 408)
    assert len(server.requests) == 2


def test_pacing_between_calls(server: Server, tmp_path: Path) -> None:
    c, slept = _client(server, tmp_path)
    c.min_interval_s = 60.0
    c.cache_dir = None
    c.fetch(156, "2018", 408)
    c.fetch(156, "2018", 408)
    assert len(slept) == 1 and 59.0 < slept[0] <= 60.0


def test_cli_fetch_into_store(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTIONWATCH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SANCTIONWATCH_COMTRADE_KEY", "")
    st = tmp_path / "store"
    res = CliRunner().invoke(app, ["trade", "fetch", "-r", "CHN", "-p", "PRK", "--period", "2018", "--cmd", "2710",
                                   "--base-url", server.url, "--store", str(st)])
    assert res.exit_code == 0, res.output
    m = measure(TradeData.from_store(Store(st)), 156, 408, "export", parse_period("2018"), "2710")
    assert (m.value_usd, m.net_weight_kg) == (750_000.0, 1_000_000.0)
