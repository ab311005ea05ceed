"""Values computed from the data and kept for as long as the data stays the same: the parts of a
page that do not depend on the request (the dashboard's headlines, latest changes and actors),
computed once per data version and reused by every request made at that version, whatever its
search, filters or page.

An entry lives under its scope: the database, the data version (`conditional.data_version`:
every write changes it) and today's date (an item turns overdue at midnight without any write).
Within a scope the caller's key names whatever else the value depends on (the viewer's role, a
filter). Only the newest few scopes are kept, and a bounded number of entries in each: an older
version is never asked for again once the data has moved on.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy.engine import URL
from sqlmodel import Session

T = TypeVar("T")


class _Pending:
    """A value being computed by one request, which the others that want it wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.failed = False


class KeptPerVersion:
    """Up to `scopes` data versions, each with up to `entries` values, least recently used
    first out. Safe to share between the threads of a worker. After a write, the requests that
    arrive together all miss: one computes each value while the others wait for it (if it
    fails, the next one tries)."""

    def __init__(self, scopes: int = 4, entries: int = 64) -> None:
        self.scopes = scopes
        self.entries = entries
        self._kept: OrderedDict[Hashable, OrderedDict[Hashable, Any]] = OrderedDict()
        self._pending: dict[tuple[Hashable, Hashable], _Pending] = {}
        self._lock = threading.Lock()
        self.computed = 0  # how many values were computed rather than reused (for the tests)

    def get(self, scope: Hashable, key: Hashable, make: Callable[[], T]) -> T:
        with self._lock:
            values = self._kept.get(scope)
            if values is not None and key in values:
                self._kept.move_to_end(scope)
                values.move_to_end(key)
                return values[key]  # type: ignore[no-any-return]
            pending = self._pending.get((scope, key))
            computing = pending is None
            if pending is None:
                pending = self._pending[scope, key] = _Pending()
        if not computing:
            pending.done.wait()
            if not pending.failed:
                return pending.value  # type: ignore[no-any-return]
            return self.get(scope, key, make)
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

    def _put(self, scope: Hashable, key: Hashable, value: Any) -> None:
        with self._lock:
            self.computed += 1
            values = self._kept.get(scope)
            if values is None:
                values = self._kept[scope] = OrderedDict()
            self._kept.move_to_end(scope)
            values[key] = value
            while len(values) > self.entries:
                values.popitem(last=False)
            while len(self._kept) > self.scopes:
                self._kept.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(values) for values in self._kept.values())

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.computed = 0


kept = KeptPerVersion()


def scope(session: Session, version: str) -> tuple[str, str, str]:
    """The scope of values read through `session` at data `version`, today."""
    database = _database(session.get_bind().engine.url)
    return database, version, dt.datetime.now(dt.UTC).date().isoformat()


@lru_cache(maxsize=16)
def _database(url: URL) -> str:
    return url.render_as_string(hide_password=True)
