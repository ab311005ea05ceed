"""Running the Alembic migrations from code, and telling whether a database is at head."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import ModuleType

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from service.config import PROJECT_ROOT, get_settings
from service.db import WRITE_CLOCK, DowngradeLoses, create_db_engine
from service.items.search import IGNORED_TABLES

__all__ = ["DowngradeLoses", "downgrade", "refuse_unless_forced", "upgrade"]

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
    """Migrate down; a step that would lose rows raises DowngradeLoses, unless `force`.

    Every step's losses are counted before the first step runs, so that a refusal leaves the
    database as it was even when several steps are asked for (SQLite's schema changes are not
    undone by a rollback with the pysqlite driver)."""
    config = alembic_config(database_url)
    config.attributes["force"] = force
    planned = planned_losses(database_url, revision)
    if planned and not force:
        raise DowngradeLoses(_refusal(planned))
    command.downgrade(config, revision)


# What a step down loses: a description of the rows ("reply events, deleted from ...") and how
# many there are. A migration whose downgrade() drops rows, or a column holding data, has a
# `losses(connection)` giving them (and raising DowngradeLoses for what is refused even when
# forced); its downgrade() calls refuse_unless_forced with them.
Losses = dict[str, int]


def count_losses(connection: Connection, queries: Mapping[str, str]) -> Losses:
    """Each description's count (from its `SELECT count(*) ...`), those of zero left out."""
    counted = {
        what: int(connection.exec_driver_sql(sql).scalar_one()) for what, sql in queries.items()
    }
    return {what: n for what, n in counted.items() if n}


def refuse_unless_forced(revision: str, lost: Losses) -> None:
    """In a migration's downgrade(): refuse, naming what would be lost, unless forced."""
    if lost and not context.config.attributes.get("force"):
        # Reached only when the steps were not counted first (Alembic run by hand): the steps
        # before this one may have run.
        raise DowngradeLoses(_refusal({revision: lost}, before_any_step=False))


def planned_losses(database_url: str | None, revision: str) -> dict[str, Losses]:
    """What each step from the database's revision down to `revision` would lose, by the
    revision it undoes (newest first), counted on the database as it is now."""
    script = ScriptDirectory.from_config(alembic_config(database_url))
    engine = create_db_engine(database_url or get_settings().database_url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
            if not current:
                return {}
            steps = script.revision_map.iterate_revisions(
                current, revision, select_for_downgrade=True
            )
            planned: dict[str, Losses] = {}
            for step in steps:
                found = script.get_revision(step.revision)
                module: ModuleType | None = found.module if found is not None else None
                losses = getattr(module, "losses", None)
                lost = losses(connection) if losses is not None else {}
                if lost:
                    planned[step.revision] = lost
            connection.rollback()
            return planned
    finally:
        engine.dispose()


def _refusal(planned: Mapping[str, Losses], *, before_any_step: bool = True) -> str:
    lines = [
        f"  below revision {revision}: " + ", ".join(f"{n} {what}" for what, n in lost.items())
        for revision, lost in planned.items()
    ]
    return (
        "This downgrade would lose rows:\n"
        + "\n".join(lines)
        + ("\nRefused, nothing changed" if before_any_step else "\nRefused at this step")
        + ": export first (`tracker export FILE`), then `tracker db downgrade --force`."
    )


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
