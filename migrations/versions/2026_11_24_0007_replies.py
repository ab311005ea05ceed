"""Right of reply: an event of type 'reply' names the actor who answered (event.actor_id) and
the archived source its words are quoted from (event.source_id); the type check learns 'reply';
item.reply_count counts them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 00:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from service.migrate import count_losses, refuse_unless_forced

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES_BEFORE = "type IN ('created', 'status', 'progress', 'edit')"
TYPES_AFTER = "type IN ('created', 'status', 'progress', 'edit', 'reply')"
REPLY_COMPLETE = (
    "type <> 'reply' OR (actor_id IS NOT NULL AND note IS NOT NULL AND length(note) > 0)"
)


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reply_count", sa.Integer(), server_default="0", nullable=False)
        )
    # On SQLite the batch copies the table with the new columns and constraints; on PostgreSQL
    # these are ALTER TABLE statements.
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("source_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_event_actor_id_actor"), "actor", ["actor_id"], ["id"])
        batch_op.create_foreign_key(
            op.f("fk_event_source_id_source"), "source", ["source_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_event_actor_id"), ["actor_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_source_id"), ["source_id"], unique=False)
        batch_op.drop_constraint(op.f("ck_event_type_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_event_type_known"), TYPES_AFTER)
        batch_op.create_check_constraint(op.f("ck_event_reply_complete"), REPLY_COMPLETE)


def losses(connection: Connection) -> dict[str, int]:
    """What going below this revision loses (tracker db downgrade refuses it unless forced)."""
    return count_losses(
        connection,
        {
            "reply events (deleted from the items' append-only histories)": (
                "SELECT count(*) FROM event WHERE type = 'reply'"
            ),
            "other events' actors or sources": (
                "SELECT count(*) FROM event WHERE type <> 'reply'"
                " AND (actor_id IS NOT NULL OR source_id IS NOT NULL)"
            ),
        },
    )


def downgrade() -> None:
    refuse_unless_forced(revision, losses(op.get_bind()))
    # Replies cannot be kept under the old types: going back removes them (and the versions they
    # took stay as gaps in their items' histories).
    op.execute("DELETE FROM event WHERE type = 'reply'")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_event_reply_complete"), type_="check")
        batch_op.drop_constraint(op.f("ck_event_type_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_event_type_known"), TYPES_BEFORE)
        batch_op.drop_index(batch_op.f("ix_event_source_id"))
        batch_op.drop_index(batch_op.f("ix_event_actor_id"))
        batch_op.drop_constraint(op.f("fk_event_source_id_source"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_event_actor_id_actor"), type_="foreignkey")
        batch_op.drop_column("source_id")
        batch_op.drop_column("actor_id")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("reply_count")
