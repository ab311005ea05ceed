"""Item tally (counts by kind and status) and an index for the overdue count.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:10:15.567727
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_tally",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("kind", "status", name=op.f("pk_item_tally")),
    )
    # Existing items are counted once here; from now on every change keeps the tally.
    op.execute(
        "INSERT INTO item_tally (kind, status, count) "
        "SELECT kind, status, count(*) FROM item GROUP BY kind, status"
    )
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index("ix_item_due_on_status", ["due_on", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index("ix_item_due_on_status")
    op.drop_table("item_tally")
