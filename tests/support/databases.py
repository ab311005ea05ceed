"""Pointing the app at a test database, and the tables a database holds."""

from __future__ import annotations

import pytest
import sqlalchemy as sa


def reset_app_state() -> None:
    """Forget the settings, the engine, the cached responses and the values kept per data version,
    as a new process would."""
    from service.config import get_settings
    from service.db import get_engine
    from service.delivery.store import public_paths, store

    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()
    store.clear()
    public_paths.clear()


def use_database(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app, the services and the `tracker` command (run in-process) use the database at
    `url`, with test settings, until the test ends."""
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_ENV", "test")
    reset_app_state()


def table_names(url: str) -> set[str]:
    """The tracker's tables in the database at `url`: Alembic's own, the search index and the
    write clock (which no model describes, see service/migrate.py) left out."""
    from service.db import create_db_engine
    from service.migrate import UNMODELLED_TABLES

    engine = create_db_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version", *UNMODELLED_TABLES}
    finally:
        engine.dispose()
