"""Withheld names: words (a private person's name) that editors see and the public never does.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 00:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from service.db import UTCDateTime
from service.migrate import count_losses, refuse_unless_forced

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "withheld_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("length(name) >= 2", name=op.f("ck_withheld_name_name_long_enough")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_withheld_name_item_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_withheld_name_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_withheld_name")),
        sa.UniqueConstraint("name", name=op.f("uq_withheld_name_name")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("withheld_name", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_withheld_name_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_withheld_name_user_id"), ["user_id"], unique=False)


def losses(connection: Connection) -> dict[str, int]:
    """What going below this revision loses (tracker db downgrade refuses it unless forced)."""
    return count_losses(
        connection,
        {
            "withheld names (the names would become public again)": (
                "SELECT count(*) FROM withheld_name"
            ),
        },
    )


def downgrade() -> None:
    refuse_unless_forced(revision, losses(op.get_bind()))
    with op.batch_alter_table("withheld_name", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_withheld_name_user_id"))
        batch_op.drop_index(batch_op.f("ix_withheld_name_item_id"))
    op.drop_table("withheld_name")
