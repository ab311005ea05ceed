"""HTTP helpers shared by the JSON API and the pages: fast JSON responses, strong ETags derived
from the database, conditional GETs, and a per-worker cache of response bodies.

The data version is read from the database on every request (newest event id, newest source
id, newest actor id: three index lookups in one query), so that ETags agree across workers and
restarts and a cached body can never outlive the data it was built from.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.datastructures import Headers, QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.actors.models import Actor
from service.events.models import Event
from service.sources.models import Source

JSON = "application/json"
REVALIDATE = "no-cache"

_VERSION_QUERY = sa.select(
    sa.select(sa.func.max(Event.id)).scalar_subquery(),
    sa.select(sa.func.max(Source.id)).scalar_subquery(),
    sa.select(sa.func.max(Actor.id)).scalar_subquery(),
)


def data_version(session: Session) -> str:
    events, sources, actors = session.execute(_VERSION_QUERY).one()
    return f"{events or 0}.{sources or 0}.{actors or 0}"


def json_bytes(body: Any) -> bytes:
    return orjson.dumps(body)


def json_response(
    body: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    return Response(json_bytes(body), status_code, headers=headers, media_type=JSON)


def make_etag(request: Request, version: str, *, variant: str = "") -> str:
    """A strong ETag for this URL at this data version (and today's date, since `overdue`
    turns at midnight without any event)."""
    return etag_for(request.url.path, request.query_params.multi_items(), version, variant)


def etag_for(path: str, query: list[tuple[str, str]], version: str, variant: str = "") -> str:
    canonical = "&".join(sorted(f"{k}={v}" for k, v in query))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    key = f"{path}?{canonical}|{version}|{today}|{variant}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def etag_matches(request: Request, etag: str) -> bool:
    return if_none_match_matches(request.headers.get("if-none-match"), etag)


def if_none_match_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    # If-None-Match uses the weak comparison: W/"x" matches "x".
    candidates = {c.strip().removeprefix("W/") for c in header.split(",")}
    return etag in candidates


class ResponseCache:
    """Bodies by ETag. An ETag includes the data version, so an entry is never stale: after a
    write the version changes and the old entries are simply never asked for again."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, body: bytes, media_type: str) -> None:
        with self._lock:
            self._entries[key] = (body, media_type)
            self._entries.move_to_end(key)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


response_cache = ResponseCache(512)


def not_modified(etag: str, extra: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=304, headers={"ETag": etag, "Cache-Control": REVALIDATE, **(extra or {})}
    )


def conditional(
    request: Request,
    session: Session,
    build: Callable[[], bytes],
    *,
    media_type: str = JSON,
    variant: str = "",
    extra_headers: dict[str, str] | None = None,
) -> Response:
    """Answer a GET: 304 when the client's ETag is current, else the (cached) body."""
    etag = make_etag(request, data_version(session), variant=variant)
    headers = {"ETag": etag, "Cache-Control": REVALIDATE, **(extra_headers or {})}
    if etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    cached = response_cache.get(etag)
    if cached is None:
        body = build()
        response_cache.put(etag, body, media_type)
    else:
        body = cached[0]
    return Response(body, 200, headers=headers, media_type=media_type)


# Routes whose GETs are public and the same for everyone, with ETags from `conditional`.
FAST_PATH_PREFIXES = ("/api/v1/items", "/api/v1/changes", "/api/v1/summary", "/api/v1/sources",
                      "/api/v1/actors", "/feed.atom")  # fmt: skip


class ConditionalGetMiddleware:
    """Answers a repeat GET of the public JSON API before any routing: one indexed read of the
    data version, then 304 when the client's ETag is current, or the cached body when this
    worker has built it before. Everything else goes on to the app, which fills the cache.

    The ETag is computed exactly as `conditional` computes it, so both paths agree; a body is
    cached under the ETag of the version it was built at, so no write can leave it stale."""

    def __init__(self, app: ASGIApp, engine_factory: Callable[[], Engine]) -> None:
        self.app = app
        self.engine_factory = engine_factory

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(FAST_PATH_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if_none_match = headers.get("if-none-match")
        query = QueryParams(scope["query_string"].decode("latin-1")).multi_items()
        with self.engine_factory().connect() as connection:
            version = _version_of(connection)
        etag = etag_for(scope["path"], query, version)
        out = [(b"etag", etag.encode()), (b"cache-control", REVALIDATE.encode())]
        if if_none_match_matches(if_none_match, etag):
            await send({"type": "http.response.start", "status": 304, "headers": out})
            await send({"type": "http.response.body", "body": b""})
            return
        cached = response_cache.get(etag)
        if cached is None:
            await self.app(scope, receive, send)
            return
        body, media_type = cached
        out += [
            (b"content-type", media_type.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": body})


def _version_of(connection: sa.Connection) -> str:
    events, sources, actors = connection.execute(_VERSION_QUERY).one()
    return f"{events or 0}.{sources or 0}.{actors or 0}"
