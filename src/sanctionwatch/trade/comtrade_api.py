"""UN Comtrade+ API client: preview endpoints without a key, data endpoints with one; cached, rate-limited, retried.

URLs follow the official `comtradeapicall` package (uncomtrade/comtradeapicall, PreviewGet.py):
  no key:   {base}/public/v1/preview/{type}/{freq}/{cl}?reporterCode=..&period=..&partnerCode=..
  with key: {base}/data/v1/get/{type}/{freq}/{cl}?...   (key sent as header Ocp-Apim-Subscription-Key,
            never written to the cache key or to logs)
Responses are JSON `{"data": [...], "count": n, "error": ""}`, read by `readers.read_text` (current layout).
Limits (UN Comtrade developer portal): preview calls return at most 500 records; keyed calls are rate
limited (HTTP 429 with Retry-After), so the client waits `min_interval_s` between calls and backs off.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from sanctionwatch import settings
from sanctionwatch.store.files import write_text_atomic
from sanctionwatch.trade.readers import ReadResult, read_text

DEFAULT_BASE = "https://comtradeapi.un.org"
RETRY_STATUS = (429, 500, 502, 503, 504)


class ComtradeError(RuntimeError):
    """The API refused or failed (status and message from the response)."""


@dataclass
class ComtradeClient:
    """Cached, rate-limited Comtrade+ client. `transport` lets tests route calls to a local server or mock."""

    key: str | None = None
    base_url: str = DEFAULT_BASE
    cache_dir: Path | None = None
    min_interval_s: float = 1.0  # the portal asks for at most 1 call per second on free keys
    max_retries: int = 4
    backoff_s: float = 2.0
    timeout_s: float = 60.0
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    calls: int = 0
    _last: float = field(default=0.0, repr=False)

    @classmethod
    def from_settings(cls, **kw: Any) -> ComtradeClient:
        """Client with the `comtrade_key` and `cache_dir` settings (env SANCTIONWATCH_COMTRADE_KEY, ..._CACHE_DIR)."""
        key = settings.get("comtrade_key") or None
        cache = Path(settings.get("cache_dir")).expanduser() / "comtrade"
        return cls(key=key, cache_dir=cache, **kw)

    def url(self, type_code: str = "C", freq: str = "A", cl: str = "HS") -> str:
        kind = "data/v1/get" if self.key else "public/v1/preview"
        return f"{self.base_url.rstrip('/')}/{kind}/{type_code}/{freq}/{cl}"

    def _cache_path(self, url: str, params: dict[str, str]) -> Path | None:
        if self.cache_dir is None:
            return None
        h = hashlib.sha256((url + "?" + json.dumps(params, sort_keys=True)).encode()).hexdigest()[:24]
        return Path(self.cache_dir) / f"{h}.json"

    def get_json(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        """GET with cache, pacing and retries on 429/5xx/transport errors (Retry-After honoured)."""
        cp = self._cache_path(url, params)
        if cp is not None and cp.exists():
            return json.loads(cp.read_text(encoding="utf-8"))
        headers = {"Ocp-Apim-Subscription-Key": self.key} if self.key else {}
        last_err = ""
        with httpx.Client(transport=self.transport, timeout=self.timeout_s) as client:
            for attempt in range(self.max_retries + 1):
                wait = self.min_interval_s - (time.monotonic() - self._last)
                if wait > 0:
                    self.sleep(wait)
                self._last = time.monotonic()
                self.calls += 1
                try:
                    resp = client.get(url, params=params, headers=headers)
                except httpx.TransportError as e:
                    last_err = f"transport error: {e}"
                    self.sleep(self.backoff_s * 2**attempt)
                    continue
                if resp.status_code in RETRY_STATUS:
                    last_err = f"HTTP {resp.status_code}"
                    ra = resp.headers.get("Retry-After", "")
                    self.sleep(float(ra) if ra.replace(".", "", 1).isdigit() else self.backoff_s * 2**attempt)
                    continue
                if resp.status_code != 200:
                    raise ComtradeError(f"HTTP {resp.status_code} from {resp.url}: "
                                        f"{_message(resp)}")
                doc = resp.json()
                if doc.get("error"):
                    raise ComtradeError(f"Comtrade error: {doc['error']}")
                if cp is not None:
                    write_text_atomic(cp, json.dumps(doc))
                return doc
        raise ComtradeError(f"gave up after {self.max_retries + 1} attempts: {last_err}")

    def fetch(self, reporter: int | str, period: str, partner: int | str | None = None, cmd: str = "TOTAL",
              flow: str | None = None, freq: str = "A", cl: str = "HS", type_code: str = "C",
              max_records: int | None = None) -> ReadResult:
        """Final data for one query as a normalised ReadResult (source = the query, without the key)."""
        params = {"reporterCode": str(reporter), "period": period, "cmdCode": cmd,
                  "includeDesc": "true", "customsCode": "C00", "motCode": "0", "partner2Code": "0"}
        if partner is not None:
            params["partnerCode"] = str(partner)
        if flow:
            params["flowCode"] = flow
        if max_records:
            params["maxRecords"] = str(max_records)
        url = self.url(type_code, freq, cl)
        doc = self.get_json(url, params)
        name = f"comtrade-{type_code}{freq}{cl}-r{reporter}-p{partner}-{period}-{cmd}".replace(",", "_")
        return read_text(json.dumps(doc), name)


def _message(resp: httpx.Response) -> str:
    try:
        doc = resp.json()
        return str(doc.get("message") or doc.get("error") or doc)[:300]
    except ValueError:
        return resp.text[:300]
