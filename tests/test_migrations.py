"""The Alembic migrations and the models agree, and upgrade/downgrade/upgrade works."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from service import migrate
from service.db import create_db_engine
from service.models import metadata
from tests.support.databases import table_names


def test_models_and_migrations_agree(bare_database_url: str) -> None:
    migrate.upgrade(bare_database_url)
    engine = create_db_engine(bare_database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
            assert migrate.is_at_head(connection)
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(bare_database_url: str) -> None:
    migrate.upgrade(bare_database_url)
    assert table_names(bare_database_url) == set(metadata.tables)
    migrate.downgrade(bare_database_url, "base")
    assert table_names(bare_database_url) == set()
    migrate.upgrade(bare_database_url)
    assert table_names(bare_database_url) == set(metadata.tables)
