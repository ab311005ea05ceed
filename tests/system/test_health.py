"""Liveness and readiness."""

from __future__ import annotations

from fastapi.testclient import TestClient

from service.app import create_app
from tests.support.databases import use_database


def test_healthz_and_readyz_when_migrated(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": True, "migrations_at_head": True}


def test_readyz_is_503_before_migrations(bare_database_url, monkeypatch) -> None:
    use_database(bare_database_url, monkeypatch)
    with TestClient(create_app()) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "database": True, "migrations_at_head": False}
