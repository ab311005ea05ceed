"""Fixtures of the reliability tests; the figures they count are printed at the end of the run
(and quoted in docs/RELIABILITY.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import servers
from tests.support.figures import FIGURES, Figures


@pytest.fixture(scope="session")
def figures() -> Figures:
    return FIGURES


@pytest.fixture
def tracker_server(tmp_path: Path) -> Iterator[Callable[..., servers.ServerProcess]]:
    """Make servers with `tracker_server(url, workers=..., TRACKER_X="...")`; all are killed at
    the end."""
    made: list[servers.ServerProcess] = []

    def make(database_url: str, workers: int = 1, **settings: str) -> servers.ServerProcess:
        env = servers.tracker_env(database_url, **settings)
        log_path = tmp_path / f"server-{len(made)}.log"
        server = servers.tracker_server(env, log_path=log_path, workers=workers)
        made.append(server)
        return server

    yield make
    for server in made:
        server.kill()
