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
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

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
    query = "&".join(sorted(f"{k}={v}" for k, v in request.query_params.multi_items()))
    today = dt.datetime.now(dt.UTC).date().isoformat()
    key = f"{request.url.path}?{query}|{version}|{today}|{variant}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def etag_matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
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
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        with self._lock:
            self._entries[key] = body
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
    body = response_cache.get(etag)
    if body is None:
        body = build()
        response_cache.put(etag, body)
    return Response(body, 200, headers=headers, media_type=media_type)
