"""Sessions that end: a per-user session version, stored in each dashboard session at sign-in
and moved on by signing out, a new password, a new role, disabling or enabling the user.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from service.migrate import count_losses, refuse_unless_forced

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )


def losses(connection: Connection) -> dict[str, int]:
    """What going below this revision loses (tracker db downgrade refuses it unless forced)."""
    return count_losses(
        connection,
        {
            "users' sign-outs everywhere (their earlier sessions would be valid again)": (
                "SELECT count(*) FROM user_account WHERE session_version <> 0"
            ),
        },
    )


def downgrade() -> None:
    refuse_unless_forced(revision, losses(op.get_bind()))
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("session_version")
