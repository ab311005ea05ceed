"""Files that hold password and token hashes are readable by their owner only: the SQLite
database with its -wal and -shm, a backup, an export written to a file. The test runs under a
permissive umask (0o022, the usual default), as an operator's shell would."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from tests.support.accounts import PASSWORD
from tests.support.databases import reset_app_state, use_database
from tests.support.seed import ITEM

runner = CliRunner()


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(cli, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_new_database_its_wal_backups_and_exports_are_private(
    tmp_path: Path, monkeypatch, permissive_umask, figures
) -> None:
    from service.app import create_app
    from service.config import get_settings

    database = tmp_path / "var" / "tracker.db"
    use_database(f"sqlite:///{database}", monkeypatch)
    _run("db", "upgrade")
    _run("seed")
    _run("users", "create", "ed", "--role", "editor", "--password-stdin", stdin=PASSWORD + "\n")
    token = _run("tokens", "create", "ed").strip().splitlines()[-1]
    with TestClient(create_app(get_settings())) as client:
        change = client.post(
            f"/api/v1/items/{ITEM}/status",
            json={"status": "in_progress", "note": "Under way."},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert change.status_code == 200, change.text
        wal, shm = (database.with_name(database.name + s) for s in ("-wal", "-shm"))
        assert wal.exists() and shm.exists(), "the app is writing in WAL mode"
        files = {"tracker.db": database, "tracker.db-wal": wal, "tracker.db-shm": shm}
        _run("backup", str(tmp_path / "copy.db"))
        _run("export", str(tmp_path / "export.json"))
        files |= {"backup": tmp_path / "copy.db", "export": tmp_path / "export.json"}
        modes = {name: oct(_mode(path)) for name, path in files.items()}
    reset_app_state()
    assert modes == dict.fromkeys(files, oct(0o600))
    figures.state("files holding hashes checked for mode 0600", len(files))


def test_an_existing_database_readable_by_others_is_tightened(
    tmp_path: Path, monkeypatch, permissive_umask
) -> None:
    from service.db import create_db_engine

    database = tmp_path / "tracker.db"
    database.touch(mode=0o644)
    wal = tmp_path / "tracker.db-wal"
    wal.touch(mode=0o644)
    create_db_engine(f"sqlite:///{database}").dispose()
    assert (_mode(database), _mode(wal)) == (0o600, 0o600)


def test_an_export_file_left_over_keeps_no_permissive_mode(
    client, tmp_path: Path, permissive_umask
) -> None:
    leftover = tmp_path / "export.json.partial"
    leftover.touch(mode=0o644)
    _run("export", str(tmp_path / "export.json"))
    assert _mode(tmp_path / "export.json") == 0o600 and not leftover.exists()
