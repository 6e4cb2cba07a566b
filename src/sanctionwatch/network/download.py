"""Download RouteViews / RIPE RIS MRT archives by time range and collector, into a cache (skip what is there).

URL templates are plain `str.format` strings with {base}, {collector}, {collector_dir}, {Y} {m} {d} {H} {M};
file times are aligned to each archive's publication period. A missing file (404) or a failed transfer is
reported per URL and never leaves a partial file in the cache (atomic writes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from sanctionwatch.store.files import atomic_path


@dataclass(frozen=True)
class Archive:
    """One archive layout: base URL, path template and publication period per kind of file."""

    base: str
    templates: dict[str, str]
    period_s: dict[str, int]

    def collector_dir(self, collector: str) -> str:
        return ""


@dataclass(frozen=True)
class RouteViews(Archive):
    """archive.routeviews.org: route-views2 sits at the root, other collectors in a folder of their name."""

    def collector_dir(self, collector: str) -> str:
        return "" if collector in ("route-views2", "") else f"{collector}/"


# Periods: RouteViews updates every 15 min, RIBs every 2 h (archive.routeviews.org README);
# RIS updates every 5 min, bview every 8 h (RIPE RIS raw data documentation, ris.ripe.net/docs/mrt).
ARCHIVES: dict[str, Archive] = {
    "routeviews": RouteViews(
        base="https://archive.routeviews.org",
        templates={"updates": "{base}/{collector_dir}bgpdata/{Y}.{m}/UPDATES/updates.{Y}{m}{d}.{H}{M}.bz2",
                   "rib": "{base}/{collector_dir}bgpdata/{Y}.{m}/RIBS/rib.{Y}{m}{d}.{H}{M}.bz2"},
        period_s={"updates": 900, "rib": 7200},
    ),
    "ris": Archive(
        base="https://data.ris.ripe.net",
        templates={"updates": "{base}/{collector}/{Y}.{m}/updates.{Y}{m}{d}.{H}{M}.gz",
                   "rib": "{base}/{collector}/{Y}.{m}/bview.{Y}{m}{d}.{H}{M}.gz"},
        period_s={"updates": 300, "rib": 28800},
    ),
}


def plan(archive: Archive, collector: str, kind: str, start: datetime, end: datetime,
         base: str | None = None, template: str | None = None) -> list[str]:
    """URLs of the files whose period starts in [start, end) (start rounded down to the period);
    `base`/`template` override the archive's (mirrors, local copies, other layouts)."""
    if kind not in archive.templates:
        raise ValueError(f"unknown kind {kind!r}; expected one of {sorted(archive.templates)}")
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware (UTC)")
    period = archive.period_s[kind]
    t0 = int(start.timestamp()) // period * period
    urls = []
    t = datetime.fromtimestamp(t0, UTC)
    while t < end:
        urls.append((template or archive.templates[kind]).format(
            base=(base or archive.base).rstrip("/"), collector=collector,
            collector_dir=archive.collector_dir(collector), Y=f"{t:%Y}", m=f"{t:%m}", d=f"{t:%d}",
            H=f"{t:%H}", M=f"{t:%M}"))
        t += timedelta(seconds=period)
    return urls


def cache_path(cache_dir: Path, url: str) -> Path:
    """Cache location mirroring the URL's host and path (collector and month stay visible)."""
    u = httpx.URL(url)
    return cache_dir / u.host / u.path.lstrip("/")


@dataclass
class DownloadResult:
    fetched: list[Path] = field(default_factory=list)
    cached: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)             # 404: not published
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, reason)

    def files(self) -> list[Path]:
        return sorted(self.fetched + self.cached)


def download(urls: list[str], cache_dir: str | Path, client: httpx.Client | None = None,
             timeout_s: float = 60.0) -> DownloadResult:
    """Fetch each URL into the cache unless already there; streamed to disk, atomic rename on success."""
    res = DownloadResult()
    own = client is None
    client = client or httpx.Client(timeout=timeout_s, follow_redirects=True)
    try:
        for url in urls:
            dest = cache_path(Path(cache_dir), url)
            if dest.exists():
                res.cached.append(dest)
                continue
            try:
                _fetch(client, url, dest)
                res.fetched.append(dest)
            except _NotFound:
                res.missing.append(url)
            except httpx.HTTPError as e:
                res.failed.append((url, f"{type(e).__name__}: {e}"))
    finally:
        if own:
            client.close()
    return res


class _NotFound(Exception):
    pass


def _fetch(client: httpx.Client, url: str, dest: Path) -> None:
    with client.stream("GET", url) as r:
        if r.status_code == 404:
            raise _NotFound(url)
        r.raise_for_status()
        with atomic_path(dest) as tmp, open(tmp, "wb") as fh:
            for chunk in r.iter_bytes():
                fh.write(chunk)
