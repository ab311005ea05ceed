"""Running the Alembic migrations from code, and telling whether a database is at head."""

from __future__ import annotations

from functools import lru_cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from service.config import PROJECT_ROOT, get_settings
from service.db import WRITE_CLOCK, DowngradeLoses
from service.items.search import IGNORED_TABLES

__all__ = ["DowngradeLoses", "downgrade", "upgrade"]

# Tables the migrations make that no model describes.
UNMODELLED_TABLES = IGNORED_TABLES | {WRITE_CLOCK}


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(get_settings().migrations_dir))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(
    database_url: str | None = None, revision: str = "-1", *, force: bool = False
) -> None:
    """Migrate down; a step that would lose rows raises DowngradeLoses, unless `force`."""
    config = alembic_config(database_url)
    config.attributes["force"] = force
    command.downgrade(config, revision)


@lru_cache
def head_revisions() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def is_at_head(connection: Connection) -> bool:
    current = MigrationContext.configure(connection).get_current_heads()
    return frozenset(current) == head_revisions()


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What the models and the migrations are compared on: everything but the search index,
    which the migrations make and triggers keep (an FTS5 table and its shadow tables on SQLite, a
    tsvector table on PostgreSQL), and PostgreSQL's write clock (db.WRITE_CLOCK), which no model
    describes."""
    return not (type_ == "table" and name in UNMODELLED_TABLES)
