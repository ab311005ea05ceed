"""The Alembic migrations and the models agree, and upgrade/downgrade/upgrade works."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from service import migrate
from service.db import create_db_engine
from service.items.search import IGNORED_TABLES
from service.models import metadata
from tests.support.databases import table_names


def test_models_and_migrations_agree(bare_database_url: str) -> None:
    migrate.upgrade(bare_database_url)
    engine = create_db_engine(bare_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": migrate.include_name}
            )
            assert compare_metadata(context, metadata) == []
            assert migrate.is_at_head(connection)
    finally:
        engine.dispose()


def _search_objects(url: str) -> set[str]:
    """The search index's table and triggers that the database holds."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                found = connection.exec_driver_sql(
                    "SELECT tgname FROM pg_trigger WHERE left(tgname, 11) = 'item_search' "
                    "UNION SELECT tablename FROM pg_tables WHERE tablename = 'item_search'"
                )
            else:
                found = connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master "
                    "WHERE type IN ('table', 'trigger') AND name LIKE 'item\\_search%' ESCAPE '\\'"
                )
            # FTS5's own shadow tables (item_search_data, ...) come and go with item_search.
            return {row[0] for row in found} - (IGNORED_TABLES - {"item_search"})
    finally:
        engine.dispose()


# The index is written by the tracker from what the public reads (items.search); SQLite keeps
# a trigger that removes a deleted item's row (PostgreSQL's foreign key cascades instead).
SEARCH_OBJECTS = {"item_search", "item_search_delete"}


def test_upgrade_downgrade_upgrade(bare_database_url: str) -> None:
    migrate.upgrade(bare_database_url)
    assert table_names(bare_database_url) == set(metadata.tables)
    # The search index is outside the models: its table and triggers are checked by name.
    expected = SEARCH_OBJECTS
    if "postgresql" in bare_database_url:
        expected = SEARCH_OBJECTS - {"item_search_delete"}
    assert _search_objects(bare_database_url) == expected
    migrate.downgrade(bare_database_url, "base")
    assert table_names(bare_database_url) == set()
    assert _search_objects(bare_database_url) == set()
    migrate.upgrade(bare_database_url)
    assert table_names(bare_database_url) == set(metadata.tables)
    assert _search_objects(bare_database_url) == expected
