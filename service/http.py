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
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

JSON = "application/json"
REVALIDATE = "no-cache"

# Newest event, source and actor ids: three index lookups in one round trip. Plain SQL, so
# that the fast path can run it on a bare driver connection too.
VERSION_SQL = (
    "SELECT (SELECT max(id) FROM event), (SELECT max(id) FROM source), (SELECT max(id) FROM actor)"
)
_VERSION_QUERY = sa.text(VERSION_SQL)


def format_version(row: Sequence[int | None]) -> str:
    events, sources, actors = row
    return f"{events or 0}.{sources or 0}.{actors or 0}"


def data_version(session: Session) -> str:
    return format_version(session.execute(_VERSION_QUERY).one())


def json_bytes(body: Any) -> bytes:
    return orjson.dumps(body)


def json_number(value: float | None) -> float | int | None:
    """62.0 is shown as 62; a whole number too large for a 64-bit JSON integer stays a float."""
    if value is not None and float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return value


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
    return _etag(f"{path}?{canonical}|{version}|{today}|{variant}")


@lru_cache(maxsize=4096)
def _etag(key: str) -> str:
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def page_variant(part: str, user_id: int | None, csrf: str | None) -> str:
    """The ETag variant of an HTML page or fragment: the signed-in user and their CSRF token are
    part of the HTML, so they are part of the ETag."""
    return f"{part}|{user_id}|{csrf or ''}"


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
