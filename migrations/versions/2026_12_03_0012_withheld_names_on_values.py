"""Withheld names masked on values: each name's words as names are compared (`name_key`), the
old slugs of items, sources and actors (`slug_redirect`), the masked titles kept beside the search
index (`item_masked_title`), and a search index written by the tracker from what the public reads
(the triggers of 0009 copied the stored texts, withheld names and all).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:00:00
"""

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op
from sqlalchemy.engine import Connection

from service import masking
from service.db import UTCDateTime
from service.migrate import count_losses, refuse_unless_forced

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The triggers that copied texts into the index go; SQLite's delete trigger stays (it copies
# nothing, and keeps the index free of deleted items, as PostgreSQL's foreign key does).
DROP_TRIGGERS_SQLITE = (
    "DROP TRIGGER IF EXISTS item_search_actor",
    "DROP TRIGGER IF EXISTS item_search_update",
    "DROP TRIGGER IF EXISTS item_search_insert",
)
DROP_TRIGGERS_POSTGRESQL = (
    "DROP TRIGGER IF EXISTS item_search_actor ON actor",
    "DROP TRIGGER IF EXISTS item_search_update ON item",
    "DROP TRIGGER IF EXISTS item_search_insert ON item",
    "DROP FUNCTION IF EXISTS item_search_on_actor()",
    "DROP FUNCTION IF EXISTS item_search_on_item()",
)


def _search_migration() -> ModuleType:
    """Migration 0009, whose triggers a downgrade puts back."""
    path = Path(__file__).with_name("2026_11_24_0009_item_search.py")
    spec = importlib.util.spec_from_file_location("migration_0009", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _index_as_the_public_reads(connection: sa.Connection) -> None:
    """The index written again from the items' texts with every withheld name masked (as
    items.search writes it at this revision; kept here, as it was, for this migration)."""
    names = masking.names(
        tuple(sorted(n for (n,) in connection.exec_driver_sql("SELECT name FROM withheld_name")))
    )
    actors = {
        actor_id: " ".join(
            [name, *(json.loads(aliases) if isinstance(aliases, str) else aliases or [])]
        )
        for actor_id, name, aliases in connection.exec_driver_sql(
            "SELECT id, name, aliases FROM actor"
        )
    }
    sources = {}
    if names:
        for source_id, text in connection.exec_driver_sql("SELECT id, text FROM source"):
            mask = names.mask(text)
            if mask.spans:
                sources[source_id] = mask
    connection.exec_driver_sql("DELETE FROM item_search")
    insert = sa.text(
        "INSERT INTO item_search (item_id, document) VALUES (:id,"
        " item_search_document(:title, :description, :quote, :actors))"
        if connection.dialect.name == "postgresql"
        else "INSERT INTO item_search (rowid, title, description, quote, actors)"
        " VALUES (:id, :title, :description, :quote, :actors)"
    )
    masked_title = sa.text("INSERT INTO item_masked_title (item_id, title) VALUES (:id, :title)")
    rows = connection.exec_driver_sql(
        "SELECT id, title, description, quote, actor_id, responsible_id, source_id,"
        " quote_start, quote_end FROM item ORDER BY id"
    ).all()
    for batch in range(0, len(rows), 1000):
        indexed, titles = [], []
        for item_id, title, description, quote, actor, responsible, source, start, end in rows[
            batch : batch + 1000
        ]:
            mask = sources.get(source)
            shown = " ".join(actors[a] for a in (actor, responsible) if a in actors)
            values = {
                "id": item_id,
                "title": names.text(title),
                "description": names.text(description or ""),
                "quote": mask.public[slice(*mask.span(start, end))] if mask else names.text(quote),
                "actors": names.text(shown),
            }
            indexed.append(values)
            if values["title"] != title:
                titles.append({"id": item_id, "title": values["title"]})
        if indexed:
            connection.execute(insert, indexed)
        if titles:
            connection.execute(masked_title, titles)


def _run(statements: Sequence[str]) -> None:
    for statement in statements:
        op.get_bind().exec_driver_sql(statement)


def upgrade() -> None:
    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    with op.batch_alter_table("withheld_name", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=400), nullable=True))
    table = sa.table("withheld_name", sa.column("id", sa.Integer), sa.column("name", sa.String),
                     sa.column("name_key", sa.String))  # fmt: skip
    for row_id, name in connection.execute(sa.select(table.c.id, table.c.name)).all():
        key = " ".join(masking.words(name))
        connection.execute(table.update().where(table.c.id == row_id).values(name_key=key))
    with op.batch_alter_table("withheld_name", schema=None) as batch_op:
        batch_op.alter_column("name_key", existing_type=sa.String(length=400), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_withheld_name_name_key"), ["name_key"])

    op.create_table(
        "slug_redirect",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("old_slug", sa.String(length=120), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('item', 'source', 'actor')", name=op.f("ck_slug_redirect_kind_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slug_redirect")),
        sa.UniqueConstraint("kind", "old_slug", name="uq_slug_redirect_kind_old_slug"),
    )
    op.create_table(
        "item_masked_title",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["item.id"],
            name=op.f("fk_item_masked_title_item_id_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_masked_title")),
    )

    _run(DROP_TRIGGERS_POSTGRESQL if postgresql else DROP_TRIGGERS_SQLITE)
    _index_as_the_public_reads(connection)


def losses(connection: Connection) -> dict[str, int]:
    """What going below this revision loses (tracker db downgrade refuses it unless forced)."""
    # The masked titles are computed again; the old addresses are not.
    return count_losses(
        connection,
        {
            "old addresses of items, sources and actors (they would stop redirecting)": (
                "SELECT count(*) FROM slug_redirect"
            ),
        },
    )


def downgrade() -> None:
    refuse_unless_forced(revision, losses(op.get_bind()))
    connection = op.get_bind()
    postgresql = connection.dialect.name == "postgresql"
    earlier = _search_migration()
    if postgresql:
        statements = [
            s for s in earlier.UPGRADE_POSTGRESQL
            if s.startswith(("CREATE FUNCTION item_search_on", "CREATE TRIGGER"))
        ]  # fmt: skip
    else:
        statements = [
            s for s in earlier.UPGRADE_SQLITE
            if s.startswith("CREATE TRIGGER") and "item_search_delete" not in s
        ]  # fmt: skip
    _run(statements)
    # The index as the triggers keep it: the stored texts.
    _run(("DELETE FROM item_search",))
    _run(earlier.UPGRADE_POSTGRESQL[-1:] if postgresql else earlier.UPGRADE_SQLITE[-1:])

    op.drop_table("item_masked_title")
    op.drop_table("slug_redirect")
    with op.batch_alter_table("withheld_name", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_withheld_name_name_key"), type_="unique")
        batch_op.drop_column("name_key")
