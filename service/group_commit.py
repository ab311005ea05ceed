"""Group commit for SQLite: many changes, one transaction, one fsync.

SQLite with `synchronous=FULL` syncs the WAL to disk at every commit, and a write is acknowledged
only once its commit is on disk. One commit per change caps the writes per second at the disk's
sync rate, however cheap each change is. Here one writer thread per process drains a queue of
changes: it applies each in a SAVEPOINT of one transaction (a change that fails rolls back alone
and its caller gets its own error), commits once, and only then acknowledges every change of the
batch. A change that breaks the session itself (a failed ORM flush loses the transaction) gets
its error, and the others are applied again in a new transaction. Durability is unchanged:
nothing is acknowledged before the commit that holds it is on disk, and a crash before that
commit loses only changes nobody was told about.

A change is a function of a Session that returns the answer (built from what it wrote, as
`items.record_status_change` does). Writers outside the queue (`db.write_session`) take the same
process lock, so the two never interleave. PostgreSQL commits each change in its own transaction
(`db.write_session`): it has no single-writer lock to share.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from service.db import get_engine, sqlite_writer_lock, write_session

T = TypeVar("T")
Change = Callable[[Session], Any]

# Changes applied under one commit at most: bounds how long the first of them waits.
MAX_BATCH = 64


class _SessionBroken(Exception):
    """The change at `index` left the session unusable (its transaction is lost)."""

    def __init__(self, index: int) -> None:
        self.index = index


_SAVEPOINT = "SAVEPOINT change"
_RELEASE = "RELEASE SAVEPOINT change"
_ROLLBACK_TO = "ROLLBACK TO SAVEPOINT change"


@dataclass
class Stats:
    batches: int = 0
    changes: int = 0
    largest: int = 0
    last: int = 0

    def record(self, size: int) -> None:
        self.batches += 1
        self.changes += size
        self.largest = max(self.largest, size)
        self.last = size


class GroupCommitter:
    """One writer thread for one SQLite engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.bind = engine.execution_options(tracker_write=True)
        # None asks the thread to stop (its engine was replaced).
        self.queue: queue.SimpleQueue[tuple[Change, Future[Any]] | None] = queue.SimpleQueue()
        self.stats = Stats()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    def submit(self, change: Change) -> Future[Any]:
        future: Future[Any] = Future()
        self.queue.put((change, future))
        return future

    def stop(self) -> None:
        self.queue.put(None)

    def _run(self) -> None:
        while (first := self.queue.get()) is not None:
            batch = [first]
            stopping = False
            with sqlite_writer_lock():
                # Whatever queued while the lock was taken joins this commit.
                while len(batch) < MAX_BATCH:
                    try:
                        queued = self.queue.get_nowait()
                    except queue.Empty:
                        break
                    if queued is None:
                        stopping = True
                        break
                    batch.append(queued)
                self._apply(batch)
            if stopping:
                return

    def _apply(self, batch: list[tuple[Change, Future[Any]]]) -> None:
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            with Session(self.bind, expire_on_commit=False) as session, session.begin():
                connection = session.connection()
                for index, (change, future) in enumerate(batch):
                    # (A batch applied again after a broken session has them running already.)
                    if not future.running() and not future.set_running_or_notify_cancel():
                        continue
                    # The savepoint in plain SQL with one name: SQLAlchemy's own (begin_nested)
                    # names each anew, and compiles each of them again.
                    connection.exec_driver_sql(_SAVEPOINT)
                    try:
                        result = change(session)
                        session.flush()
                        connection.exec_driver_sql(_RELEASE)
                    except Exception as error:  # the change's own error, for its caller only
                        if not session.is_active:
                            # It broke the session itself (a failed flush): this transaction is
                            # lost. The change gets its error; the others start again.
                            future.set_exception(error)
                            raise _SessionBroken(index) from error
                        connection.exec_driver_sql(_ROLLBACK_TO)
                        connection.exec_driver_sql(_RELEASE)
                        session.expunge_all()  # what the change left in the session goes too
                        outcomes.append((future, None, error))
                    else:
                        outcomes.append((future, result, None))
        except _SessionBroken as broken:
            del batch[broken.index]
            self._apply([queued for queued in batch if not queued[1].done()])
            return
        except Exception as error:  # the commit itself failed: nothing of the batch is written
            for future, _result, own in outcomes:
                future.set_exception(own or error)
            for _change, future in batch[len(outcomes) :]:
                if not future.done():
                    future.set_exception(error)
            return
        self.stats.record(len(batch))
        for future, result, own in outcomes:
            if own is not None:
                future.set_exception(own)
            else:
                future.set_result(result)


_current: GroupCommitter | None = None
_current_lock = threading.Lock()


def committer(engine: Engine | None = None) -> GroupCommitter:
    """The writer thread of `engine` (the app's); a new engine gets a new one, the old stops."""
    global _current
    engine = engine or get_engine()
    with _current_lock:
        if _current is None or _current.engine is not engine:
            if _current is not None:
                _current.stop()
            _current = GroupCommitter(engine)
        return _current


def _in_own_transaction(change: Callable[[Session], T]) -> T:
    # A status change guards its own rows: it need not wait for the writers that check names.
    with write_session(alone=False) as session:
        return change(session)


async def write(change: Callable[[Session], T]) -> T:
    """Apply `change` and commit it; its result once the commit is durable. On SQLite the change
    joins the group commit; elsewhere it has a transaction of its own, in the thread pool."""
    engine = get_engine()
    if engine.dialect.name == "sqlite":
        result: T = await asyncio.wrap_future(committer(engine).submit(change))
        return result
    return await asyncio.to_thread(_in_own_transaction, change)
