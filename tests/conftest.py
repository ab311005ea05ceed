"""Test fixtures: every test gets its own database, cloned from a migrated (and seeded) template.

The suite always runs on SQLite. With TRACKER_TEST_DATABASE_URL pointing at a PostgreSQL server
(an admin URL: the tests create and drop databases on it) every database test runs there too.
Under CI=true a missing PostgreSQL is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.accounts import PASSWORD
from tests.support.databases import reset_app_state, use_database
from tests.support.figures import FIGURES

PG_ADMIN_URL = os.environ.get("TRACKER_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_ADMIN_URL else [])


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") == "true" and not PG_ADMIN_URL:
        raise pytest.UsageError("CI=true needs TRACKER_TEST_DATABASE_URL (PostgreSQL)")
    os.environ["TRACKER_ENV"] = "test"


def pytest_sessionfinish(session: pytest.Session) -> None:
    # A pytest-xdist worker hands its figures to the controller, which prints them.
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["figures"] = FIGURES.as_json()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    sent = getattr(node, "workeroutput", {}).get("figures")
    if sent:
        FIGURES.merge(sent)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    FIGURES.report(terminalreporter)


def _pg_url(name: str) -> str:
    return str(sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(False))


def _pg_admin(sql: str) -> None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(sql)
    finally:
        engine.dispose()


def _prepare(url: str, *, seeded: bool) -> None:
    from service import migrate, seeds
    from service.config import PROJECT_ROOT
    from service.db import create_db_engine, write_session

    migrate.upgrade(url)
    if seeded:
        engine = create_db_engine(url)
        with write_session(engine) as session:
            seeds.load(session, seeds_dir=PROJECT_ROOT / "seeds")
        engine.dispose()


class Templates:
    """Migrated databases, made once per run, that each test clones."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.tag = uuid.uuid4().hex[:8]
        self.made: dict[tuple[str, bool], str] = {}
        self.pg_databases: list[str] = []

    def template(self, backend: str, seeded: bool) -> str:
        key = (backend, seeded)
        if key not in self.made:
            name = f"tpl_{'seeded' if seeded else 'empty'}_{self.tag}"
            if backend == "sqlite":
                path = self.root / f"{name}.db"
                _prepare(f"sqlite:///{path}", seeded=seeded)
                with sqlite3.connect(path) as connection:
                    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self.made[key] = str(path)
            else:
                _pg_admin(f'CREATE DATABASE "{name}"')
                self.pg_databases.append(name)
                _prepare(_pg_url(name), seeded=seeded)
                self.made[key] = name
        return self.made[key]

    def clone(self, backend: str, seeded: bool, target: Path) -> tuple[str, str | None]:
        template = self.template(backend, seeded)
        if backend == "sqlite":
            shutil.copyfile(template, target)
            return f"sqlite:///{target}", None
        name = f"t_{self.tag}_{uuid.uuid4().hex[:10]}"
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return _pg_url(name), name

    def drop_all(self) -> None:
        for name in self.pg_databases:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    made.drop_all()


def _database(
    request: pytest.FixtureRequest, templates: Templates, tmp_path: Path, seeded: bool
) -> Iterator[str]:
    backend = request.param
    url, pg_name = templates.clone(backend, seeded, tmp_path / "tracker.db")
    yield url
    reset_app_state()
    if pg_name:
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, templates: Templates, tmp_path: Path):
    """A migrated database holding the seed data."""
    yield from _database(request, templates, tmp_path, seeded=True)


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, templates: Templates, tmp_path: Path):
    """A migrated database with no rows."""
    yield from _database(request, templates, tmp_path, seeded=False)


@pytest.fixture(params=BACKENDS)
def bare_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all (for migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bare.db'}"
        return
    name = f"bare_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def app_settings(database_url: str, monkeypatch: pytest.MonkeyPatch):
    use_database(database_url, monkeypatch)
    from service.config import get_settings

    return get_settings()


@pytest.fixture
def client(app_settings) -> Iterator[TestClient]:
    from service.app import create_app

    with TestClient(create_app(app_settings)) as test_client:
        yield test_client


@pytest.fixture
def session(app_settings):
    from service.db import read_session

    with read_session() as s:
        yield s


@pytest.fixture
def make_user(app_settings):
    """Create a user (and an API token for them); returns the token."""
    from service.accounts import service as accounts
    from service.db import write_session

    def make(username: str = "editor", role: str = "editor", password: str = PASSWORD) -> str:
        with write_session() as s:
            if accounts.get_user(s, username=username) is None:
                accounts.create_user(s, username=username, password=password, role=role)
            return accounts.create_token(s, username=username)

    return make


@pytest.fixture
def editor_headers(make_user) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_user('editor', 'editor')}"}
