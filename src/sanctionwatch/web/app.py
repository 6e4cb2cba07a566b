"""The dashboard: a FastAPI app serving the JSON API (OpenAPI at /docs) and the static web UI, one process."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from sanctionwatch import __version__
from sanctionwatch.store import Store
from sanctionwatch.store.events import EVENT_TYPES
from sanctionwatch.web.queries import MAX_ROWS, Queries, QueryTimeout
from sanctionwatch.web.security import (
    DEFAULT_ALLOWED_HOSTS,
    GuardMiddleware,
    RateLimiter,
    error_response,
    log,
)

STATIC = Path(__file__).parent / "static"
MAX_MMSI = 999_999_999  # MMSIs have 9 digits; larger numbers overflow the stored int32 (was a plain-text 500)


class Page(BaseModel):
    """A page of results: items plus what is needed to fetch the next page."""

    items: list[dict[str, Any]]
    limit: int
    offset: int
    next_offset: int | None


class Health(BaseModel):
    """Liveness without secrets: no paths, tokens or settings (it answers without a token)."""

    status: str
    version: str
    tables: dict[str, bool]


class VesselProfile(BaseModel):
    mmsi: int
    identity_history: list[dict[str, Any]]
    destinations: list[dict[str, Any]]
    track: dict[str, Any]
    events: list[dict[str, Any]]
    risk: list[dict[str, Any]]
    risk_breakdown: list[dict[str, Any]]
    list_hits: list[dict[str, Any]]


class ScreenPage(Page):
    """A page of screening hits plus the audit trail: searched list versions, queries without a match, staleness."""

    lists: list[dict[str, Any]] = []
    no_match: list[str] = []
    warning: str | None = None


def _page(items: list[dict], limit: int, offset: int) -> Page:
    return Page(items=items, limit=limit, offset=offset, next_offset=offset + limit if len(items) == limit else None)


def create_app(store: Store | str | Path, *, token: str = "", limiter: RateLimiter | None = None,
               hosts: frozenset[str] = DEFAULT_ALLOWED_HOSTS) -> FastAPI:
    """Build the app for one store; `token` non-empty enforces bearer auth on every API call; `hosts` are the
    Host header names answered (web/security.py `allowed_hosts`)."""
    store = store if isinstance(store, Store) else Store(store)
    q = Queries(store)
    app = FastAPI(title="sanctionwatch", version=__version__, docs_url=None, redoc_url=None,
                  description="Evidence of sanctions evasion from open data: vessels, events, risk, screening, trade.")
    app.add_middleware(GuardMiddleware, token=token, limiter=limiter, hosts=hosts)

    @app.exception_handler(StarletteHTTPException)  # FastAPI's HTTPException subclasses it; unknown routes too
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, "http_error", str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", []))
        return error_response(422, "invalid_parameter", f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(Exception)  # last resort (errors outside the guard): envelope, headers, no traceback
    async def _internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(500, "internal_error", "internal error (details are in the server log)")

    @app.exception_handler(QueryTimeout)
    async def _timeout(_: Request, exc: QueryTimeout) -> JSONResponse:
        return error_response(503, "query_timeout", str(exc))

    limit_q = Query(100, ge=1, le=MAX_ROWS, description=f"Page size (max {MAX_ROWS}).")
    offset_q = Query(0, ge=0, le=10_000_000)
    mmsi_p = PathParam(..., ge=0, le=MAX_MMSI, description="MMSI (up to 9 digits)")

    @app.get("/api/health", response_model=Health, tags=["meta"])
    def health() -> Health:
        return Health(status="ok", version=__version__,
                      tables={t: store.has_files(t) for t in ("positions", "vessel_reports", "events")})

    @app.get("/api/vessels", response_model=Page, tags=["vessels"])
    def vessels(q_: str | None = Query(None, alias="q", max_length=100, description="MMSI/IMO prefix or name"),
                limit: int = limit_q, offset: int = offset_q) -> Page:
        return _page(q.vessels(q_, limit, offset), limit, offset)

    @app.get("/api/vessels/{mmsi}", response_model=VesselProfile, tags=["vessels"])
    def vessel(mmsi: int = mmsi_p) -> VesselProfile:
        summary = q.track_summary(mmsi)
        history = q.identity_history(mmsi)
        if not summary["positions"] and not history:
            raise HTTPException(404, f"no vessel with MMSI {mmsi} in the store")
        return VesselProfile(mmsi=mmsi, identity_history=history, destinations=q.destinations(mmsi),
                             track=summary, events=q.events(mmsi=mmsi, limit=MAX_ROWS),
                             risk=q.risk_of(mmsi), risk_breakdown=q.risk_breakdown(mmsi),
                             list_hits=q.list_hits(mmsi))

    @app.get("/api/vessels/{mmsi}/track", tags=["vessels"], response_class=Response)
    def track(mmsi: int = mmsi_p, start: datetime | None = None, end: datetime | None = None,
              zoom: float | None = Query(None, ge=0, le=22, description="Map zoom: simplify to ~half a pixel")
              ) -> Response:
        """GeoJSON of the track (time-coloured segments, gaps dashed); orjson, as tracks are the big payloads."""
        return Response(orjson.dumps(q.track(mmsi, start, end, zoom)), media_type="application/geo+json")

    @app.get("/api/events", response_model=Page, tags=["events"])
    def events(type: str | None = Query(None, description="One of: " + ", ".join(EVENT_TYPES)),
               mmsi: int | None = Query(None, ge=0, le=MAX_MMSI), start: datetime | None = None,
               end: datetime | None = None,
               bbox: str | None = Query(None, description="minlon,minlat,maxlon,maxlat"),
               limit: int = limit_q, offset: int = offset_q) -> Page:
        if type is not None and type not in EVENT_TYPES:
            raise HTTPException(422, f"unknown event type {type!r}")
        box = _parse_bbox(bbox) if bbox else None
        return _page(q.events(type=type, mmsi=mmsi, start=start, end=end, bbox=box, limit=limit, offset=offset),
                     limit, offset)

    @app.get("/api/events/counts", tags=["events"])
    def event_counts() -> list[dict]:
        return q.event_counts()

    @app.get("/api/risk", response_model=Page, tags=["risk"])
    def risk(limit: int = limit_q, offset: int = offset_q) -> Page:
        return _page(q.risk(limit, offset), limit, offset)

    from sanctionwatch.web.geo_routes import router as geo_router
    from sanctionwatch.web.network_routes import router as network_router
    from sanctionwatch.web.trade_routes import router as trade_router

    app.include_router(trade_router(store, q))
    app.include_router(geo_router())
    app.include_router(network_router(store))

    index_cache: dict[str, Any] = {}

    @app.get("/api/screen", response_model=ScreenPage, tags=["screening"])
    def screen(q_: list[str] = Query(..., alias="q", max_length=200,
                                     description="Names, `IMO 8705539`, 9-digit MMSIs or call signs (repeatable)"),
               limit: int = limit_q, offset: int = offset_q) -> ScreenPage:
        """Screen queries against the store's list index (else the shipped lists); every hit says why.

        Rejected namesakes are left out; `lists` are the searched versions, `warning` flags stale lists."""
        from sanctionwatch.lists.freshness import list_ages, stale_warning
        from sanctionwatch.lists.screen import default_index, screen_queries

        if len(q_) > 100:
            raise HTTPException(422, "at most 100 queries per request")
        if "index" not in index_cache:  # built once per process (seconds), then reused
            index_cache["index"] = default_index(store)
        hits = screen_queries(q_, index_cache["index"], show_rejected=False)
        rows = hits.slice(offset, limit).to_dicts()
        page = _page(rows, limit, offset)
        ages = list_ages(index_cache["index"].manifest)
        found = set(hits["query"].to_list())
        return ScreenPage(**page.model_dump(), lists=ages, no_match=[x for x in q_ if x not in found],
                          warning=stale_warning(ages))

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        """Swagger UI served from vendored files: works offline and under the strict CSP."""
        return FileResponse(STATIC / "docs.html")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _parse_bbox(text: str) -> tuple[float, float, float, float]:
    from sanctionwatch.store.events import parse_bbox

    try:
        return parse_bbox(text)
    except ValueError as e:
        raise HTTPException(422, "bbox must be minlon,minlat,maxlon,maxlat" if str(e) == "format"
                            else "bbox out of range") from e
