"""Aliased tables under concurrent first use.

An alias (`sqlalchemy.orm.aliased`) resolves its attributes to its own columns on first use, and
that is not thread-safe: request threads that build the same query at once, just after a host
starts, may get the table's column instead of the alias's. The query then joins the whole table
in besides the alias (a cartesian product), and the change feed listed every event once per actor
for as long as that process lived. `shared_alias` resolves them all when the alias is made."""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql.compiler import FROM_LINTING
from sqlmodel import col

from service.accounts.models import User
from service.actors.models import Actor
from service.db import shared_alias
from service.events import service as events
from service.events.models import Event
from service.items import service as items
from service.items.models import Item
from service.sources.models import Source

THREADS = 6
ROUNDS = 150
Query = Callable[[], sa.Select[tuple[object, ...]]]


def _compiled(query: sa.Select[tuple[object, ...]]) -> str:
    """The query's SQL; a FROM element joined to nothing else (a cartesian product) fails."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*cartesian product.*")
        warnings.filterwarnings("error", message="Did not locate an expression.*")
        return str(query.compile(dialect=postgresql.dialect(), linting=FROM_LINTING))


@pytest.fixture
def many_switches() -> Iterator[None]:
    """Threads switch as often as the interpreter allows: the race shows in a few rounds."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _feed_query() -> Query:
    """The change feed's joins, on aliases made just now (as a host has them when it starts)."""
    replier = shared_alias(Actor, "replier")
    reply_source = shared_alias(Source, "reply_source")
    item_source = shared_alias(Source, "item_source")

    def build() -> sa.Select[tuple[object, ...]]:
        columns = (
            col(Event.id), col(item_source.slug), col(replier.slug), col(replier.name),
            col(reply_source.slug), col(reply_source.title), col(User.username),
        )  # fmt: skip
        return (
            sa.select(*columns)
            .join(Item, col(Item.id) == col(Event.item_id))
            .join(item_source, col(item_source.id) == col(Item.source_id))
            .outerjoin(User, col(User.id) == col(Event.user_id))
            .outerjoin(replier, col(replier.id) == col(Event.actor_id))
            .outerjoin(reply_source, col(reply_source.id) == col(Event.source_id))
        )

    return build


def _race(build: Query, start: threading.Barrier, compiled: list[str], failures: list[str]) -> None:
    start.wait()
    try:
        compiled.append(_compiled(build()))
    except Exception as error:  # every failure is reported by the test
        failures.append(f"{type(error).__name__}: {error}")


def test_threads_that_first_use_a_shared_alias_together_build_the_same_joins(
    many_switches: None,
) -> None:
    failures: list[str] = []
    for _ in range(ROUNDS):
        start = threading.Barrier(THREADS)
        compiled: list[str] = []
        arguments = (_feed_query(), start, compiled, failures)
        threads = [threading.Thread(target=_race, args=arguments) for _ in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len(set(compiled)) == 1, set(compiled)
    assert "LEFT OUTER JOIN actor AS replier ON replier.id = event.actor_id" in compiled[0]


def test_the_feed_and_item_queries_join_each_table_once() -> None:
    feed = _compiled(events.select_events())
    listed = _compiled(items.select_items())
    for alias in ("actor AS replier", "source AS reply_source", "source AS item_source"):
        assert alias in feed
    assert "actor AS responsible" in listed
