"""The fast path: repeat GETs answered before any routing.

Reports poll the JSON API and the dashboard refreshes itself, mostly to learn that nothing
changed. For a path that a route has answered publicly (`conditional.answer`), this middleware
reads the data version once, on a driver connection of its own (no ORM session, no pool),
computes the key with the routes' own function (`keys.cache_key`), and answers 304 when the
client's copy is current, or sends the body this worker already built for that key (`store`), in
the content coding the request accepts. Anything else, and any miss (a body not yet kept in that
coding among them: the route encodes it, off the event loop), goes on to the app.

A body is cached under the ETag of the data version it was built at, and the version is read
from the database for every request, so a write made through any worker is seen at once.

On SQLite that read is a lookup in a local file, done in place. On PostgreSQL it is a round trip,
so it is made without blocking the event loop, and shared: a request waits for the next read
that starts after it arrived, and every request that arrives while a read is under way shares
the one after it. Each answer therefore reflects every commit made before its request came in,
as if it had read alone, while the database sees one query per round trip, not one per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import weakref
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from service.config import get_settings
from service.delivery.encoding import PLAIN, accepted, etag_in
from service.delivery.keys import cache_key, current_coding
from service.delivery.store import public_paths, store
from service.delivery.store import scope as scope_of
from service.delivery.version import VERSION_SQL, VERSION_SQL_POSTGRESQL, format_version, sql_for


class DataVersionReader:
    """Reads the data version on one bare driver connection in autocommit (each read sees the
    newest commit), reopened when the database URL changes or the connection fails."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._url: str | None = None
        self._connection: Any = None
        self._sql = VERSION_SQL

    def read(self, url: str) -> str:
        with self._lock:
            if url != self._url or self._connection is None:
                self._close()
                self._connection = _connect(url)
                self._url = url
                self._sql = sql_for(sa.engine.make_url(url).get_backend_name())
            try:
                cursor = self._connection.execute(self._sql)
                return format_version(cursor.fetchone())
            except Exception:
                self._close()
                raise

    def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to release
                self._connection.close()
        self._connection = None
        self._url = None


class SharedVersionRead:
    """The data version of a PostgreSQL database, read on one asynchronous connection of this
    event loop, each read shared by the requests that arrived while the one before it ran."""

    def __init__(self) -> None:
        self._url: str | None = None
        self._connection: Any = None
        self._next: asyncio.Future[str] | None = None
        self._driver: asyncio.Task[None] | None = None

    async def read(self, url: str) -> str:
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        waiting = self._next
        if self._driver is None or self._driver.done():
            self._driver = asyncio.ensure_future(self._drive(url))
        # Shielded: a request that goes away does not cancel a read others wait for.
        return await asyncio.shield(waiting)

    async def _drive(self, url: str) -> None:
        while self._next is not None:
            # Those waiting now get a read that starts now; later arrivals wait for the next.
            waiting, self._next = self._next, None
            try:
                version = await self._query(url)
            except Exception as error:
                await self._close()
                waiting.set_exception(error)
                waiting.exception()  # retrieved: the callers each see it
            else:
                waiting.set_result(version)

    async def _query(self, url: str) -> str:
        if url != self._url or self._connection is None:
            await self._close()
            import psycopg  # an optional dependency: only a PostgreSQL deployment has it

            self._connection = await psycopg.AsyncConnection.connect(
                _conninfo(url), autocommit=True
            )
            self._url = url
        cursor = await self._connection.execute(VERSION_SQL_POSTGRESQL)
        return format_version(await cursor.fetchone())

    async def _close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # already broken: nothing to release
                await self._connection.close()
        self._connection = None
        self._url = None


def _conninfo(url: str) -> str:
    parsed = sa.engine.make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _connect(url: str) -> Any:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return sqlite3.connect(
            parsed.database or ":memory:", isolation_level=None, check_same_thread=False
        )
    import psycopg  # an optional dependency: only a PostgreSQL deployment has it

    return psycopg.connect(_conninfo(url), autocommit=True)


def _conditions(raw: list[tuple[bytes, bytes]]) -> tuple[str | None, str | None]:
    """`If-None-Match` and `Accept-Encoding`, in one pass over the request's headers (a lookup
    of a header that is not there costs as much as the rest of a 304)."""
    asked = encodings = None
    for name, value in raw:
        if name == b"if-none-match":
            asked = value.decode("latin-1")
        elif name == b"accept-encoding":
            encodings = value.decode("latin-1")
    return asked, encodings


class FastPathMiddleware:
    """`is_anonymous(headers)` tells whether a request carries no credentials at all (the app
    knows its session cookie's name; this middleware does not)."""

    def __init__(self, app: ASGIApp, is_anonymous: Callable[[Headers], bool]) -> None:
        self.app = app
        self.is_anonymous = is_anonymous
        self.reader = DataVersionReader()
        # One shared reader per event loop (its connection belongs to that loop).
        self.shared: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SharedVersionRead] = (
            weakref.WeakKeyDictionary()
        )

    async def version(self, url: str) -> str:
        if not url.startswith("postgresql"):
            return self.reader.read(url)
        loop = asyncio.get_running_loop()
        shared = self.shared.get(loop)
        if shared is None:
            shared = self.shared[loop] = SharedVersionRead()
        return await shared.read(url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        answer = public_paths.get(path)
        headers = Headers(scope=scope)
        if answer is None or (answer.anonymous_only and not self.is_anonymous(headers)):
            await self.app(scope, receive, send)
            return
        url = get_settings().database_url
        try:
            version = await self.version(url)
        except Exception:  # let the app answer (and report) whatever is wrong
            await self.app(scope, receive, send)
            return
        query = QueryParams(scope["query_string"].decode("latin-1")).multi_items()
        if not {name for name, _ in query} <= answer.query_names:
            # A parameter the route has not answered with (it may refuse it): the route decides.
            await self.app(scope, receive, send)
            return
        # Public answers carry no viewer in their key: the same key the route computed.
        etag = cache_key(path, query, version, headers=headers, vary=answer.vary)
        where = scope_of(url, version)
        asked, encodings = _conditions(scope["headers"])
        codings = accepted(encodings) if answer.compress else PLAIN
        held = current_coding(asked, etag, codings)
        if held is not None:
            kept = store.body(where, etag)
            if kept is not None:
                etag = kept.etag or etag
            elif answer.versioned_etag or (asked or "").strip() == "*":
                # `*` holds for any answer, a refusal too: without a kept body, only the route
                # knows whether this URL (its values) has one.
                await self.app(scope, receive, send)
                return
            out = [
                (b"etag", etag_in(etag, held).encode()),
                (b"cache-control", answer.cache_control.encode()),
            ]
            if answer.vary_header:
                out.append((b"vary", answer.vary_header.encode()))
            await send({"type": "http.response.start", "status": 304, "headers": out})
            await send({"type": "http.response.body", "body": b""})
            return
        kept = store.body(where, etag, codings.chosen)
        if kept is None:
            await self.app(scope, receive, send)
            return
        out = [(k.encode(), v.encode()) for k, v in kept.headers]
        out += [
            (b"content-type", kept.media_type.encode()),
            (b"content-length", b"%d" % len(kept.data)),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": out})
        await send({"type": "http.response.body", "body": kept.data})
