"""Drafts, corrections in public and the audit: an item's `publication` (draft, published or
retracted; every item so far is published), the event types of publishing, retracting,
correcting and linking (with a public note where one is required), and the audit of editors'
actions that are not an item's events.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from service.db import DowngradeLoses, UTCDateTime
from service.migrate import count_losses, refuse_unless_forced

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES_BEFORE = "type IN ('created', 'status', 'progress', 'edit', 'reply')"
TYPES_AFTER = (
    "type IN ('created', 'status', 'progress', 'edit', 'reply', 'published', 'retracted',"
    " 'correction', 'link')"
)
NOTE_REQUIRED = "type NOT IN ('retracted', 'correction') OR (note IS NOT NULL AND length(note) > 0)"


def upgrade() -> None:
    # A plain ADD COLUMN on both databases (no batch copy of `item`, whose search trigger on
    # SQLite would go with it); the check is the column's own.
    op.add_column(
        "item",
        sa.Column(
            "publication",
            sa.String(length=10),
            sa.CheckConstraint(
                "publication IN ('draft', 'published', 'retracted')",
                name=op.f("ck_item_publication_known"),
            ),
            server_default="published",
            nullable=False,
        ),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_event_type_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_event_type_known"), TYPES_AFTER)
        batch_op.create_check_constraint(op.f("ck_event_note_required"), NOTE_REQUIRED)
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("subject_slug", sa.String(length=120), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_audit_entry_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_entry_user_id", "audit_entry", ["user_id"], unique=False)


NEWER_EVENTS = "FROM event WHERE type IN ('published', 'retracted', 'correction', 'link')"


def losses(connection: Connection) -> dict[str, int]:
    """What going below this revision loses (tracker db downgrade refuses it unless forced).
    A draft or a retracted item is refused even when forced: the older schema would show a
    draft, and a retracted item without its notice, to the public."""
    unpublished = int(
        connection.exec_driver_sql(
            "SELECT count(*) FROM item WHERE publication <> 'published'"
        ).scalar_one()
    )
    if unpublished:
        raise DowngradeLoses(
            f"Going below revision 0013 would make {unpublished} drafts or retracted items"
            " public as if published: publish or delete the drafts first. Refused."
        )
    return count_losses(
        connection,
        {
            "events of publishing, retracting, correcting or linking": (
                "SELECT count(*) " + NEWER_EVENTS
            ),
            "audit entries": "SELECT count(*) FROM audit_entry",
        },
    )


def downgrade() -> None:
    connection = op.get_bind()
    lost = losses(connection)
    # The history is never cut short unless the operator says so (having exported it).
    refuse_unless_forced(revision, lost)
    if lost:
        op.execute("DELETE " + NEWER_EVENTS)
    op.drop_index("ix_audit_entry_user_id", table_name="audit_entry")
    op.drop_table("audit_entry")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_event_note_required"), type_="check")
        batch_op.drop_constraint(op.f("ck_event_type_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_event_type_known"), TYPES_BEFORE)
    if connection.dialect.name == "postgresql":
        op.drop_column("item", "publication")
        return
    # SQLite drops a column that a check names only by copying the table, which drops the
    # search index's delete trigger with the old table: it is made again.
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_item_publication_known"), type_="check")
        batch_op.drop_column("publication")
    op.execute(
        "CREATE TRIGGER IF NOT EXISTS item_search_delete AFTER DELETE ON item BEGIN"
        " DELETE FROM item_search WHERE rowid = OLD.id; END"
    )
