"""Download current lists from their official URLs into the cache, recording version, date and hashes.

Layout: `CACHE/lists/<source id>/<sha256[:12]>/<file names the loaders expect>` plus `meta.json`
(urls, fetched_at, sha256, bytes, HTTP Last-Modified, list_version read from the loaded content).
`CACHE/lists/<source id>/latest.json` points at the newest download that passed validation
(`lists/validate.py`); a download that fails it is kept in `_rejected/` and changes nothing else. `file://` URLs are read locally,
so the code is testable offline; http(s) goes through httpx.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from sanctionwatch import settings
from sanctionwatch.lists.sources import DOWNLOAD_NAMES, ListSource
from sanctionwatch.lists.validate import ListValidationError, ValidateParams, Validation, validate
from sanctionwatch.store.files import atomic_path, write_text_atomic

TIMEOUT_S = 120.0  # official list files are up to ~25 MB; OFAC's export API is slow to start.


class DownloadError(RuntimeError):
    """A list file could not be fetched whole (HTTP status other than 200, a body cut short, a network or
    local-file error); nothing changed in the cache and the message says which version stays in use."""


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """CACHE/lists (setting `cache_dir`)."""
    return Path(cache_dir or settings.get("cache_dir")).expanduser() / "lists"


def _fetch(url: str, dest: Path) -> dict:
    """Fetch one URL to `dest` atomically; returns http metadata."""
    parsed = urlparse(url)
    with atomic_path(dest) as tmp:
        if parsed.scheme == "file":
            shutil.copyfile(unquote(parsed.path), tmp)
            return {"url": url, "last_modified": None}
        if parsed.scheme not in ("http", "https"):
            raise ValueError(f"unsupported URL scheme in {url!r} (use https://, http:// or file://)")
        with httpx.stream("GET", url, timeout=TIMEOUT_S, follow_redirects=True) as r:
            if r.status_code != 200:
                raise DownloadError(f"GET {url}: HTTP {r.status_code} {r.reason_phrase}".rstrip())
            got = 0
            with open(tmp, "wb") as fh:
                for chunk in r.iter_bytes():  # decoded; Content-Length is comparable only without encoding
                    got += len(chunk)
                    fh.write(chunk)
            want = r.headers.get("content-length")
            if want and want.isdigit() and int(want) != got and not r.headers.get("content-encoding"):
                raise DownloadError(f"GET {url}: body cut, {got} of {want} bytes")
            return {"url": url, "last_modified": r.headers.get("last-modified"),
                    "content_type": r.headers.get("content-type")}


def previous_count(src: ListSource, cache_dir: str | Path | None = None) -> tuple[int, str] | None:
    """Entry count of the version in use before this download: the latest download, else the packaged snapshot."""
    meta = cached(src, cache_dir)
    if meta and meta.get("entities") is not None:
        return int(meta["entities"]), f"previous download ({meta.get('list_version')})"
    from sanctionwatch.lists.snapshot import manifest

    for s in manifest().get("sources", []):
        if s.get("source") == src.id and s.get("entities"):
            return int(s["entities"]), f"packaged snapshot ({s.get('list_version')})"
    return None


def download(src: ListSource, urls: list[str] | None = None, cache_dir: str | Path | None = None, *,
             params: ValidateParams | None = None, allow_drop: bool = False) -> dict:
    """Download a list (all its files) into the cache, validate it, and make it "latest"; returns its meta.

    Files land in a private `_incoming-*` folder; only a download that passes `lists/validate.py` is renamed to
    its content-addressed folder and becomes `latest.json` (written last, atomically). A failed validation
    keeps the previous latest, moves the files to `_rejected/` with `validation.json` for inspection, and
    raises `ListValidationError` naming every failed check. Re-downloading an unchanged list is a no-op.
    """
    urls = list(urls or src.urls)
    names = DOWNLOAD_NAMES.get(src.format)
    if not urls:
        raise ValueError(f"list {src.id} has no official download URL; pass --url")
    if names is None or len(urls) > len(names):
        raise ValueError(f"list {src.id} ({src.format}): expected at most {len(names or ())} URL(s), got {len(urls)}")
    root = cache_root(cache_dir) / src.id
    root.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix="_incoming-", dir=root))  # private: concurrent downloads never mix
    try:
        try:
            fetched = [_fetch(u, tmp_dir / n) for u, n in zip(urls, names, strict=False)]
        except (DownloadError, httpx.HTTPError, OSError) as e:
            # offline, DNS, TLS, timeout, a connection closed mid-body, a missing file:// path: all are the same
            # failure as an HTTP error status (nothing is kept, the previous version stays)
            what = str(e) if isinstance(e, DownloadError) else f"{type(e).__name__}: {e}"
            raise DownloadError(f"download of {src.id} failed ({what}); {_kept(src, cache_dir)}") from e
        h = hashlib.sha256()
        for n in names[: len(urls)]:
            h.update((tmp_dir / n).read_bytes())
        digest = h.hexdigest()
        multi = src.format in ("ofac_sdn", "ofac_cons")
        previous = previous_count(src, cache_dir)
        loaded, check = validate(src, tmp_dir if multi else tmp_dir / names[0], previous, params, allow_drop)
        if loaded is None or not check.ok:
            _reject(root, tmp_dir, check, fetched)
            raise ListValidationError(check, f"{_kept(src, cache_dir)}; rejected files in {root / '_rejected'}")
        final = root / digest[:12]
        if not final.exists():
            try:
                tmp_dir.rename(final)
            except OSError:  # a concurrent download of the same bytes won the rename
                if not final.exists():
                    raise
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    target = final if multi else final / names[0]
    fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
    meta: dict = {
        "source": src.id, "dataset": loaded.dataset, "path": str(target), "sha256": digest,
        "bytes": sum((final / n).stat().st_size for n in names[: len(urls)]),
        "fetched_at": fetched_at,
        "files": fetched, "list_version": loaded.list_version, "entities": len(loaded.entities),
        "problems": len(loaded.problems), "previous": check.previous_from, "previous_entities": check.previous_entities,
        "warnings": [str(f) for f in check.warnings],
    }
    if multi:
        # OFAC CSVs carry no date: the HTTP Last-Modified (else the fetch date) is the list version.
        lm = str(fetched[0].get("last_modified") or "")
        meta["list_version"] = _http_date(lm) or fetched_at[:10]
    write_text_atomic(final / "meta.json", json.dumps(meta, indent=1))
    write_text_atomic(root / "latest.json", json.dumps(meta, indent=1))
    return meta


def _kept(src: ListSource, cache_dir: str | Path | None) -> str:
    """Which version stays in use after a failed download (for the error message)."""
    kept = cached(src, cache_dir)
    return f"the previous download ({kept['list_version']}) stays latest" if kept else \
        "the packaged snapshot stays in use"


def _reject(root: Path, incoming: Path, check: Validation, fetched: list[dict]) -> None:
    """Keep the failed download for inspection in `_rejected/` (replacing the previous rejected one)."""
    write_text_atomic(incoming / "validation.json", json.dumps({**check.as_dict(), "files": fetched}, indent=1))
    rejected = root / "_rejected"
    old = root / f"_rejected-old-{os.getpid()}"
    if rejected.exists():
        rejected.rename(old)
    incoming.rename(rejected)
    shutil.rmtree(old, ignore_errors=True)


def _http_date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%a, %d %b %Y %H:%M:%S %Z").date().isoformat()
    except ValueError:
        return None


def cached(src: ListSource, cache_dir: str | Path | None = None) -> dict | None:
    """Meta of the latest cached download of a list, if any."""
    p = cache_root(cache_dir) / src.id / "latest.json"
    return json.loads(p.read_text()) if p.exists() else None
