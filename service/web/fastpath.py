"""The fast path: repeat GETs answered before any routing.

Reports poll the JSON API and the dashboard refreshes itself, mostly to learn that nothing
changed. For a path that a route has answered publicly (see `conditional`), this middleware reads
the data version once, on a driver connection of its own (no ORM session, no pool), computes the
ETag exactly as the route does, and answers 304 when the client's copy is current, or sends the
body this worker already built for that ETag. Anything else, and any miss, goes on to the app.

A body is cached under the ETag of the data version it was built at, and the version is read
from the database on every request, so a write made through any worker is seen at once.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from service.config import get_settings
from service.web import conditional


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
                cursor = self._connection.execute(conditional.VERSION_SQL)
                return conditional.format_version(cursor.fetchone())
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
    import psycopg  # an optional dependency: only a PostgreSQL deployment has it

    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True)


class FastPathMiddleware:
    """`is_anonymous(headers)` tells whether a request carries no credentials at all (the app
    knows its session cookie's name; this middleware does not)."""

    def __init__(self, app: ASGIApp, is_anonymous: Callable[[Headers], bool]) -> None:
        self.app = app
        self.is_anonymous = is_anonymous
        self.reader = DataVersionReader()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        answer = conditional.response_cache.public_path(path)
        headers = Headers(scope=scope)
        if answer is None or (answer.anonymous_only and not self.is_anonymous(headers)):
            await self.app(scope, receive, send)
            return
        try:
            version = self.reader.read(get_settings().database_url)
        except Exception:  # let the app answer (and report) whatever is wrong
            await self.app(scope, receive, send)
            return
        query = QueryParams(scope["query_string"].decode("latin-1")).multi_items()
        # Public answers carry no viewer in their key: the same key the route computed.
        etag = conditional.etag_for(
            path, query, version, conditional.key_variant("", headers, answer.vary)
        )
        cached = conditional.response_cache.get(etag)
        if conditional.if_none_match_matches(headers.get("if-none-match"), etag):
            if cached is not None:
                etag = dict(cached.headers).get("etag", etag)
            elif answer.versioned_etag:
                await self.app(scope, receive, send)
                return
            out = [(b"etag", etag.encode()), (b"cache-control", answer.cache_control.encode())]
            if answer.vary:
                out.append((b"vary", ", ".join(answer.vary).encode()))
            await send({"type": "http.response.start", "status": 304, "headers": out})
            await send({"type": "http.response.body", "body": b""})
            return
        if cached is None:
            await self.app(scope, receive, send)
            return
        out = [(k.encode(), v.encode()) for k, v in cached.headers]
        out += [
            (b"content-type", cached.media_type.encode()),
            (b"content-length", b"%d" % len(cached.body)),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": cached.body})
