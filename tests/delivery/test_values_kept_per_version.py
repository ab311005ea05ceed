"""The one store of values kept per data version (service/delivery/store.py): bounded in versions,
entries and bytes; the scope names the database, the version and the day; requests that miss
together compute a value once, and when that fails the next one computes it."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from service.delivery.store import Body, VersionStore, scope

URL = "sqlite:////tmp/tracker.db"


def _scope(version: str) -> tuple[str, str, str]:
    return (URL, version, "2026-12-03")


def test_kept_values_are_bounded_in_versions_and_entries() -> None:
    store = VersionStore(scopes=2, entries=2)
    calls: list[str] = []

    def make(value: str):
        return lambda: calls.append(value) or value

    v1, v2, v3 = _scope("1"), _scope("2"), _scope("3")
    assert store.value(v1, "a", make("a1")) == "a1"
    assert store.value(v1, "a", make("other")) == "a1"  # reused
    store.value(v1, "b", make("b1"))
    store.value(v1, "c", make("c1"))  # pushes out "a", the least recently used
    assert store.value(v1, "a", make("a1 again")) == "a1 again"
    assert len(store) == 2
    store.value(v2, "a", make("a2"))
    store.value(v3, "a", make("a3"))  # pushes out v1
    assert store.value(v1, "b", make("b1 again")) == "b1 again"
    assert calls == ["a1", "b1", "c1", "a1 again", "a2", "a3", "b1 again"]
    store.clear()
    assert len(store) == 0


def test_kept_bodies_are_bounded_in_bytes_and_huge_ones_are_not_kept() -> None:
    store = VersionStore(max_bytes=1000)
    for n in range(8):
        store.keep_body(_scope("1"), f'"{n}"', Body(b"x" * 200, "application/json", ()))
    assert store.bytes <= 1000
    assert store.body(_scope("1"), '"7"') is not None  # the newest stay
    assert store.body(_scope("1"), '"0"') is None  # the oldest went
    store.keep_body(_scope("1"), '"huge"', Body(b"x" * 300, "application/json", ()))
    assert store.body(_scope("1"), '"huge"') is None  # over a quarter of the bound


def test_the_scope_names_the_database_the_version_and_the_day(monkeypatch) -> None:
    today = scope(URL, "1.2.3")
    assert today[1] == "1.2.3"
    assert scope(URL, "1.2.4") != today
    assert scope("sqlite:////tmp/other.db", "1.2.3") != today

    class Tomorrow(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[override]
            return dt.datetime.now(tz) + dt.timedelta(days=1)

    monkeypatch.setattr("service.delivery.keys.dt", SimpleNamespace(datetime=Tomorrow, UTC=dt.UTC))
    # Overdue turns at midnight without any write: the next day is another scope.
    assert scope(URL, "1.2.3") != today


def test_requests_that_miss_together_compute_a_value_once() -> None:
    store = VersionStore()
    calls: list[int] = []
    started = threading.Barrier(8)

    def make() -> str:
        calls.append(1)
        time.sleep(0.2)  # the others arrive meanwhile
        return "headlines"

    def ask() -> str:
        started.wait()
        return store.value(_scope("1"), "headlines", make)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: ask(), range(8)))
    assert answers == ["headlines"] * 8
    assert len(calls) == 1


def test_when_the_one_computing_fails_the_next_one_computes_it() -> None:
    store = VersionStore()
    first = threading.Event()

    def failing() -> str:
        first.set()
        time.sleep(0.2)
        raise RuntimeError("the database went away")

    def ask_later() -> str:
        first.wait()
        return store.value(_scope("1"), "latest", lambda: "latest")

    with ThreadPoolExecutor(2) as pool:
        failed = pool.submit(store.value, _scope("1"), "latest", failing)
        waited = pool.submit(ask_later)
        with pytest.raises(RuntimeError):
            failed.result()
        assert waited.result() == "latest"
    assert store.value(_scope("1"), "latest", lambda: "not again") == "latest"
