"""Indexes for a list filtered by kind in each of its orders: (kind, sort key, id).

Without them a list of one kind read every item of that kind, joined each to its actors and
source, and sorted them all to return the first page. Plain CREATE INDEX on both databases (no
batch mode: the item table and its search triggers stay as they are).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 01:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_item_kind_updated_at_id": ["kind", "updated_at", "id"],
    "ix_item_kind_title_id": ["kind", "title", "id"],
    "ix_item_kind_due_on_id": ["kind", "due_on", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "item", columns, unique=False)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="item")
