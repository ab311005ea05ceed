"""Alembic environment: runs the migrations against the tracker's configured database."""

from alembic import context
from sqlmodel.sql.sqltypes import AutoString

from service.db import UTCDateTime, create_db_engine
from service.migrate import include_name
from service.models import metadata

config = context.config


def _database_url() -> str:
    # A caller (the CLI, the tests) may pass a URL; otherwise the settings decide.
    url = config.attributes.get("database_url")
    if url:
        return url
    from service.config import get_settings

    return get_settings().database_url


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_db_engine(_database_url())
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # SQLModel's AutoString is a plain VARCHAR; our UTC timestamp is rendered without arguments.
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "service.db.UTCDateTime()"
    return False


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch migrations rebuild a table (copy, drop, rename); with foreign keys enforced,
        # dropping a table that others reference fails. SQLite's advice: turn them off around
        # the change (only possible outside a transaction), then check every reference.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        render_item=_render_item,
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration broke foreign keys: {broken[:5]}")
    connection.commit()
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `tracker db upgrade`")
run_migrations_online()
