"""Downloads tested offline: file:// URLs and a local HTTP server on 127.0.0.1 serving the shipped files."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from sanctionwatch.lists.download import cached, download
from sanctionwatch.lists.sources import SOURCES


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
    with pytest.raises(RuntimeError, match="HTTP 404"):
        download(SOURCES["un_sc_sanctions"], [f"{http_root}/un/missing.xml"], tmp_path)
    with pytest.raises(ValueError, match="unsupported URL scheme"):
        download(SOURCES["un_sc_sanctions"], ["ftp://example.org/x.xml"], tmp_path)
    with pytest.raises(ValueError, match="no official download URL"):
        download(SOURCES["gb_fcdo_sanctions"], None, tmp_path)
