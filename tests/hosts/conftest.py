"""The several-hosts test (marker `hosts`) runs three `tracker serve` processes on one PostgreSQL
database behind Debian's nginx, started by the test. It takes about a minute and runs only when
asked for: TRACKER_HOST_TESTS=1 (`.ci/run` sets it) or `-m hosts`. Once asked for, nothing
missing is a reason to skip: without nginx or PostgreSQL the test fails and says what is missing.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import PG_ADMIN_URL, _pg_admin, _pg_url
from tests.support.figures import FIGURES, Figures


def _asked_for(config: pytest.Config) -> bool:
    markexpr = str(config.getoption("markexpr", "") or "")
    return os.environ.get("TRACKER_HOST_TESTS") == "1" or (
        "hosts" in markexpr and "not hosts" not in markexpr
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _asked_for(config):
        return
    skip = pytest.mark.skip(reason="several-hosts test: set TRACKER_HOST_TESTS=1 to run it")
    for item in items:
        if item.get_closest_marker("hosts"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def figures() -> Figures:
    return FIGURES


@pytest.fixture
def nginx_binary() -> str:
    """Debian's nginx (`apt-get install -y nginx-light`; `.ci/run` installs it)."""
    found = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(path, os.X_OK)), None
    )
    if found is None:
        pytest.fail("the several-hosts test needs nginx: apt-get install -y nginx-light")
    return found


@pytest.fixture
def shared_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (on the server TRACKER_TEST_DATABASE_URL names), dropped
    at the end: the one database every host shares."""
    if not PG_ADMIN_URL:
        pytest.fail(
            "the several-hosts test needs PostgreSQL: set TRACKER_TEST_DATABASE_URL to an admin "
            "URL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
    name = f"hosts_{uuid.uuid4().hex[:10]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(name)
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
