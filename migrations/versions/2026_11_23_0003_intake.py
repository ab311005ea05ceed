"""Intake: source metadata (date precision, note, version), originals of uploads, actor aliases,
and dismissed suggestions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

import service.db
from service.migrate import count_losses, refuse_unless_forced

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("published_precision", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("date_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("updated_at", service.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.execute("UPDATE source SET updated_at = archived_at")
    with op.batch_alter_table("source") as batch:
        batch.alter_column("updated_at", existing_type=service.db.UTCDateTime(), nullable=False)
        batch.alter_column("version", server_default=None, existing_type=sa.Integer())
        batch.create_check_constraint(
            "precision_known",
            "published_precision IS NULL OR published_precision IN ('day', 'month', 'year')",
        )
        batch.create_check_constraint("version_positive", "version >= 1")
        batch.create_unique_constraint("uq_source_sha256", ["sha256"])
        batch.create_index("ix_source_updated_at", ["updated_at"])

    with op.batch_alter_table("actor") as batch:
        batch.add_column(sa.Column("aliases", sa.JSON(), server_default="[]", nullable=False))
        batch.add_column(sa.Column("name_key", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("updated_at", service.db.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    op.execute("UPDATE actor SET name_key = lower(name), updated_at = CURRENT_TIMESTAMP")
    with op.batch_alter_table("actor") as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=300), nullable=False)
        batch.alter_column("updated_at", existing_type=service.db.UTCDateTime(), nullable=False)
        batch.alter_column("version", server_default=None, existing_type=sa.Integer())
        batch.create_check_constraint("version_positive", "version >= 1")
        batch.create_unique_constraint("uq_actor_name_key", ["name_key"])
        batch.create_index("ix_actor_updated_at", ["updated_at"])

    op.create_table(
        "source_original",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_source_original_source_id_source")
        ),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_original")),
    )
    op.create_table(
        "candidate_dismissal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("quote_start", sa.Integer(), nullable=False),
        sa.Column("quote_end", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", service.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_candidate_dismissal_source_id_source")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_candidate_dismissal_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_dismissal")),
        sa.UniqueConstraint(
            "source_id", "quote_start", "quote_end", name="uq_candidate_dismissal_span"
        ),
    )


def losses(connection: Connection) -> dict[str, int]:
    """What going below this revision loses (tracker db downgrade refuses it unless forced)."""
    return count_losses(
        connection,
        {
            "original files of sources": "SELECT count(*) FROM source_original",
            "dismissed suggestions": "SELECT count(*) FROM candidate_dismissal",
            "actors' lists of aliases": (
                "SELECT count(*) FROM actor"
                " WHERE aliases IS NOT NULL AND CAST(aliases AS TEXT) NOT IN ('[]', 'null')"
            ),
            "sources' date notes": (
                "SELECT count(*) FROM source WHERE date_note IS NOT NULL AND date_note <> ''"
            ),
            "sources' dates known only to the month or year (read as days)": (
                "SELECT count(*) FROM source WHERE published_precision IN ('month', 'year')"
            ),
        },
    )


def downgrade() -> None:
    refuse_unless_forced(revision, losses(op.get_bind()))
    op.drop_table("candidate_dismissal")
    op.drop_table("source_original")
    with op.batch_alter_table("actor") as batch:
        batch.drop_index("ix_actor_updated_at")
        batch.drop_constraint("uq_actor_name_key", type_="unique")
        batch.drop_constraint(op.f("ck_actor_version_positive"), type_="check")
        batch.drop_column("version")
        batch.drop_column("updated_at")
        batch.drop_column("name_key")
        batch.drop_column("aliases")
    with op.batch_alter_table("source") as batch:
        batch.drop_index("ix_source_updated_at")
        batch.drop_constraint("uq_source_sha256", type_="unique")
        batch.drop_constraint(op.f("ck_source_version_positive"), type_="check")
        batch.drop_constraint(op.f("ck_source_precision_known"), type_="check")
        batch.drop_column("version")
        batch.drop_column("updated_at")
        batch.drop_column("date_note")
        batch.drop_column("published_precision")
