"""The write clock (PostgreSQL only): a few counters that every writing transaction ticks.

On PostgreSQL writers run side by side and may commit out of id order, so the newest ids no longer
tell two states of the data apart: a transaction that took event id 100 can commit after the one
that took 101, and the newest id stays 101. Each writer adds one to one row of this table (its
backend's, so that writers seldom wait on each other), and the sum, read in the reader's snapshot,
grows with every commit. It is part of the data version there. SQLite has one writer at a time:
it needs no such table, and none is made.

The table is not in the models (as the search index is not): service.db.WRITE_CLOCK names it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As service.db.WRITE_CLOCK_SHARDS at the time of this migration.
SHARDS = 64


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE write_clock (shard smallint PRIMARY KEY, ticks bigint NOT NULL DEFAULT 0)"
    )
    op.execute(f"INSERT INTO write_clock (shard) SELECT generate_series(0, {SHARDS - 1})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE write_clock")
