"""The bulk writer: demo items and their histories, a chunk at a time, executemany on SQLite and
COPY on PostgreSQL.

Each chunk holds whole items with all their events and commits on its own, so an interrupted run
leaves consistent data. Ids are chosen here, so run it on a database no server is writing to.
Values go through the columns' own types (UTC timestamps, dates, JSON) on their way in, so that
these rows are stored exactly as the tracker stores the rows it writes.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from service.accounts import service as accounts
from service.actors import service as actors
from service.actors.models import ActorCreate
from service.db import WRITE_LOCK
from service.events.models import Event
from service.items import search, tally, vocabulary
from service.items.models import Item
from service.items.vocabulary import progress_target
from service.shapes import json_number
from service.sources import service as sources
from tools.demo_data.texts import Claim, build_sources, pool
from tools.demo_data.words import ACTORS, DEMO_USER, DESCRIPTIONS, NOTES, PREFIX

CHUNK_ITEMS = 20_000
_YEAR_US = 365 * 24 * 3600 * 1_000_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# How often each kind is drawn, and the share of each kind's items that has a due date.
_KINDS = ("commitment",) * 9 + ("allegation",) * 6 + ("proposal",) * 5
_DUE_SHARE = {"commitment": 0.6, "allegation": 0.05, "proposal": 0.25}
_SLUG_LENGTH = Item.__table__.c.slug.type.length  # type: ignore[attr-defined]


@dataclass
class DemoReport:
    items: int = 0
    events: int = 0
    actors: int = 0
    sources: int = 0
    seconds: float = 0.0

    def __str__(self) -> str:
        return (
            f"demo data: {self.items} items, {self.events} events, {self.actors} actors and "
            f"{self.sources} sources added in {self.seconds:.1f} s"
        )


class DemoRefused(Exception):
    """The database holds items that demo-data did not make, or demo sources of another
    version."""


def _ensure_reference_rows(connection: Connection) -> tuple[list[int], list[int], int, DemoReport]:
    """Demo actors, sources and the demo user, added through the services when missing; their
    ids."""
    report = DemoReport()
    with Session(bind=connection) as session:
        actor_ids = []
        for slug, name, kind in ACTORS:
            actor = actors.get_by_slug_or_none(session, slug=slug)
            if actor is None:
                actor = actors.create(session, data=ActorCreate(slug=slug, name=name, kind=kind))
                report.actors += 1
            actor_ids.append(actor.id)
        source_ids = []
        for demo, _claims in build_sources():
            source = sources.get_by_slug_or_none(session, slug=demo.slug)
            if source is not None and source.sha256 != sources.sha256_of(demo.raw):
                raise DemoRefused(
                    f"source {demo.slug} differs from the demo source of this version; "
                    "load demo data into an empty database"
                )
            if source is None:
                source = sources.create(
                    session,
                    slug=demo.slug,
                    title=demo.title,
                    raw=demo.raw,
                    publisher=demo.publisher,
                    url=demo.url,
                    published_on=demo.published_on,
                )
                report.sources += 1
            source_ids.append(source.id)
        user = accounts.get_user(session, username=DEMO_USER)
        if user is None:
            # Inactive, and its password was never shown: nobody can sign in as the demo editor.
            user = accounts.create_user(
                session, username=DEMO_USER, password=secrets.token_urlsafe(32), role="editor"
            )
            user.is_active = False
            session.flush()
    return actor_ids, source_ids, user.id, report  # type: ignore[return-value]


def _transitions() -> dict[tuple[str, str], list[str]]:
    """For each (kind, status), the next statuses to draw from, repeated by weight: most changes
    move an item on (open to active to resolved); some go back, as corrections do."""
    weights = {"open": (1, 6, 3), "active": (1, 3, 6), "resolved": (1, 5, 4)}
    table = {}
    for kind in vocabulary.KINDS:
        for current in kind.statuses:
            drawn: list[str] = []
            for phase, weight in zip(vocabulary.PHASES, weights[current.phase], strict=True):
                choices = [s.code for s in kind.statuses if s.phase == phase and s != current]
                for code in choices:
                    drawn += [code] * max(1, round(12 * weight / len(choices)))
            table[kind.code, current.code] = drawn
    return table


ItemRow = tuple[Any, ...]
EventRow = tuple[Any, ...]


@dataclass
class _Plan:
    """What every chunk draws from."""

    rng: random.Random
    total: int
    events_per_item: int
    claims: dict[str, list[Claim]]
    actor_ids: list[int]
    source_ids: list[int]
    user_id: int
    now_us: int
    transitions: dict[tuple[str, str], list[str]]
    notes: list[str | None]
    descriptions: list[str | None]


def _at(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def _chunk(
    plan: _Plan, *, first_id: int, count: int, first_event_id: int, position: int
) -> tuple[list[ItemRow], list[EventRow]]:
    """Items first_id.. and their events, as rows in ITEM_COLUMNS and EVENT_COLUMNS order."""
    rng, user_id = plan.rng, plan.user_id
    random_ = rng.random
    items: list[ItemRow] = []
    events: list[EventRow] = []
    event_id = first_event_id
    span = 3 * _YEAR_US
    start_us = plan.now_us - span
    extra = 2 * (plan.events_per_item - 1)
    for offset in range(count):
        item_id = first_id + offset
        kind_code = rng.choice(_KINDS)
        kind = vocabulary.KIND_BY_CODE[kind_code]
        claim = rng.choice(plan.claims[kind_code])
        # Items arrive over three years, roughly in id order; their events follow until now.
        created_us = start_us + int(
            ((position + offset) / plan.total * 0.95 + random_() * 0.05) * span
        )
        n_events = 1 + (rng.randint(0, extra) if extra else 0)
        times = sorted(
            created_us + int(random_() * (plan.now_us - created_us)) for _ in range(n_events - 1)
        )
        created = _at(created_us)
        made_on = created.date() - dt.timedelta(days=rng.randint(0, 30))
        due_on = None
        if random_() < _DUE_SHARE[kind_code]:
            due_on = made_on + dt.timedelta(days=rng.randint(60, 1100))
        quantity = claim.quantity
        target = progress_target(kind_code, quantity[0] if quantity else None)
        status = kind.initial_status if random_() < 0.6 else rng.choice(kind.statuses).code
        progress: float | None = None
        events.append(
            (event_id, item_id, 1, "created", created, user_id, None, status, None, None, None,
             None, None)
        )  # fmt: skip
        event_id += 1
        for version, when_us in enumerate(times, 2):
            when = _at(when_us)
            roll = random_()
            if target is not None and roll < 0.25:
                old = progress
                progress = min(target, (progress or 0) + max(1.0, round(target * roll)))
                changes: dict[str, list[Any]] = {
                    "progress_value": [json_number(old), json_number(progress)]
                }
                events.append(
                    (event_id, item_id, version, "progress", when, user_id, None, None, None,
                     None, None, progress, changes)
                )  # fmt: skip
            elif due_on is not None and roll > 0.9:
                old_due = due_on
                due_on = due_on + dt.timedelta(days=rng.randint(30, 365))
                changes = {"due_on": [old_due.isoformat(), due_on.isoformat()]}
                events.append(
                    (event_id, item_id, version, "edit", when, user_id, None, None,
                     "New date agreed after the review.", None, None, None, changes)
                )  # fmt: skip
            else:
                new = rng.choice(plan.transitions[kind_code, status])
                url = f"https://example.org/demo/evidence/{item_id}-{version}"
                events.append(
                    (event_id, item_id, version, "status", when, user_id, status, new,
                     rng.choice(plan.notes), url if roll < 0.4 else None, None, None, None)
                )  # fmt: skip
                status = new
            event_id += 1
        items.append(
            (
                item_id,
                f"{PREFIX}{item_id}-{claim.slug}"[:_SLUG_LENGTH].rstrip("-"),
                kind_code,
                claim.title,
                rng.choice(plan.descriptions),
                status,
                plan.actor_ids[claim.actor],
                plan.actor_ids[claim.responsible] if claim.responsible is not None else None,
                plan.source_ids[claim.source],
                claim.quote,
                claim.start,
                claim.end,
                quantity[0] if quantity else None,
                quantity[1] if quantity else None,
                progress,
                target,
                made_on,
                due_on,
                created,
                _at(times[-1]) if times else created,
                n_events,
            )
        )
    return items, events


ITEM_COLUMNS = (
    "id", "slug", "kind", "title", "description", "status", "actor_id", "responsible_id",
    "source_id", "quote", "quote_start", "quote_end", "quantity_value", "quantity_unit",
    "progress_value", "progress_target", "made_on", "due_on", "created_at", "updated_at",
    "version",
)  # fmt: skip
_KIND, _STATUS = ITEM_COLUMNS.index("kind"), ITEM_COLUMNS.index("status")
EVENT_COLUMNS = (
    "id", "item_id", "version", "type", "at", "user_id", "from_status", "to_status", "note",
    "evidence_url", "evidence_quote", "progress_value", "changes",
)  # fmt: skip
_TABLES = ((Item.__table__, ITEM_COLUMNS), (Event.__table__, EVENT_COLUMNS))  # type: ignore[attr-defined]

# (position, bind processor, what it makes of None)
Processors = list[tuple[int, Any, Any]]


def _processors(table: sa.Table, columns: Sequence[str], dialect: sa.Dialect) -> Processors:
    """The bind processors of the columns that have one, by position in `columns`: what turns
    a value into what the database stores (a UTC timestamp, a date, JSON) as the ORM would."""
    found = []
    for index, name in enumerate(columns):
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            found.append((index, processor, processor(None)))
    return found


def _processed(rows: list[tuple[Any, ...]], processors: Processors) -> list[list[Any]]:
    made = []
    for row in rows:
        values = list(row)
        for index, processor, of_none in processors:
            value = values[index]
            # Most rows have no `changes`: JSON-encoding None each time costs a second a million.
            values[index] = of_none if value is None else processor(value)
        made.append(values)
    return made


def _write(connection: Connection, item_rows: list[ItemRow], event_rows: list[EventRow]) -> None:
    dialect = connection.dialect
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    for (table, columns), rows in zip(_TABLES, (item_rows, event_rows), strict=True):
        values = _processed(rows, _processors(table, columns, dialect))
        names = ", ".join(columns)
        if dialect.name == "postgresql":
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", values)
    cursor.close()


def holds_other_items(connection: Connection) -> bool:
    item = Item.__table__  # type: ignore[attr-defined]
    query = sa.select(item.c.id).where(sa.not_(item.c.slug.startswith(PREFIX, autoescape=True)))
    return connection.execute(query.limit(1)).first() is not None


def generate(
    engine: Engine,
    *,
    items: int,
    events_per_item: int = 3,
    force: bool = False,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> DemoReport:
    """Add `items` demo items with `events_per_item` events each on average (at least one)."""
    if items < 0 or events_per_item < 1:
        raise ValueError("items must be >= 0 and events_per_item >= 1")
    began = time.perf_counter()
    postgresql = engine.dialect.name == "postgresql"
    claims: dict[str, list[Claim]] = {code: [] for code in vocabulary.KIND_CODES}
    for _source, made in build_sources():
        for claim in made:
            claims[claim.kind].append(claim)
    bind = engine.execution_options(tracker_write=True)
    with bind.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        if not postgresql:
            # A large page cache keeps the index pages in memory while the rows go in.
            raw.execute("PRAGMA cache_size=-262144")
        with connection.begin():
            if not force and holds_other_items(connection):
                raise DemoRefused(
                    "the database holds items that demo-data did not make; "
                    "give --force to add demo items beside them"
                )
            actor_ids, source_ids, user_id, report = _ensure_reference_rows(connection)
        rng = random.Random(seed)
        plan = _Plan(
            rng=rng,
            total=max(items, 1),
            events_per_item=events_per_item,
            claims=claims,
            actor_ids=actor_ids,
            source_ids=source_ids,
            user_id=user_id,
            now_us=(dt.datetime.now(dt.UTC) - _EPOCH) // dt.timedelta(microseconds=1),
            transitions=_transitions(),
            notes=pool(rng, NOTES, 400),
            descriptions=pool(rng, DESCRIPTIONS, 200),
        )
        done = 0
        for size in _chunks(items, CHUNK_ITEMS):
            with connection.begin():
                if postgresql:
                    # The lock every event writer takes: event ids stay in commit order.
                    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK)))
                first_id = _max_id(connection, "item") + 1
                item_rows, event_rows = _chunk(
                    plan,
                    first_id=first_id,
                    count=size,
                    first_event_id=_max_id(connection, "event") + 1,
                    position=done,
                )
                _write(connection, item_rows, event_rows)
                tally.add(connection, ((row[_KIND], row[_STATUS], 1) for row in item_rows))
                search.index(connection, range(first_id, first_id + len(item_rows)))
                report.items += len(item_rows)
                report.events += len(event_rows)
            done += size
            if progress:
                progress(done)
        if postgresql:
            with connection.begin():
                for table in ("item", "event"):
                    connection.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                # Planner statistics now rather than whenever autovacuum gets to it.
                connection.exec_driver_sql("ANALYZE item")
                connection.exec_driver_sql("ANALYZE event")
        else:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    report.seconds = time.perf_counter() - began
    return report


def _chunks(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def _max_id(connection: Connection, table: str) -> int:
    return connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {table}").scalar_one()
