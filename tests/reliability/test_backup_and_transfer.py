"""Backups and transfers: `tracker backup` copies a live SQLite database consistently (online
backup API), and `tracker export` / `tracker import` round-trip every table byte for byte, on
SQLite, on PostgreSQL, and from one to the other."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from service import migrate
from service.cli import app as cli
from service.db import create_db_engine, write_session
from tests.reliability.support import export_of, record_activity, table_counts
from tests.support.databases import use_database
from tests.support.seed import ITEM, QUOTE, SOURCE

runner = CliRunner()


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _consistency(connection: sqlite3.Connection) -> list[tuple[str, int, int]]:
    """Items whose version is not their number of events (a torn copy would show some)."""
    return connection.execute(
        "SELECT item.slug, item.version, count(event.id) FROM item "
        "LEFT JOIN event ON event.item_id = item.id GROUP BY item.id "
        "HAVING item.version <> count(event.id) OR item.version <> max(event.version)"
    ).fetchall()


def _keep_writing(database_url: str, stop: threading.Event, done: list[int]) -> None:
    from service.items import service as items
    from service.items.models import StatusChange

    engine = create_db_engine(database_url)
    statuses = ["in_progress", "stalled", "delivered", "pledged"]
    try:
        while not stop.is_set():
            with write_session(engine) as session:
                items.record_status_change(
                    session,
                    ref=ITEM,
                    change=StatusChange(
                        status=statuses[len(done) % 4], note=f"write {len(done)} during backup"
                    ),
                    user_id=None,
                )
            done.append(1)
    finally:
        engine.dispose()


def test_backup_copies_a_live_sqlite_database_consistently(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, figures
) -> None:
    use_database(database_url, monkeypatch)
    if not _is_sqlite(database_url):
        result = runner.invoke(cli, ["backup", str(tmp_path / "copy.db")])
        assert result.exit_code == 1
        assert "pg_dump" in result.output and "SQLite" in result.output
        assert not (tmp_path / "copy.db").exists()
        return
    stop, done = threading.Event(), []
    writer = threading.Thread(target=_keep_writing, args=(database_url, stop, done))
    writer.start()
    copies = []
    try:
        deadline = time.monotonic() + 30
        while len(done) < 5 and writer.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)  # the writer is in full flow before the first copy
        assert len(done) >= 5, "the writer did not get going"
        before_copies = len(done)
        for number in range(3):
            copy = tmp_path / f"copy-{number}.db"
            result = runner.invoke(cli, ["backup", str(copy)])
            assert result.exit_code == 0, result.output
            assert f"backup written to {copy}" in result.output
            copies.append(copy)
        during = len(done) - before_copies
    finally:
        stop.set()
        writer.join()
    assert during > 0, "the copies must be taken while writes go on"
    figures["writes committed while backups ran"] += during
    figures["backups taken during writes"] += len(copies)
    counts = []
    for copy in copies:
        # A single self-contained file that passes every check, with every item whole.
        assert not Path(f"{copy}-wal").exists()
        with sqlite3.connect(copy) as connection:
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
            assert _consistency(connection) == []
            counts.append(connection.execute("SELECT count(*) FROM event").fetchone()[0])
        connection.close()
        assert copy.stat().st_mode & 0o777 == 0o600
    assert counts == sorted(counts)
    # Once the writes stop, a copy holds exactly what the database holds.
    final = tmp_path / "final.db"
    assert runner.invoke(cli, ["backup", str(final)]).exit_code == 0
    assert export_of(f"sqlite:///{final}") == export_of(database_url)


def test_backup_refuses_to_overwrite(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_database(database_url, monkeypatch)
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"keep me")
    result = runner.invoke(cli, ["backup", str(existing)])
    assert result.exit_code == 1
    assert existing.read_bytes() == b"keep me"


def _migrated(url: str) -> str:
    migrate.upgrade(url)
    return url


def test_export_import_export_gives_the_same_bytes(
    database_url: str,
    bare_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    figures,
) -> None:
    """From every backend to every backend: the second export equals the first."""
    secrets = record_activity(database_url)
    use_database(database_url, monkeypatch)
    first = runner.invoke(cli, ["export"])
    assert first.exit_code == 0, first.output
    exported = first.stdout_bytes
    assert exported == export_of(database_url)
    counts = table_counts(exported)
    assert all(counts.values()), f"every table must have rows to prove the round trip: {counts}"
    # The export holds hashes only.
    for secret in secrets.values():
        assert secret.encode() not in exported
    path = tmp_path / "export.json"
    result = runner.invoke(cli, ["export", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == exported and path.stat().st_mode & 0o777 == 0o600

    target = _migrated(bare_database_url)
    use_database(target, monkeypatch)
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"imported {sum(counts.values())} rows" in result.output
    assert export_of(target) == exported
    figures["export/import round trips (same bytes)"] += 1
    figures["rows round-tripped"] += sum(counts.values())

    # The imported database goes on: the next ids follow the imported ones (PostgreSQL
    # sequences were moved past them) and an imported token still works.
    from fastapi.testclient import TestClient

    from service.app import create_app

    with TestClient(create_app()) as client:
        headers = {"Authorization": f"Bearer {secrets['token']}"}
        response = client.post(
            f"/api/v1/items/{ITEM}/status",
            json={"status": "delivered", "note": "All 62 in post."},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        history = client.get(f"/api/v1/items/{ITEM}/history").json()["events"]
        assert history[-1]["id"] == counts["event"] + 1
        created = client.post(
            "/api/v1/items",
            json={
                "kind": "proposal",
                "title": "Another proposal",
                # Not ACTOR: its slug held the withheld name, and was changed with it.
                "actor": "south-yorkshire-police",
                "source": SOURCE,
                "quote": QUOTE,
            },
            headers=headers,
        )
        assert created.status_code == 201, created.text
        assert created.json()["id"] == counts["item"] + 1
        revoked = {"Authorization": f"Bearer {secrets['revoked']}"}
        assert client.post("/api/v1/items", json={}, headers=revoked).status_code == 401


def test_import_refuses_a_database_that_is_not_empty(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = export_of(database_url)
    path = tmp_path / "export.json"
    path.write_bytes(before)
    use_database(database_url, monkeypatch)
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert export_of(database_url) == before


def test_import_refuses_what_is_not_a_matching_export(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_database(empty_database_url, monkeypatch)
    good = json.loads(export_of(empty_database_url))
    other_schema = {**good, "schema_revision": "9999"}
    missing_table = {**good, "tables": {k: v for k, v in good["tables"].items() if k != "event"}}
    bad_row = json.loads(json.dumps(good))
    bad_row["tables"]["actor"]["rows"] = [[1, "a"]]
    bad_date = json.loads(json.dumps(good))
    bad_date["tables"]["source"]["rows"] = [
        [1, "s", "t", None, None, "not a date", "0" * 64, "text", "2020-01-01T00:00:00+00:00"]
    ]
    cases = {
        "not json": b"\xff\xfe not json",
        "other json": b'{"hello": "world"}',
        "other schema": json.dumps(other_schema).encode(),
        "missing table": json.dumps(missing_table).encode(),
        "short row": json.dumps(bad_row).encode(),
        "bad date": json.dumps(bad_date).encode(),
    }
    for name, data in cases.items():
        path = tmp_path / "bad.json"
        path.write_bytes(data)
        result = runner.invoke(cli, ["import", str(path)])
        assert result.exit_code == 1, (name, result.output)
        assert result.output.startswith("error: "), (name, result.output)
        assert table_counts(export_of(empty_database_url)) == dict.fromkeys(good["tables"], 0)
    result = runner.invoke(cli, ["import", str(tmp_path / "missing.json")])
    assert result.exit_code == 1 and "cannot read" in result.output


def test_import_into_an_unmigrated_database_says_to_migrate(
    bare_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str
) -> None:
    path = tmp_path / "export.json"
    path.write_bytes(export_of(database_url))
    use_database(bare_database_url, monkeypatch)
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1
    assert "tracker db upgrade" in result.output
    engine = create_db_engine(bare_database_url)
    try:
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
