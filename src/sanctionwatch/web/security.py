"""HTTP hardening for the dashboard: token auth off-loopback, Host allow-list, size and rate limits, headers,
one error envelope.

Defaults are for one analyst on their own machine: bound to 127.0.0.1, read-only, no CORS. Binding
anywhere else requires an API token (compared in constant time), sent only as `Authorization: Bearer <token>`
(never in the URL, where it would land in logs, history and Referer headers).
The `Host` header must name this server (loopback names by default, plus setting `allowed_hosts`): a web page
that DNS-rebinds its own name to 127.0.0.1 sends its own name as Host and is refused, so it cannot read the API.
The rate limit is keyed on the socket peer; `X-Forwarded-For` counts only from a configured trusted proxy
(setting `trusted_proxies`), otherwise anyone could rotate it to dodge the limit.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
import time
from dataclasses import dataclass, field

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Host header names accepted by default: the loopback names (with or without port). `localhost.` is the
# fully-qualified spelling browsers also send.
DEFAULT_ALLOWED_HOSTS = frozenset({"127.0.0.1", "localhost", "localhost.", "::1"})
MAX_CLIENTS = 10_000  # rate-limit buckets kept; beyond this, full (idle) buckets are dropped first
log = logging.getLogger("sanctionwatch.web")
# Read-only API: bodies are never needed; 64 KiB leaves room for a long screening query string.
MAX_BODY_BYTES = 64 * 1024
# One analyst's browser issues ~10-30 requests per page view; 20/s sustained with bursts of 120 is
# generous for that and still stops a runaway script from starving the single process.
RATE_PER_S = 20.0
RATE_BURST = 120.0
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # MapLibre needs blob: workers and inline styles for its canvas; everything else is same-origin only.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; worker-src 'self' blob:; child-src blob:; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    ),
}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """The single error envelope of the API."""
    return JSONResponse({"error": {"status": status, "code": code, "message": message}}, status_code=status,
                        headers=SECURITY_HEADERS)


def host_name(header: str) -> str:
    """The host part of a Host header, lowercased: `[::1]:8765` -> `::1`, `LocalHost:80` -> `localhost`."""
    h = header.strip().lower()
    if h.startswith("["):
        return h[1:].split("]", 1)[0]
    if h.count(":") == 1:
        h = h.split(":", 1)[0]
    return h


def allowed_hosts(bind_host: str = "127.0.0.1", extra: str | list[str] = "") -> frozenset[str]:
    """Host names the server answers to: loopback names, the bind address (unless a wildcard) and `extra`
    (comma-separated or a list; `*` disables the check, for deployments behind a proxy that checks Host)."""
    names = set(DEFAULT_ALLOWED_HOSTS)
    if bind_host not in ("0.0.0.0", "::", ""):
        names.add(host_name(bind_host))
    items = extra.split(",") if isinstance(extra, str) else extra
    names |= {host_name(x) if x.strip() != "*" else "*" for x in items if x.strip()}
    return frozenset(names)


def uvicorn_proxy_options(trusted_proxies: str = "") -> dict:
    """uvicorn options for client addresses: by default the socket peer only. uvicorn itself trusts
    X-Forwarded-For from 127.0.0.1 by default, which let any local client (or a loopback reverse proxy
    passing the header through) pick its rate-limit key."""
    if not trusted_proxies.strip():
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted_proxies}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def token_required(host: str, token: str) -> str:
    """Validate the bind address / token combination; returns the token to enforce ('' = none)."""
    if not is_loopback(host) and not token:
        raise ValueError(f"binding to {host} exposes the store beyond this machine: set an API token "
                         "(--token or SANCTIONWATCH_API_TOKEN)")
    return token


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """Token bucket per client address."""

    rate: float = RATE_PER_S
    burst: float = RATE_BURST
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    max_clients: int = MAX_CLIENTS

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            b = self._buckets.get(client)
            if b is None:
                if len(self._buckets) >= self.max_clients:
                    self._evict(now)
                b = self._buckets[client] = _Bucket(self.burst, now)
            b.tokens = min(self.burst, b.tokens + (now - b.updated) * self.rate)
            b.updated = now
            if b.tokens < 1.0:
                return False
            b.tokens -= 1.0
            return True

    def _evict(self, now: float) -> None:
        """Drop buckets that have refilled (their clients are idle), else the oldest half: memory stays bounded."""
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.burst]
        if len(full) < len(self._buckets) // 2:
            full = sorted(self._buckets, key=lambda k: self._buckets[k].updated)[: len(self._buckets) // 2]
        for k in full:
            del self._buckets[k]


class GuardMiddleware(BaseHTTPMiddleware):
    """Method allow-list (read-only), body size cap, rate limit, bearer token, security headers."""

    def __init__(self, app: ASGIApp, *, token: str = "", limiter: RateLimiter | None = None,
                 max_body: int = MAX_BODY_BYTES, hosts: frozenset[str] | None = None):
        super().__init__(app)
        self.token = token
        self.limiter = limiter or RateLimiter()
        self.max_body = max_body
        self.hosts = DEFAULT_ALLOWED_HOSTS if hosts is None else hosts

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if "*" not in self.hosts and host_name(request.headers.get("host", "")) not in self.hosts:
            return error_response(400, "bad_host", "Host header not allowed (set allowed_hosts to serve under "
                                  "another name)")
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return error_response(405, "read_only", "the API is read-only")
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > self.max_body):
            return error_response(413, "too_large", f"request body over {self.max_body} bytes")
        if len(str(request.url)) > self.max_body:
            return error_response(414, "uri_too_long", "request URI too long")
        client = request.client.host if request.client else "unknown"  # the peer (see uvicorn_proxy_options)
        if not self.limiter.allow(client):
            return error_response(429, "rate_limited", "too many requests; slow down")
        path = request.url.path  # the page, /docs and /static hold no data: only the API needs the token
        if self.token and path.startswith("/api/") and path != "/api/health":
            scheme, _, supplied = request.headers.get("authorization", "").strip().partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(supplied.strip().encode(), self.token.encode()):
                return error_response(401, "unauthorized", "missing or wrong API token (send it as "
                                      "`Authorization: Bearer <token>`; tokens in the URL are not accepted)")
        try:
            response = await call_next(request)
        except Exception:  # the envelope and headers on every 5xx; the traceback goes to the log, not the client
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return error_response(500, "internal_error", "internal error (details are in the server log)")
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response
