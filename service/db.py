"""Database engine, naming convention, SQLite pragmas, sessions and the write clock.

Reads run in plain transactions. Writes go through `write_session()`, which on SQLite starts with
BEGIN IMMEDIATE so that two writers queue on the busy timeout instead of failing with
"database is locked" when a read lock cannot be upgraded.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, SQLModel

from service.config import get_settings

_M = TypeVar("_M", bound=SQLModel)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


class DowngradeLoses(Exception):
    """A step down the migrations would lose rows that the older schema cannot hold."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        moment: dt.datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)


def _configure_sqlite(engine: Engine, busy_timeout_seconds: float) -> None:
    # The driver's own transaction handling is turned off so that BEGIN is ours to emit:
    # plain BEGIN for reads, BEGIN IMMEDIATE for writes.
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a write is on disk (the WAL fsynced) before it is acknowledged, so it survives
        # an OS crash or a power cut too, not only a crash of the process; NORMAL would lose
        # the last commits then. Editors write rarely; one fsync per change costs little.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        if connection.get_execution_options().get("tracker_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


def keep_private(database: Path) -> None:
    """The database and its -wal and -shm files readable by their owner only: they hold password
    and token hashes. A new database file is created 0600 before SQLite opens it (SQLite gives
    the -wal and -shm files it creates the database file's mode); existing ones are tightened."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for suffix in ("", "-wal", "-shm"):
        path = database.with_name(database.name + suffix)
        # A file that is not there yet, or not ours to change, is left alone.
        with suppress(FileNotFoundError, PermissionError):
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)


def create_db_engine(url: str, *, busy_timeout_seconds: float = 30.0) -> Engine:
    if url.startswith("sqlite"):
        database = sa.engine.make_url(url).database
        if database and database != ":memory:":
            keep_private(Path(database))
        engine = sa.create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_seconds},
            pool_size=8,
            max_overflow=16,
        )
        _configure_sqlite(engine, busy_timeout_seconds)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    return create_db_engine(
        settings.database_url, busy_timeout_seconds=settings.sqlite_busy_timeout_seconds
    )


def read_session(engine: Engine | None = None) -> Session:
    """A session for reading. On PostgreSQL it reads one snapshot (REPEATABLE READ), so that a
    data version and the body built after it agree, as they do on SQLite in WAL mode."""
    bind = engine or get_engine()
    if bind.dialect.name == "postgresql":
        bind = bind.execution_options(isolation_level="REPEATABLE READ")
    return Session(bind, expire_on_commit=False)


# SQLite has one writer at a time. Writers of this process queue on this lock (in order, with
# no sleeping) rather than in SQLite's busy handler, which sleeps up to 100 ms between tries;
# writers of other processes still meet on the busy timeout.
_sqlite_writer = threading.RLock()


# SQLite reads: the driver lets go of the interpreter lock around every row it steps to and
# takes it back after, so pages of many rows built by several threads at once hand the lock
# back and forth for every row. A worker builds such pages one at a time (its other work, 304s
# and kept bodies, goes on); docs/PERFORMANCE.md has the figures.
_sqlite_builder = threading.Lock()


@contextmanager
def one_build_at_a_time(session: Session) -> Iterator[None]:
    """Around a page that reads many rows: on SQLite, one at a time per worker."""
    if session.get_bind().dialect.name == "sqlite":
        with _sqlite_builder:
            yield
    else:
        yield


def sqlite_writer_lock() -> threading.RLock:
    """The lock SQLite writers of this process queue on (the group commit's thread among them)."""
    return _sqlite_writer


# PostgreSQL. Writers run side by side; each guards the rows it changes (a compare-and-set on the
# row's version, tally rows locked in key order). Writers that check before they insert (a free
# slug, a unique name, a link that must not close a loop, one parent per item) must not run
# side by side: they take this transaction-scoped advisory lock first (`alone=True`, the default).
# Status changes and edits of an existing item pass `alone=False` and never wait on it.
WRITE_LOCK = 0x7472_6163  # "trac"

# PostgreSQL: every writing transaction first adds one to a row of the write clock (migration
# 0010), its backend's. That gives the transaction its id before it takes any event id, which the
# change feed's horizon relies on (events.service.feed_horizon), and the clock's sum, read in a
# snapshot, grows with every commit: it is part of the data version (delivery.version), which the
# newest ids alone no longer are once commits may land out of id order.
WRITE_CLOCK = "write_clock"
WRITE_CLOCK_SHARDS = 64
_TICK = sa.text(
    f"UPDATE {WRITE_CLOCK} SET ticks = ticks + 1"
    f" WHERE shard = pg_backend_pid() % {WRITE_CLOCK_SHARDS}"
)


def table_of(model: type[SQLModel]) -> sa.Table:
    """A table model's Core table (SQLModel does not type `__table__`)."""
    table = model.__dict__["__table__"]
    assert isinstance(table, sa.Table)
    return table


def shared_alias(model: type[_M], name: str) -> type[_M]:
    """`aliased(model, name=name)` with every column attribute resolved now, in the importing
    thread. An alias resolves its attributes to its own columns lazily, on first use, and that
    first use is not thread-safe: two request threads resolving the same attribute at once may
    get the table's column instead of the alias's, and a query built from it joins the whole
    table in (every row repeated once per row of that table) for as long as the process lives."""
    alias = aliased(model, name=name)
    for prop in sa.inspect(model).column_attrs:
        getattr(alias, prop.key).__clause_element__()
    return alias


def connection_of(db: sa.orm.Session | sa.Connection) -> sa.Connection:
    """The connection a Core statement runs on: the session's, or the connection itself."""
    return db if isinstance(db, sa.Connection) else db.connection()


# The databases found to have the clock (a database migrated to an older revision has none,
# and `tracker import` must still be able to tell it so).
_clocked: set[sa.URL] = set()


def tick(db: Session | sa.Connection) -> None:
    """On PostgreSQL, tick the write clock once per transaction (see WRITE_CLOCK)."""
    connection = connection_of(db)
    if connection.dialect.name != "postgresql":
        return
    # Marked on the connection with the transaction it was ticked in: a later transaction on
    # the same pooled connection ticks again.
    transaction = connection.get_transaction()
    if connection.info.get("tracker_ticked") is transaction:
        return
    url = connection.engine.url
    if url not in _clocked:
        if connection.execute(sa.text(f"SELECT to_regclass('{WRITE_CLOCK}')")).scalar() is None:
            return
        _clocked.add(url)
    connection.execute(_TICK)
    connection.info["tracker_ticked"] = transaction


@contextmanager
def write_session(engine: Engine | None = None, *, alone: bool = True) -> Iterator[Session]:
    """A session whose transaction is a writer's from the start; commits on success.

    SQLite: BEGIN IMMEDIATE, after the writers of this process before it. PostgreSQL: the write
    clock ticked, and with `alone` the write lock taken, before anything else."""
    engine = engine or get_engine()
    bind = engine.execution_options(tracker_write=True)
    sqlite = engine.dialect.name == "sqlite"
    with (
        _sqlite_writer if sqlite else nullcontext(),
        Session(bind, expire_on_commit=False) as session,
        session.begin(),
    ):
        if not sqlite:
            if alone:
                session.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK)))
            tick(session)
        yield session


def free_slug(session: Session, column: sa.ColumnElement[str], base: str) -> str:
    """`base`, or `base-2`, `base-3`, ... : the first slug that `column` does not hold yet."""
    taken = set(
        session.execute(
            sa.select(column).where(sa.or_(column == base, column.like(base + "-%")))
        ).scalars()
    )
    n, slug = 2, base
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def compare_and_set(
    session: Session | sa.Connection,
    table: Any,
    *,
    row_id: int,
    version: int,
    values: dict[str, Any],
) -> bool:
    """Apply `values` to the row only if it is still at `version`, and move it to the next
    version: the one guard against two editors overwriting each other, for every table that has
    a `version`. A Core statement on the session's connection: no ORM bookkeeping (callers that
    hold the row as an object expire it afterwards)."""
    statement = _compare_and_set_statement(table.__table__, tuple(values))
    parameters = {**values, "_row_id": row_id, "_version": version, "_new_version": version + 1}
    result = connection_of(session).execute(statement, parameters)
    return bool(result.rowcount == 1)


@lru_cache(maxsize=64)
def _compare_and_set_statement(table: sa.Table, columns: tuple[str, ...]) -> sa.Update:
    """UPDATE table SET the columns, version WHERE id and version: built once per table and set
    of columns, with every value a parameter."""
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("_row_id"), table.c.version == sa.bindparam("_version"))
        .values(
            {
                **{name: sa.bindparam(name) for name in columns},
                "version": sa.bindparam("_new_version"),
            }
        )
    )
