"""Archive downloader against a local HTTP server on 127.0.0.1 (offline): URL plans, cache, 404s, no partials."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from sanctionwatch.network.download import ARCHIVES, download, plan

BODY = b"MRT-BYTES" * 100


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Handler.hits.append(self.path)
        if "2015" in self.path:  # a server-side failure
            self.send_response(500)
            self.end_headers()
            return
        if self.path.endswith(".1615.bz2") or self.path.endswith("0005.gz"):
            self.send_response(404)
            self.end_headers()
            return
        if "short" in self.path:  # announces more than it sends, then closes: a broken transfer
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY) * 2))
            self.end_headers()
            self.wfile.write(BODY)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    _Handler.hits = []
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_plans() -> None:
    t0, t1 = datetime(2017, 10, 1, 9, 7, tzinfo=UTC), datetime(2017, 10, 1, 9, 31, tzinfo=UTC)
    assert plan(ARCHIVES["routeviews"], "route-views2", "updates", t0, t1) == [
        f"https://archive.routeviews.org/bgpdata/2017.10/UPDATES/updates.20171001.{hm}.bz2"
        for hm in ("0900", "0915", "0930")]
    assert plan(ARCHIVES["routeviews"], "route-views.jinx", "rib", t0, t1) == [
        "https://archive.routeviews.org/route-views.jinx/bgpdata/2017.10/RIBS/rib.20171001.0800.bz2"]
    assert plan(ARCHIVES["ris"], "rrc06", "rib", t0, t1) == [
        "https://data.ris.ripe.net/rrc06/2017.10/bview.20171001.0800.gz"]
    assert len(plan(ARCHIVES["ris"], "rrc06", "updates", t0, t1)) == 6  # 09:05 ... 09:30
    with pytest.raises(ValueError, match="timezone"):
        plan(ARCHIVES["ris"], "rrc06", "updates", datetime(2017, 10, 1), t1)
    with pytest.raises(ValueError, match="unknown kind"):
        plan(ARCHIVES["ris"], "rrc06", "ribs", t0, t1)


def test_download_cache_404_and_failures(server: str, tmp_path: Path) -> None:
    t0, t1 = datetime(2017, 10, 1, 16, 0, tzinfo=UTC), datetime(2017, 10, 1, 16, 30, tzinfo=UTC)
    urls = plan(ARCHIVES["routeviews"], "route-views2", "updates", t0, t1, base=server)
    urls.append(f"{server}/short/updates.bz2")
    urls.append(f"{server}/x/2015/updates.bz2")
    res = download(urls, tmp_path)
    assert [p.name for p in res.fetched] == ["updates.20171001.1600.bz2"]
    assert res.fetched[0].read_bytes() == BODY
    assert res.fetched[0] == tmp_path / "127.0.0.1" / "bgpdata/2017.10/UPDATES/updates.20171001.1600.bz2"
    assert res.missing == [urls[1]]
    assert [u for u, _ in res.failed] == urls[2:]
    assert not list(tmp_path.rglob("*.tmp")) and not (tmp_path / "127.0.0.1" / "short" / "updates.bz2").exists()
    hits = len(_Handler.hits)
    again = download(urls[:1], tmp_path)
    assert again.cached == res.fetched and again.fetched == [] and len(_Handler.hits) == hits


def test_custom_template(server: str, tmp_path: Path) -> None:
    t0 = datetime(2017, 10, 1, 0, 0, tzinfo=UTC)
    urls = plan(ARCHIVES["ris"], "rrc06", "updates", t0, t0.replace(minute=10), base=server,
                template="{base}/mirror/{collector}/{Y}{m}{d}/{H}{M}.gz")
    assert urls == [f"{server}/mirror/rrc06/20171001/0000.gz", f"{server}/mirror/rrc06/20171001/0005.gz"]
    res = download(urls, tmp_path)
    assert len(res.fetched) == 1 and res.missing == [urls[1]]


def test_download_cli(server: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sanctionwatch.cli.main import app

    args = ["bgp", "download", "--archive", "ris", "--collector", "rrc06", "--start", "2017-10-01T00:00Z",
            "--end", "2017-10-01T00:10Z", "--base", server, "--cache", str(tmp_path)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [str(tmp_path / "127.0.0.1" / "rrc06/2017.10/updates.20171001.0000.gz")]
    assert "1 fetched, 0 cached, 1 missing, 0 failed" in res.output
    assert "updates.20171001.0005.gz" in res.output  # the 404 is named
