"""Suggested claims computed once: each source's suggestions stored with the method that made
them, and editors' decisions on suggestions (tracked, dismissed, restored) kept as examples.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from service.db import UTCDateTime
from service.migrate import count_losses, refuse_unless_forced

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled when a source is archived; the sources archived before are computed by
    # `tracker suggestions recompute` (or on their first reading).
    op.create_table(
        "source_suggestions",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("candidates", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_source_suggestions_source_id_source")
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_suggestions")),
    )
    op.create_table(
        "suggestion_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("quote_start", sa.Integer(), nullable=False),
        sa.Column("quote_end", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("suggested", sa.JSON(), nullable=False),
        sa.Column("chosen", sa.JSON(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('tracked', 'dismissed', 'restored')",
            name=op.f("ck_suggestion_decision_decision_known"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_suggestion_decision_source_id_source")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
            name=op.f("fk_suggestion_decision_item_id_item"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_suggestion_decision_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_decision")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_suggestion_decision_source",
        "suggestion_decision",
        ["source_id", "quote_start", "quote_end"],
        unique=False,
    )


def losses(connection: Connection) -> dict[str, int]:
    """What going below this revision loses (tracker db downgrade refuses it unless forced).
    Editors' decisions are examples nobody can make again; the suggestions themselves are
    computed again from the texts."""
    return count_losses(
        connection,
        {
            "editors' decisions on suggestions": "SELECT count(*) FROM suggestion_decision",
        },
    )


def downgrade() -> None:
    refuse_unless_forced(revision, losses(op.get_bind()))
    op.drop_index("ix_suggestion_decision_source", table_name="suggestion_decision")
    op.drop_table("suggestion_decision")
    op.drop_table("source_suggestions")
