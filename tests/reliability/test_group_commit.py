"""Group commit on SQLite (service/group_commit.py): changes queued together share one
transaction and one commit, each in its own SAVEPOINT. A change that fails, by the rules or in
the database, rolls back alone and its caller gets its own error; its neighbours are committed
and acknowledged. (The SIGKILL test in test_no_lost_writes.py runs its status changes through
this path: nothing acknowledged is lost, nothing is half applied.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.databases import use_database
from tests.support.seed import ITEM


@pytest.fixture
def sqlite_url(templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url, _ = templates.clone("sqlite", True, tmp_path / "tracker.db")
    use_database(url, monkeypatch)
    yield url


def _queued_together(changes):
    """Submit `changes` while the writer lock is held, so that they form one batch."""
    from service import group_commit
    from service.db import sqlite_writer_lock

    committer = group_commit.committer()
    with sqlite_writer_lock():
        futures = [committer.submit(change) for change in changes]
        deadline = time.monotonic() + 10
        # The writer thread has taken the first and waits for the lock; the rest are queued.
        while committer.queue.qsize() != len(changes) - 1 and time.monotonic() < deadline:
            time.sleep(0.01)
    return committer, futures


def _status(status: str, note: str):
    from service.items import service as items
    from service.items.models import StatusChange

    change = StatusChange(status=status, note=note)
    return lambda session: items.record_status_change(
        session, ref=ITEM, change=change, user_id=None
    )


def _notes(session) -> list[str]:
    from service.events.models import Event
    from service.items.models import Item

    item_id = session.execute(sa.select(Item.id).where(Item.slug == ITEM)).scalar_one()
    return list(
        session.execute(
            sa.select(Event.note).where(Event.item_id == item_id).order_by(Event.id)
        ).scalars()
    )


def test_a_change_refused_by_the_rules_does_not_sink_its_batch(sqlite_url) -> None:
    from service.db import read_session
    from service.errors import Invalid

    committer, futures = _queued_together([
        _status("in_progress", "first of the batch"),
        _status("upheld", "a status no commitment has"),
        _status("stalled", "third of the batch"),
    ])  # fmt: skip
    first, refused, third = futures
    assert first.result(timeout=10).status == "in_progress"
    with pytest.raises(Invalid) as error:
        refused.result(timeout=10)
    assert error.value.errors[0].field == "status"
    done = third.result(timeout=10)
    assert (done.status, done.version) == ("stalled", first.result().version + 1)
    assert committer.stats.last == 3
    with read_session() as session:
        notes = _notes(session)
    assert notes[-2:] == ["first of the batch", "third of the batch"]
    assert "a status no commitment has" not in notes


def test_a_change_failing_in_the_database_rolls_back_alone(sqlite_url) -> None:
    from service.db import read_session
    from service.items.models import Item

    def half_then_fails(session) -> None:
        # Writes something, then breaks a constraint: none of it may stay.
        session.execute(sa.update(Item).where(Item.slug == ITEM).values(title="Half applied"))
        session.execute(sa.update(Item).where(Item.slug == ITEM).values(quote_start=-1))

    committer, futures = _queued_together([
        _status("in_progress", "before the broken change"),
        half_then_fails,
        _status("delivered", "after the broken change"),
    ])  # fmt: skip
    assert futures[0].result(timeout=10).status == "in_progress"
    with pytest.raises(sa.exc.IntegrityError):
        futures[1].result(timeout=10)
    assert futures[2].result(timeout=10).status == "delivered"
    assert committer.stats.last == 3
    with read_session() as session:
        title = session.execute(sa.select(Item.title).where(Item.slug == ITEM)).scalar_one()
        notes = _notes(session)
    assert title != "Half applied"
    assert notes[-2:] == ["before the broken change", "after the broken change"]


def test_a_change_that_breaks_the_session_fails_alone_and_the_rest_start_again(
    sqlite_url,
) -> None:
    """A failed ORM flush loses the whole transaction, not only the savepoint: the change that
    broke it gets its error, and the others of the batch are applied again in a new one."""
    from service.db import read_session
    from service.withheld.models import WithheldName

    def flush_fails(session) -> None:
        session.add(WithheldName(name="x", item_id=10**6, created_at=None))  # breaks its checks
        session.flush()

    committer, futures = _queued_together([
        _status("in_progress", "before the broken flush"),
        flush_fails,
        _status("stalled", "after the broken flush"),
    ])  # fmt: skip
    assert futures[0].result(timeout=10).status == "in_progress"
    with pytest.raises(sa.exc.IntegrityError):
        futures[1].result(timeout=10)
    done = futures[2].result(timeout=10)
    assert (done.status, done.version) == ("stalled", futures[0].result().version + 1)
    assert committer.stats.last == 2  # the two good changes, committed together once more
    with read_session() as session:
        notes = _notes(session)
        assert session.execute(sa.select(sa.func.count()).select_from(WithheldName)).scalar() == 0
    assert notes[-2:] == ["before the broken flush", "after the broken flush"]


def test_status_changes_sent_at_once_share_commits(sqlite_url, figures) -> None:
    """Through the API, 24 status changes sent together: all acknowledged, in fewer commits."""
    import concurrent.futures

    from fastapi.testclient import TestClient

    from service import group_commit
    from service.accounts import service as accounts
    from service.app import create_app
    from service.db import write_session
    from tests.support.accounts import PASSWORD

    with write_session() as session:
        accounts.create_user(session, username="editor", password=PASSWORD, role="editor")
        token = accounts.create_token(session, username="editor")
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app()) as client:
        client.get("/healthz")
        before = group_commit.committer().stats.batches

        def send(n: int) -> int:
            response = client.post(
                f"/api/v1/items/{ITEM}/status",
                json={"status": ("in_progress", "stalled")[n % 2], "note": f"at once {n}"},
                headers=headers,
            )
            return response.status_code

        with concurrent.futures.ThreadPoolExecutor(24) as pool:
            statuses = list(pool.map(send, range(24)))
        stats = group_commit.committer().stats
        history = client.get(f"/api/v1/items/{ITEM}/history").json()["events"]
    assert statuses == [200] * 24
    assert sorted(e["note"] for e in history if e["note"].startswith("at once")) == sorted(
        f"at once {n}" for n in range(24)
    )
    versions = [e["version"] for e in history]
    assert versions == list(range(1, len(history) + 1))
    commits = stats.batches - before
    assert 1 <= commits <= 24
    figures.state(
        "group commit: status changes sent at once / commits they took", f"24 / {commits}"
    )
