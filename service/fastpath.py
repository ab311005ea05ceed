"""The fast path: the hot, public GETs answered before any routing.

Reports poll the JSON API and the dashboard refreshes itself, mostly to learn that nothing
changed. For those requests this middleware reads the data version once, on a driver connection
of its own (no ORM session, no pool), computes the ETag exactly as the routes do, and answers
304 when the client's copy is current, or sends the body this worker already built for that
ETag. Anything else, and any miss, goes on to the app, which builds the body and caches it.

A body is cached under the ETag of the data version it was built at, and the version is read
from the database on every request, so a write made through any worker is seen at once.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from typing import Any

import sqlalchemy as sa
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from service import http
from service.config import get_settings

# Public JSON routes: the same body for everyone, ETags from http.conditional.
API_PREFIXES = ("/api/v1/items", "/api/v1/changes", "/api/v1/summary", "/api/v1/sources",
                "/api/v1/actors", "/feed.atom")  # fmt: skip
DASHBOARD = "/"
SESSION_COOKIE = "tracker_session"
HTML = "text/html; charset=utf-8"
PAGE_HEADERS = [(b"vary", b"HX-Request"), (b"cache-control", b"no-cache, private")]
API_HEADERS = [(b"cache-control", http.REVALIDATE.encode())]


class DataVersionReader:
    """Reads the data version on one bare driver connection in autocommit (each read sees the
    newest commit), reopened when the database URL changes or the connection fails."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._url: str | None = None
        self._connection: Any = None

    def read(self, url: str) -> str:
        with self._lock:
            if url != self._url or self._connection is None:
                self._close()
                self._connection = _connect(url)
                self._url = url
            try:
                cursor = self._connection.execute(http.VERSION_SQL)
                return http.format_version(cursor.fetchone())
            except Exception:
                self._close()
                raise

    def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to release
                self._connection.close()
        self._connection = None
        self._url = None


def _connect(url: str) -> Any:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return sqlite3.connect(
            parsed.database or ":memory:", isolation_level=None, check_same_thread=False
        )
    import psycopg

    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


def _dashboard_part(headers: Headers) -> str | None:
    """Which anonymous dashboard request this is: the whole page, or the table's refresh."""
    if headers.get("hx-request") != "true":
        return "page"
    if headers.get("hx-target") == "results" and not headers.get("hx-history-restore-request"):
        return "results"
    return None


class FastPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.reader = DataVersionReader()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        headers = Headers(scope=scope)
        if path.startswith(API_PREFIXES):
            variant, extra, cacheable = "", API_HEADERS, True
        elif path == DASHBOARD and SESSION_COOKIE not in headers.get("cookie", ""):
            part = _dashboard_part(headers)
            if part is None:
                await self.app(scope, receive, send)
                return
            # The table's refresh answers 200 with a trigger for the other parts, so only its
            # 304 is answered here; the whole page is served from the cache as well.
            variant, extra, cacheable = (
                http.page_variant(part, None, None),
                PAGE_HEADERS,
                part == "page",
            )
        else:
            await self.app(scope, receive, send)
            return
        try:
            version = self.reader.read(get_settings().database_url)
        except Exception:  # let the app answer (and report) whatever is wrong
            await self.app(scope, receive, send)
            return
        query = QueryParams(scope["query_string"].decode("latin-1")).multi_items()
        etag = http.etag_for(path, query, version, variant)
        out = [(b"etag", etag.encode()), *extra]
        if http.if_none_match_matches(headers.get("if-none-match"), etag):
            await send({"type": "http.response.start", "status": 304, "headers": out})
            await send({"type": "http.response.body", "body": b""})
            return
        cached = http.response_cache.get(etag) if cacheable else None
        if cached is None:
            await self.app(scope, receive, send)
            return
        body, media_type = cached
        out += [(b"content-type", media_type.encode()), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": body})
