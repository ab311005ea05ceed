"""Conditional GETs, for the JSON API and the pages alike: strong ETags derived from the database,
304 Not Modified, and a per-worker cache of response bodies that the fast path may serve.

The data version is read from the database on every request (newest event, source and actor
ids, newest source and actor edits, newest dismissed suggestion: index lookups in one query), so
that ETags agree across workers and restarts and a cached body can never outlive the data it was
built from.

A route opts in to the fast path by answering through `conditional(..., public=True)`: the
response is then the same for every anonymous reader, and the fast path may answer the next
request for that URL (with the same values of the headers the response varies on) before any
routing. Nothing here knows a route by its path.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from service.db import WRITE_CLOCK
from service.web.kept import kept
from service.web.kept import scope as kept_scope
from service.web.responses import JSON
from service.withheld import service as withheld

REVALIDATE = "no-cache"
# Pages differ by who is signed in: browsers may keep them, but must ask before reusing one.
PAGE_CACHE_CONTROL = "no-cache, private"

# Every change shows here: items change only with an event; sources and actors are added (id)
# or corrected (updated_at); suggestions are dismissed; links between items and withheld names
# are added (their newest id) or removed (their count: with ids that only grow, the newest id
# and the count together never come back to an earlier pair once a row has gone). Small lookups
# in one round trip, in plain SQL, so that the fast path can run it on a bare driver connection.
# That holds where commits come in id order (SQLite: one writer at a time). PostgreSQL's writers
# commit in any order, so a commit can leave every newest id as it was: there the sum of the write
# clock (db.WRITE_CLOCK), which every writing transaction ticks, is read as well.
VERSION_SQL = (
    "SELECT (SELECT max(id) FROM event), (SELECT max(id) FROM source), (SELECT max(id) FROM actor),"
    " (SELECT max(updated_at) FROM source), (SELECT max(updated_at) FROM actor),"
    " (SELECT max(id) FROM candidate_dismissal),"
    " (SELECT max(id) FROM item_link), (SELECT count(*) FROM item_link),"
    " (SELECT max(id) FROM withheld_name), (SELECT count(*) FROM withheld_name)"
)
VERSION_SQL_POSTGRESQL = VERSION_SQL + f", (SELECT sum(ticks) FROM {WRITE_CLOCK})"
_VERSION_QUERIES = {
    "sqlite": sa.text(VERSION_SQL),
    "postgresql": sa.text(VERSION_SQL_POSTGRESQL),
}


def version_sql(dialect: str) -> str:
    return VERSION_SQL_POSTGRESQL if dialect == "postgresql" else VERSION_SQL


def format_version(row: Sequence[object]) -> str:
    return ".".join("0" if value is None else str(value) for value in row)


def data_version(session: Session) -> str:
    query = _VERSION_QUERIES[session.get_bind().dialect.name]
    return format_version(tuple(session.execute(query).one()))


def canonical_query(query: Iterable[tuple[str, str]]) -> str:
    """The query as a key: pairs sorted, then encoded again, so that `a%3Db%26c=d` (one pair)
    and `a=b&c=d` (two pairs) can never share a key."""
    return urlencode(sorted(query))


def etag_for(path: str, query: Iterable[tuple[str, str]], version: str, variant: str = "") -> str:
    """A strong ETag for this URL at this data version (and today's date, since `overdue`
    turns at midnight without any event)."""
    today = dt.datetime.now(dt.UTC).date().isoformat()
    return _etag(f"{path}?{canonical_query(query)}|{version}|{today}|{variant}")


@lru_cache(maxsize=4096)
def _etag(key: str) -> str:
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def key_variant(variant: str, headers: Mapping[str, str], vary: Sequence[str]) -> str:
    """What an answer depends on besides its URL and the data: the route's `variant` (for a
    page, the signed-in viewer; empty for public answers) and the request headers in `Vary`."""
    return variant + "|" + "|".join(f"{name}={headers.get(name, '')}" for name in vary)


def _opaque(tag: str) -> str:
    """The part of an ETag that identifies the representation: a resource may prefix it with
    its own version (`"3-<hash>"`), which `If-Match` reads, but the hash alone decides."""
    return tag.strip().removeprefix("W/").strip('"').rpartition("-")[2]


def if_none_match_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    # If-None-Match uses the weak comparison: W/"x" matches "x".
    wanted = _opaque(etag)
    return any(_opaque(candidate) == wanted for candidate in header.split(","))


@dataclass(frozen=True)
class PublicPath:
    """What a path that answers publicly varies on, and the caching it allows. A page is the
    same for every anonymous reader only (`anonymous_only`); the API for everyone."""

    vary: tuple[str, ...]
    cache_control: str
    anonymous_only: bool
    # Its ETag starts with the resource's version, which only the cached answer knows.
    versioned_etag: bool


@dataclass(frozen=True)
class Cached:
    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...]


class ResponseCache:
    """Bodies by ETag, bounded in entries and in bytes. An ETag includes the data version, so an
    entry is never stale: after a write the version changes and old entries are never asked for
    again. It also remembers which paths answered publicly, and on which headers they vary."""

    def __init__(self, capacity: int, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.capacity = capacity
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Cached] = OrderedDict()
        self._public_paths: OrderedDict[str, PublicPath] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Cached | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Cached) -> None:
        if len(entry.body) > self.max_bytes // 4:
            return  # one huge body would push out everything else
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= len(old.body)
            self._entries[key] = entry
            self._size += len(entry.body)
            while len(self._entries) > self.capacity or self._size > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._size -= len(dropped.body)

    def mark_public(self, path: str, answer: PublicPath) -> None:
        with self._lock:
            self._public_paths[path] = answer
            self._public_paths.move_to_end(path)
            while len(self._public_paths) > self.capacity:
                self._public_paths.popitem(last=False)

    def public_path(self, path: str) -> PublicPath | None:
        """How a public path answers, or None when it never answered publicly."""
        with self._lock:
            return self._public_paths.get(path)

    @property
    def size(self) -> int:
        return self._size

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._public_paths.clear()
            self._size = 0


response_cache = ResponseCache(512)


@dataclass(frozen=True)
class Momentary:
    """What a `build` returns for an answer true of this moment only, not of the data version
    its ETag would name: sent without an ETag, and not kept."""

    body: bytes


def _masker_at(session: Session, version: str) -> withheld.Masker:
    """The withheld names at this data version, kept per version with the dashboard's parts
    (`web.kept`, under the same key): the version changes with them (their newest id and their
    count), so they are read again only when it does."""
    return kept.get(kept_scope(session, version), "withheld", lambda: withheld.masker(session))


def not_modified(etag: str, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status_code=304, headers={"ETag": etag, **(headers or {})})


def conditional(
    request: Request,
    session: Session,
    build: Callable[[], bytes | Response | Momentary] | Callable[[str], bytes | Response],
    *,
    media_type: str = JSON,
    public: bool = True,
    variant: str = "",
    vary: Sequence[str] = (),
    cache_control: str = REVALIDATE,
    cache_body: bool = True,
    anonymous_only: bool = False,
    etag_prefix: str = "",
    keyed: bool = False,
) -> Response:
    """Answer a GET: 304 when the client's ETag is current, else the body `build` makes (or the
    one already cached for this ETag).

    `public`: the same answer for every reader (or, with `anonymous_only`, for every anonymous
    reader), so the fast path may serve it.
    `variant`: what else the answer depends on (for pages: who is signed in). `vary`: request
    headers that select the answer (sent as `Vary`, and part of the ETag). `build` may return
    bytes or a whole Response (a page, with its own status and headers). `etag_prefix` puts a
    resource's own version in front of its ETag, so that `If-Match` can accept the ETag a GET
    gave. `keyed`: `build` takes the answer's cache key (for a body kept elsewhere, on disk)."""
    vary = tuple(vary)
    full_variant = key_variant(variant, request.headers, vary)
    version = data_version(session)
    key = etag_for(request.url.path, request.query_params.multi_items(), version, full_variant)
    etag = f'"{etag_prefix}{key[1:]}' if etag_prefix else key
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if vary:
        headers["Vary"] = ", ".join(vary)
    if public:
        response_cache.mark_public(
            request.url.path, PublicPath(vary, cache_control, anonymous_only, bool(etag_prefix))
        )
    if if_none_match_matches(request.headers.get("if-none-match"), etag):
        return not_modified(etag, headers)
    cached = response_cache.get(key) if public and cache_body else None
    if cached is not None:
        response = Response(cached.body, 200, media_type=cached.media_type)
        response.headers.update(dict(cached.headers))
        return response
    built = build(key) if keyed else build()  # type: ignore[call-arg]
    momentary = isinstance(built, Momentary)
    if isinstance(built, Momentary):
        built = built.body
    if isinstance(built, bytes):
        # JSON and Atom are public documents: withheld names never reach them. (Pages are
        # masked by `render`, for everyone who cannot edit; the CSV as it streams.)
        masker = _masker_at(session, version)
        if masker:
            built = masker.utf8(built)
    if momentary:
        assert isinstance(built, bytes)
        no_store = {"Cache-Control": "no-store", **({"Vary": headers["Vary"]} if vary else {})}
        return Response(built, 200, headers=no_store, media_type=media_type)
    if isinstance(built, Response):
        response = built
        response.headers.update(headers)
    else:
        response = Response(built, 200, headers=headers, media_type=media_type)
    if public and cache_body and response.status_code == 200:
        response_cache.put(
            key,
            Cached(
                bytes(response.body),
                response.headers.get("content-type", media_type),
                tuple(
                    (k, v)
                    for k, v in response.headers.items()
                    if k not in ("content-length", "content-type")
                ),
            ),
        )
    return response
