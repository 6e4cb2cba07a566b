"""Downloads tested offline: file:// URLs and a local HTTP server on 127.0.0.1 serving the shipped files."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from typer.testing import CliRunner

from sanctionwatch.cli.main import app
from sanctionwatch.lists.download import DownloadError, cached, download
from sanctionwatch.lists.sources import SOURCES

UN = SOURCES["un_sc_sanctions"]
UN_FILE = "un/un_consolidated_2026-02-27.xml"


def test_file_url_download_records_version(lists_dir, tmp_path):
    src = SOURCES["un_sc_sanctions"]
    url = (lists_dir / "un" / "un_consolidated_2026-02-27.xml").as_uri()
    meta = download(src, [url], tmp_path)
    assert meta["list_version"] == "2026-02-27" and meta["entities"] == 1003
    assert meta["files"][0]["url"] == url and len(meta["sha256"]) == 64
    assert cached(src, tmp_path)["path"] == meta["path"]
    again = download(src, [url], tmp_path)  # content-addressed: same folder, no duplicate
    assert again["path"] == meta["path"]
    assert len([p for p in (tmp_path / "lists" / "un_sc_sanctions").iterdir() if p.is_dir()]) == 1


@pytest.fixture
def http_root(lists_dir):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(lists_dir))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_download_multi_file_ofac(http_root, tmp_path):
    urls = [f"{http_root}/ofac/2019-01-15/{f}" for f in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")]
    # The 2019 copy has half the entries of the packaged 2024 snapshot: a deliberate downgrade needs allow_drop
    # (without it, validation refuses: tests/lists/test_validate.py).
    meta = download(SOURCES["us_ofac_sdn"], urls, tmp_path, allow_drop=True)
    assert meta["entities"] == 7379 and "51% fewer" in meta["warnings"][-1]
    # OFAC CSVs carry no date: the HTTP Last-Modified header (the server's file mtime) is the version.
    assert len(meta["list_version"]) == 10 and meta["list_version"][4] == "-"
    assert sorted(f["url"].rsplit("/", 1)[1] for f in meta["files"]) == sorted(u.rsplit("/", 1)[1] for u in urls)


def test_download_errors(http_root, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        download(SOURCES["un_sc_sanctions"], [f"{http_root}/un/missing.xml"], tmp_path)
    with pytest.raises(ValueError, match="unsupported URL scheme"):
        download(SOURCES["un_sc_sanctions"], ["ftp://example.org/x.xml"], tmp_path)
    with pytest.raises(ValueError, match="no official download URL"):
        download(SOURCES["gb_fcdo_sanctions"], None, tmp_path)


class _CutHandler(http.server.BaseHTTPRequestHandler):
    """Serves the first half of the UN file while announcing its full length, then closes (a cut transfer)."""

    body = b""

    def do_GET(self) -> None:  # http.server calls it by this name
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body[: len(self.body) // 2])
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *a) -> None:
        pass


@pytest.fixture
def cut_server(lists_dir):
    _CutHandler.body = (lists_dir / UN_FILE).read_bytes()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CutHandler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _cli_download(url: str, cache) -> tuple[int, str]:
    r = CliRunner().invoke(app, ["lists", "download", UN.id, "--url", url, "--cache-dir", str(cache)])
    return r.exit_code, " ".join(r.output.split())  # rich wraps long lines


@pytest.mark.parametrize("case", ["404", "cut_body", "missing_file"])
def test_cli_failed_download_exits_1_names_the_cause_and_keeps_latest(http_root, cut_server, lists_dir, tmp_path,
                                                                      case):
    """HTTP 404 and a cut body exited 2 (the usage-error code) with a bare RuntimeError message; now they exit 1
    (list not accepted), say what failed and which version stays, and the previous download stays latest."""
    cache = tmp_path / "cache"
    good = download(UN, [f"{http_root}/{UN_FILE}"], cache)
    before = sorted(p.name for p in (cache / "lists" / UN.id).iterdir())
    url = {"404": f"{http_root}/un/missing.xml", "cut_body": f"{cut_server}/un.xml",
           "missing_file": (tmp_path / "nope.xml").as_uri()}[case]
    code, out = _cli_download(url, cache)
    assert code == 1, out
    want = {"404": "HTTP 404", "cut_body": "RemoteProtocolError", "missing_file": "FileNotFoundError"}[case]
    assert f"download of {UN.id} failed" in out and want in out, out
    assert "previous download (2026-02-27) stays latest" in out
    assert "Traceback" not in out
    assert cached(UN, cache) == good
    assert sorted(p.name for p in (cache / "lists" / UN.id).iterdir()) == before  # no _incoming-* left behind


def test_cli_first_download_failure_says_packaged_snapshot_stays(http_root, tmp_path):
    code, out = _cli_download(f"{http_root}/un/missing.xml", tmp_path / "cache")
    assert code == 1 and "the packaged snapshot stays in use" in out, out
    assert cached(UN, tmp_path / "cache") is None


def test_cli_download_usage_errors_exit_2(tmp_path):
    code, out = _cli_download("ftp://example.org/x.xml", tmp_path / "cache")
    assert code == 2 and "unsupported URL scheme" in out, out
    r = CliRunner().invoke(app, ["lists", "download", "no_such_list", "--cache-dir", str(tmp_path / "cache")])
    assert r.exit_code == 2 and "unknown list" in r.output
