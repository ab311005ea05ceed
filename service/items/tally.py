"""The item tally: counts by kind and status, changed in the same transaction as the items.

Totals of lists filtered by nothing but kind and status, and the summary's counts, read these
few rows instead of counting the item table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from service.db import connection_of, table_of
from service.items.models import ItemTally

Connectable = sa.Connection | sa.orm.Session


def add(connection: Connectable, changes: Iterable[tuple[str, str, int]]) -> None:
    """Add each delta to its (kind, status) count, creating the row when it is new."""
    merged: Counter[tuple[str, str]] = Counter()
    for kind, status, delta in changes:
        merged[(kind, status)] += delta
    # In key order, so that concurrent writers lock the rows in the same order.
    rows = [{"kind": k, "status": s, "count": d} for (k, s), d in sorted(merged.items()) if d]
    if not rows:
        return
    # On the connection itself: a Core upsert, not the ORM's bulk path.
    on = connection_of(connection)
    on.execute(_upsert(on.dialect.name), rows)


@lru_cache(maxsize=4)
def _upsert(dialect: str) -> Any:
    """INSERT ... ON CONFLICT (kind, status) DO UPDATE count = count + the new delta."""
    table = table_of(ItemTally)
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return insert.on_conflict_do_update(
        index_elements=["kind", "status"], set_={"count": table.c.count + insert.excluded.count}
    )


def counts(connection: Connectable) -> list[tuple[str, str, int]]:
    rows = connection.execute(
        sa.select(col(ItemTally.kind), col(ItemTally.status), col(ItemTally.count)).where(
            col(ItemTally.count) > 0
        )
    ).all()
    # Unpacked, not read by name: to a type checker `row.count` is the tuple's method.
    return [(kind, status, count) for kind, status, count in rows]


def total(connection: Connectable, *, kind: str | None, statuses: list[str]) -> int:
    query = sa.select(sa.func.coalesce(sa.func.sum(ItemTally.count), 0))
    if kind:
        query = query.where(col(ItemTally.kind) == kind)
    if statuses:
        query = query.where(col(ItemTally.status).in_(statuses))
    return int(connection.execute(query).scalar_one())
