"""HTTP hardening for the dashboard: token auth off-loopback, size and rate limits, headers, one error envelope.

Defaults are for one analyst on their own machine: bound to 127.0.0.1, read-only, no CORS. Binding
anywhere else requires an API token (compared in constant time).
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from dataclasses import dataclass, field

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
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

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            b = self._buckets.get(client)
            if b is None:
                b = self._buckets[client] = _Bucket(self.burst, now)
            b.tokens = min(self.burst, b.tokens + (now - b.updated) * self.rate)
            b.updated = now
            if b.tokens < 1.0:
                return False
            b.tokens -= 1.0
            return True


class GuardMiddleware(BaseHTTPMiddleware):
    """Method allow-list (read-only), body size cap, rate limit, bearer token, security headers."""

    def __init__(self, app: ASGIApp, *, token: str = "", limiter: RateLimiter | None = None,
                 max_body: int = MAX_BODY_BYTES):
        super().__init__(app)
        self.token = token
        self.limiter = limiter or RateLimiter()
        self.max_body = max_body

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return error_response(405, "read_only", "the API is read-only")
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > self.max_body):
            return error_response(413, "too_large", f"request body over {self.max_body} bytes")
        if len(str(request.url)) > self.max_body:
            return error_response(414, "uri_too_long", "request URI too long")
        client = request.client.host if request.client else "unknown"
        if not self.limiter.allow(client):
            return error_response(429, "rate_limited", "too many requests; slow down")
        if self.token and request.url.path != "/api/health":
            supplied = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            supplied = supplied or request.query_params.get("token", "")
            if not hmac.compare_digest(supplied.encode(), self.token.encode()):
                return error_response(401, "unauthorized", "missing or wrong API token")
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response
