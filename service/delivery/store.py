"""The one store of values kept per data version: answers already built (their bytes, which the
fast path and the routes send again) and parts of answers that depend on the data alone (the
dashboard's headlines, the withheld names' masker), computed once per version and reused by every
request made at that version.

An entry lives under its scope: the database, the data version and today's date. Every write
changes the version, so an entry is never stale: once the data has moved on, its scope is never
asked for again, and only the newest few scopes are kept. Within a scope entries are kept least
recently used first out, and the bytes of kept bodies are bounded across scopes. A body is kept
in each content coding it was asked in (each encoded once, from the identity bytes). After a
write the requests that arrive together all miss: one computes each value while the others wait
for it.

Which paths answered publicly (and how) is remembered beside it, so that the fast path knows
which requests it may answer before any routing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa

from service.delivery.encoding import IDENTITY
from service.delivery.keys import today

T = TypeVar("T")
Scope = tuple[str, str, str]


@dataclass(frozen=True)
class Body:
    """An answer as sent: its bytes, media type and headers (Content-Length aside), in one
    content coding (its `Content-Encoding` header says which, when it is not identity)."""

    data: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...]

    @property
    def etag(self) -> str | None:
        return next((value for name, value in self.headers if name == "etag"), None)


class _Pending:
    """A value being computed by one request, which the others that want it wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.failed = False


class VersionStore:
    """Up to `scopes` data versions, each with up to `entries` values, and at most `max_bytes`
    of bodies in all. Safe to share between the threads of a worker."""

    def __init__(self, scopes: int = 4, entries: int = 512, max_bytes: int = 64 << 20) -> None:
        self.scopes = scopes
        self.entries = entries
        self.max_bytes = max_bytes
        self._kept: OrderedDict[Scope, OrderedDict[Hashable, Any]] = OrderedDict()
        self._pending: dict[tuple[Scope, Hashable], _Pending] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        # Lookups of kept bodies that found one, and that did not (read by /metrics).
        self.hits = 0
        self.misses = 0

    def value(self, scope: Scope, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under `key` at this scope, made (once, whoever asks) if missing."""
        with self._lock:
            found = self._find(scope, key)
            if found is not _MISSING:
                return found  # type: ignore[no-any-return]
            pending = self._pending.get((scope, key))
            computing = pending is None
            if pending is None:
                pending = self._pending[scope, key] = _Pending()
        if not computing:
            pending.done.wait()
            if not pending.failed:
                return pending.value  # type: ignore[no-any-return]
            return self.value(scope, key, make)
        try:
            value = make()
        except BaseException:
            pending.failed = True
            raise
        else:
            pending.value = value
            self._put(scope, key, value)
            return value
        finally:
            with self._lock:
                del self._pending[scope, key]
            pending.done.set()

    def body(self, scope: Scope, etag: str, coding: str = IDENTITY) -> Body | None:
        """The body kept under the identity ETag `etag`, in `coding`."""
        with self._lock:
            found = self._find(scope, _body_key(etag, coding))
            if found is _MISSING:
                self.misses += 1
                return None
            self.hits += 1
        return found  # type: ignore[no-any-return]

    def keep_body(self, scope: Scope, etag: str, body: Body, coding: str = IDENTITY) -> None:
        if len(body.data) > self.max_bytes // 4:
            return  # one huge body would push out everything else
        self._put(scope, _body_key(etag, coding), body)

    def _find(self, scope: Scope, key: Hashable) -> Any:
        values = self._kept.get(scope)
        if values is None or key not in values:
            return _MISSING
        self._kept.move_to_end(scope)
        values.move_to_end(key)
        return values[key]

    def _put(self, scope: Scope, key: Hashable, value: Any) -> None:
        with self._lock:
            values = self._kept.get(scope)
            if values is None:
                values = self._kept[scope] = OrderedDict()
            self._kept.move_to_end(scope)
            if key in values:
                self._bytes -= _size(values.pop(key))
            values[key] = value
            self._bytes += _size(value)
            while len(values) > self.entries:
                self._bytes -= _size(values.popitem(last=False)[1])
            while len(self._kept) > self.scopes:
                _, dropped = self._kept.popitem(last=False)
                self._bytes -= sum(_size(v) for v in dropped.values())
            while self._bytes > self.max_bytes and self._kept:
                oldest = next(iter(self._kept.values()))
                if oldest:
                    self._bytes -= _size(oldest.popitem(last=False)[1])
                else:
                    self._kept.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(values) for values in self._kept.values())

    @property
    def bytes(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0


_MISSING = object()


def _body_key(etag: str, coding: str) -> Hashable:
    return ("body", etag) if coding == IDENTITY else ("body", etag, coding)


def _size(value: Any) -> int:
    return len(value.data) if isinstance(value, Body) else 0


@dataclass(frozen=True)
class PublicPath:
    """How a path answered publicly: the headers it varies on, its Cache-Control, whether it is
    the same for anonymous readers only (pages), and whether its ETag starts with the resource's
    own version (which only the kept body knows). `query_names`: the query parameters the route
    has answered with (the fast path answers no URL that has another: a route may refuse it).
    `compress`: its answers are sent in the content coding a request accepts; `vary_header`: its
    `Vary` (`vary`, and `Accept-Encoding` when it compresses)."""

    vary: tuple[str, ...]
    cache_control: str
    anonymous_only: bool
    versioned_etag: bool
    query_names: frozenset[str] = frozenset()
    compress: bool = False
    vary_header: str = ""


class PublicPaths:
    """The paths that answered publicly, newest kept, bounded."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._paths: OrderedDict[str, PublicPath] = OrderedDict()
        self._lock = threading.Lock()

    def mark(self, path: str, answer: PublicPath) -> None:
        with self._lock:
            known = self._paths.get(path)
            if known is not None:
                names = known.query_names | answer.query_names
                # Bounded: past it, URLs with new names go to the route, as a miss.
                if len(names) <= MAX_QUERY_NAMES:
                    answer = replace(answer, query_names=names)
                else:
                    answer = replace(answer, query_names=known.query_names)
            self._paths[path] = answer
            self._paths.move_to_end(path)
            while len(self._paths) > self.capacity:
                self._paths.popitem(last=False)

    def get(self, path: str) -> PublicPath | None:
        with self._lock:
            return self._paths.get(path)

    def clear(self) -> None:
        with self._lock:
            self._paths.clear()


# Query parameter names remembered per path.
MAX_QUERY_NAMES = 64

store = VersionStore()
public_paths = PublicPaths()


def scope(database: str | sa.URL, version: str) -> Scope:
    """The scope of values read from `database` at data `version`, today."""
    return _database(database), version, today()


@lru_cache(maxsize=16)
def _database(url: str | sa.URL) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)
