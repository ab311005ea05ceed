"""The change feed and the data version when writers commit out of id order.

PostgreSQL writers run side by side: one can take event id N and commit after another took N+1
and committed. A poller must still never skip N, and a cached answer must not outlive N's commit.
SQLite has one writer at a time, so there the second writer waits for the first instead."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from service.db import get_engine, write_session
from service.events import service as events
from service.items import service as items
from service.items.models import StatusChange
from tests.support.seed import ITEM, ITEM_WITHOUT_QUANTITY

SLOW_NOTE = "Written slowly."


@contextmanager
def writer_holding_its_event() -> Iterator[threading.Event]:
    """A status change that has taken its event id and waits before it commits, until the
    event yielded is set."""
    holding, release = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            with write_session(alone=False) as session:
                change = StatusChange(status="stalled", note=SLOW_NOTE)
                items.record_status_change(session, ref=ITEM, change=change, user_id=None)
                holding.set()
                release.wait(20)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
            holding.set()

    thread = threading.Thread(target=write)
    thread.start()
    assert holding.wait(20)
    try:
        yield release
    finally:
        release.set()
        thread.join(20)
    assert not failures, failures


def _in_thread(call):  # type: ignore[no-untyped-def]
    result: list[object] = []
    thread = threading.Thread(target=lambda: result.append(call()))
    thread.start()
    return thread, result


def test_an_event_committed_after_a_newer_one_is_neither_skipped_nor_hidden_by_a_cache(
    client, editor_headers, database_url
) -> None:
    last = client.get("/api/v1/changes", params={"after": 0, "limit": 1000}).json()["last_id"]
    postgresql = database_url.startswith("postgresql")
    with writer_holding_its_event() as release:
        fast, fast_answer = _in_thread(
            lambda: client.post(
                f"/api/v1/items/{ITEM_WITHOUT_QUANTITY}/status",
                json={"status": "in_progress", "note": "Written quickly."},
                headers=editor_headers,
            )
        )
        fast.join(3)
        if not postgresql:
            # One writer at a time: the second waits for the first to commit.
            assert fast.is_alive()
            release.set()
            fast.join(20)
        else:
            # The second writer took the next id and committed while the first holds its own.
            assert not fast.is_alive()
            assert fast_answer[0].status_code == 200, fast_answer[0].text
            listed = client.get("/api/v1/items?limit=50")
            etag = listed.headers["etag"]
            # The feed does not show the newer event past the older one still being written:
            # it waits for that writer.
            poll, page = _in_thread(
                lambda: client.get("/api/v1/changes", params={"after": last}).json()
            )
            poll.join(0.5)
            assert poll.is_alive()
            release.set()
            poll.join(20)
            assert [e["note"] for e in page[0]["events"]] == [SLOW_NOTE, "Written quickly."]
            # The older event's commit left the newest event id as it was; the list's ETag
            # changed all the same, and the list shows the slow change.
            again = client.get("/api/v1/items?limit=50", headers={"If-None-Match": etag})
            assert again.status_code == 200 and again.headers["etag"] != etag
            shown = {i["slug"]: i["status"] for i in again.json()["items"]}
            assert shown[ITEM] == "stalled"
    page = client.get("/api/v1/changes", params={"after": last}).json()
    assert [e["id"] for e in page["events"]] == [last + 1, last + 2]
    assert [e["note"] for e in page["events"]] == [SLOW_NOTE, "Written quickly."]


def test_a_writer_that_holds_its_event_too_long_makes_the_feed_say_try_again(
    client, database_url, monkeypatch
) -> None:
    monkeypatch.setattr(events, "HORIZON_DEADLINE", 0.3)
    last = client.get("/api/v1/changes", params={"after": 0, "limit": 1000}).json()["last_id"]
    with writer_holding_its_event():
        started = time.monotonic()
        answer = client.get("/api/v1/changes", params={"after": last - 2})
        waited = time.monotonic() - started
        if database_url.startswith("postgresql"):
            assert answer.status_code == 503
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.headers["retry-after"] == "1"
            assert waited >= 0.3
        else:
            # SQLite: a writer's event is invisible until its commit and ids come in commit
            # order, so the feed answers at once with what is committed.
            assert answer.status_code == 200
            assert [e["id"] for e in answer.json()["events"]] == [last - 1, last]
    page = client.get("/api/v1/changes", params={"after": last}).json()
    assert [e["note"] for e in page["events"]] == [SLOW_NOTE]


def test_a_page_cut_short_by_the_horizon_is_not_kept_or_given_an_etag(
    client, editor_headers, monkeypatch
) -> None:
    last = client.get("/api/v1/changes", params={"after": 0, "limit": 1000}).json()["last_id"]
    assert last > 5
    horizon = last - 3
    monkeypatch.setattr(events, "feed_horizon", lambda engine: horizon)
    for _ in range(2):  # not served from a cache the second time either
        cut = client.get("/api/v1/changes", params={"after": last - 5})
        assert cut.status_code == 200
        assert [e["id"] for e in cut.json()["events"]] == [last - 4, last - 3]
        assert cut.json()["last_id"] == horizon
        assert "etag" not in cut.headers and cut.headers["cache-control"] == "no-store"
    # A page that fills its limit below the horizon is the same whatever comes later: cached.
    full = client.get("/api/v1/changes", params={"after": last - 5, "limit": 2})
    assert full.headers["etag"] and full.headers["cache-control"] == "no-cache"
    monkeypatch.setattr(events, "feed_horizon", lambda engine: None)
    whole = client.get("/api/v1/changes", params={"after": last - 5}).json()
    assert [e["id"] for e in whole["events"]] == list(range(last - 4, last + 1))
    assert get_engine() is not None
