"""When a change happened in the world, apart from when it was recorded: event.occurred_on,
a calendar day entered by the editor, null when not stated.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 23:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from service.migrate import count_losses, refuse_unless_forced

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event") as batch:
        batch.add_column(sa.Column("occurred_on", sa.Date(), nullable=True))


def losses(connection: Connection) -> dict[str, int]:
    """What going below this revision loses (tracker db downgrade refuses it unless forced)."""
    return count_losses(
        connection,
        {
            "events' dates of occurrence": (
                "SELECT count(*) FROM event WHERE occurred_on IS NOT NULL"
            ),
        },
    )


def downgrade() -> None:
    refuse_unless_forced(revision, losses(op.get_bind()))
    with op.batch_alter_table("event") as batch:
        batch.drop_column("occurred_on")
