"""Download current lists from their official URLs into the cache, recording version, date and hashes.

Layout: `CACHE/lists/<source id>/<sha256[:12]>/<file names the loaders expect>` plus `meta.json`
(urls, fetched_at, sha256, bytes, HTTP Last-Modified, list_version read from the loaded content).
`CACHE/lists/<source id>/latest.json` points at the newest download. `file://` URLs are read locally,
so the code is testable offline; http(s) goes through httpx.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

import httpx

from sanctionwatch import settings
from sanctionwatch.lists.sources import DOWNLOAD_NAMES, ListSource, load_source
from sanctionwatch.store.files import atomic_path, write_text_atomic

TIMEOUT_S = 120.0  # official list files are up to ~25 MB; OFAC's export API is slow to start.


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
                raise RuntimeError(f"GET {url}: HTTP {r.status_code}")
            with open(tmp, "wb") as fh:
                for chunk in r.iter_bytes():
                    fh.write(chunk)
            return {"url": url, "last_modified": r.headers.get("last-modified")}


def download(src: ListSource, urls: list[str] | None = None, cache_dir: str | Path | None = None) -> dict:
    """Download a list (all its files) into the cache and return its meta record.

    Content-addressed: the same bytes land in the same folder, so re-downloading an unchanged list is a no-op.
    """
    urls = list(urls or src.urls)
    names = DOWNLOAD_NAMES.get(src.format)
    if not urls:
        raise ValueError(f"list {src.id} has no official download URL; pass --url")
    if names is None or len(urls) > len(names):
        raise ValueError(f"list {src.id} ({src.format}): expected at most {len(names or ())} URL(s), got {len(urls)}")
    root = cache_root(cache_dir) / src.id
    tmp_dir = root / "_incoming"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    fetched = [_fetch(u, tmp_dir / n) for u, n in zip(urls, names, strict=False)]
    h = hashlib.sha256()
    for n in names[: len(urls)]:
        h.update((tmp_dir / n).read_bytes())
    digest = h.hexdigest()
    final = root / digest[:12]
    if final.exists():
        shutil.rmtree(tmp_dir)
    else:
        tmp_dir.rename(final)
    target = final if src.format in ("ofac_sdn", "ofac_cons") else final / names[0]
    loaded = load_source(src, target)
    fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
    meta: dict = {
        "source": src.id, "dataset": loaded.dataset, "path": str(target), "sha256": digest,
        "bytes": sum((final / n).stat().st_size for n in names[: len(urls)]),
        "fetched_at": fetched_at,
        "files": fetched, "list_version": loaded.list_version, "entities": len(loaded.entities),
        "problems": len(loaded.problems),
    }
    if src.format in ("ofac_sdn", "ofac_cons"):
        # OFAC CSVs carry no date: the HTTP Last-Modified (else the fetch date) is the list version.
        lm = str(fetched[0].get("last_modified") or "")
        meta["list_version"] = _http_date(lm) or fetched_at[:10]
    write_text_atomic(final / "meta.json", json.dumps(meta, indent=1))
    write_text_atomic(root / "latest.json", json.dumps(meta, indent=1))
    return meta


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
