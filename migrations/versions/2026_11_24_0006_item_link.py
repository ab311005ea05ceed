"""Links between items: part of (a tree), related (symmetric, stored once), follows from.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from service.db import UTCDateTime
from service.migrate import count_losses, refuse_unless_forced

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "relation IN ('part_of', 'related', 'follows_from')",
            name=op.f("ck_item_link_relation_known"),
        ),
        sa.CheckConstraint("item_id <> target_id", name=op.f("ck_item_link_not_to_itself")),
        sa.CheckConstraint(
            "relation <> 'related' OR item_id < target_id",
            name=op.f("ck_item_link_related_ordered"),
        ),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"], name=op.f("fk_item_link_item_id_item")),
        sa.ForeignKeyConstraint(
            ["target_id"], ["item.id"], name=op.f("fk_item_link_target_id_item")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_item_link_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_link")),
        sa.UniqueConstraint("item_id", "relation", "target_id", name="uq_item_link"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("item_link", schema=None) as batch_op:
        batch_op.create_index(
            "ix_item_link_target_id_relation", ["target_id", "relation"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_item_link_user_id"), ["user_id"], unique=False)


def losses(connection: Connection) -> dict[str, int]:
    """What going below this revision loses (tracker db downgrade refuses it unless forced)."""
    return count_losses(connection, {"links between items": "SELECT count(*) FROM item_link"})


def downgrade() -> None:
    refuse_unless_forced(revision, losses(op.get_bind()))
    with op.batch_alter_table("item_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_link_user_id"))
        batch_op.drop_index("ix_item_link_target_id_relation")
    op.drop_table("item_link")
