"""Imports of items from a spreadsheet: each uploaded file's preview and the plan that
confirming it applies.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from service.db import UTCDateTime
from service.migrate import count_losses, refuse_unless_forced

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("preview", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("applied_at", UTCDateTime(), nullable=True),
        sa.Column("applied_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('previewed', 'applied')", name=op.f("ck_item_import_state_known")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_item_import_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["applied_by"],
            ["user_account.id"],
            name=op.f("fk_item_import_applied_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_import")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_item_import_user_id", "item_import", ["user_id"], unique=False)


def losses(connection: Connection) -> dict[str, int]:
    """What going below this revision loses: the record of which file each import came from
    (the items' histories keep their notes naming it)."""
    return count_losses(connection, {"imports": "SELECT count(*) FROM item_import"})


def downgrade() -> None:
    refuse_unless_forced(revision, losses(op.get_bind()))
    op.drop_index("ix_item_import_user_id", table_name="item_import")
    op.drop_table("item_import")
