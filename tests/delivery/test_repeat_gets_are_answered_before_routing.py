"""Repeat GETs answered before routing (service/delivery/fastpath.py), never stale, never shared
wrongly."""

from __future__ import annotations

import pytest

from service.db import write_session
from service.items import listing
from service.items import service as items
from service.items import summary as summaries
from service.items.models import StatusChange
from tests.support.accounts import post_login
from tests.support.seed import ITEM


def _write_behind_the_apps_back() -> None:
    """A change made by another worker: straight through the service, not this app."""
    with write_session() as session:
        items.record_status_change(
            session,
            ref=ITEM,
            change=StatusChange(status="in_progress", note="Another worker."),
            user_id=None,
        )


def _routes_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("the route ran: the fast path did not answer")

    monkeypatch.setattr(listing, "list_page", fail)
    monkeypatch.setattr(listing, "list_values", fail)
    monkeypatch.setattr(summaries, "summary", fail)


def test_repeat_api_gets_come_from_the_fast_path_until_the_data_changes(
    client, monkeypatch
) -> None:
    first = client.get("/api/v1/items", params={"limit": 5})
    assert first.status_code == 200
    original = listing.list_values
    _routes_must_not_run(monkeypatch)
    again = client.get("/api/v1/items", params={"limit": 5})
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == "application/json"
    assert again.headers["x-content-type-options"] == "nosniff"
    etag = first.headers["etag"]
    assert client.get("/api/v1/items?limit=5", headers={"If-None-Match": etag}).status_code == 304
    # Another worker writes: the very next request is rebuilt, never the old body.
    _write_behind_the_apps_back()
    monkeypatch.setattr(listing, "list_values", original)
    fresh = client.get("/api/v1/items", params={"limit": 5}, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag
    assert fresh.json()["items"][0]["slug"] == ITEM


def test_anonymous_dashboard_page_is_cached_but_never_shown_to_an_editor(
    client, make_user, monkeypatch
) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    _routes_must_not_run(monkeypatch)
    cached = client.get("/")
    assert cached.content == page.content
    assert cached.headers["vary"] == (
        "HX-Request, HX-Target, HX-History-Restore-Request, Accept-Encoding"
    )
    assert cached.headers["cache-control"] == "no-cache, private"
    assert "content-security-policy" in cached.headers
    monkeypatch.undo()
    refresh = client.get(
        "/",
        headers={
            "HX-Request": "true",
            "HX-Target": "results",
            "If-None-Match": page.headers["etag"],
        },
    )
    assert refresh.status_code == 200  # the table's ETag is not the page's
    make_user("alice", "editor", password="a long enough password")
    signed_in = post_login(client, "alice", "a long enough password")
    assert signed_in.status_code == 303
    editor_page = client.get("/")
    assert editor_page.content != page.content and b"Sign out" in editor_page.content


def test_the_reader_follows_the_database_and_recovers(tmp_path) -> None:
    import sqlite3

    from service.delivery.fastpath import DataVersionReader

    first, second = tmp_path / "a.db", tmp_path / "b.db"
    for path, events in ((first, 3), (second, 7)):
        with sqlite3.connect(path) as connection:
            connection.executescript(
                "CREATE TABLE event (id INTEGER PRIMARY KEY);"
                "CREATE TABLE source (id INTEGER PRIMARY KEY, updated_at TEXT);"
                "CREATE TABLE actor (id INTEGER PRIMARY KEY, updated_at TEXT);"
                "CREATE TABLE candidate_dismissal (id INTEGER PRIMARY KEY);"
                "CREATE TABLE item_link (id INTEGER PRIMARY KEY);"
                "CREATE TABLE withheld_name (id INTEGER PRIMARY KEY);"
                "CREATE TABLE audit_entry (id INTEGER PRIMARY KEY);"
            )
            connection.executemany(
                "INSERT INTO event VALUES (?)", [(i,) for i in range(1, events + 1)]
            )
    reader = DataVersionReader()
    assert reader.read(f"sqlite:///{first}") == "3.0.0.0.0.0.0.0.0.0.0"
    assert reader.read(f"sqlite:///{second}") == "7.0.0.0.0.0.0.0.0.0.0"
    with sqlite3.connect(second) as connection:
        connection.execute("INSERT INTO event VALUES (8)")
    assert (
        reader.read(f"sqlite:///{second}") == "8.0.0.0.0.0.0.0.0.0.0"
    )  # autocommit: sees the newest commit
    with pytest.raises(sqlite3.OperationalError):
        reader.read(f"sqlite:///{tmp_path / 'missing' / 'c.db'}")
    assert reader.read(f"sqlite:///{first}") == "3.0.0.0.0.0.0.0.0.0.0"


def test_requests_at_once_share_version_reads_and_still_see_every_write(
    app_settings, database_url, monkeypatch
) -> None:
    """On PostgreSQL the version is read without blocking the event loop, one read shared by
    the requests that arrived while the one before it ran; each answer still reflects every
    commit made before its request. (SQLite reads its file in place, per request.)"""
    import asyncio
    import concurrent.futures

    import httpx

    from service.app import create_app
    from service.delivery import fastpath

    reads: list[str] = []
    original = fastpath.SharedVersionRead._query

    async def counted(self, url: str) -> str:
        version = await original(self, url)
        reads.append(version)
        return version

    monkeypatch.setattr(fastpath.SharedVersionRead, "_query", counted)
    app = create_app(app_settings)

    async def wave(client: httpx.AsyncClient, etag: str) -> list[httpx.Response]:
        return await asyncio.gather(*(
            client.get("/api/v1/items?limit=5", headers={"If-None-Match": etag})
            for _ in range(40)
        ))  # fmt: skip

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://tracker") as client:
            first = await client.get("/api/v1/items?limit=5")
            etag = first.headers["etag"]
            before = len(reads)
            answers = await wave(client, etag)
            assert [a.status_code for a in answers] == [304] * 40
            shared_reads = len(reads) - before
            # Another worker writes; every request after it sees it, none answers 304.
            _write_behind_the_apps_back()
            answers = await wave(client, etag)
            assert {a.status_code for a in answers} == {200}
            assert all(a.headers["etag"] != etag for a in answers)
            assert all(a.json()["items"][0]["slug"] == ITEM for a in answers)
            if database_url.startswith("postgresql"):
                assert 1 <= shared_reads <= 5, shared_reads
            else:
                assert shared_reads == 0  # SQLite: read in place, no shared reader

    # In a thread of its own: the browser tests' driver may hold this thread's event loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()
