"""Settings: the secret key. Made once, atomically, by whichever worker starts first; refused
when empty or short, in every environment."""

from __future__ import annotations

import stat
import sys
import threading
from pathlib import Path

import pytest
from pydantic import ValidationError

from service import config
from service.config import Settings, _local_secret


def test_workers_starting_at_once_agree_on_one_whole_secret(tmp_path: Path) -> None:
    # Threads switching every microsecond stand in for worker processes starting together.
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        _race(tmp_path, rounds=100, workers=8)
    finally:
        sys.setswitchinterval(previous)


def _race(tmp_path: Path, *, rounds: int, workers: int) -> None:
    for round_ in range(rounds):
        path = tmp_path / f"round{round_}" / "secret_key"
        start = threading.Barrier(workers)
        seen: list[str] = []

        def worker(
            path: Path = path, start: threading.Barrier = start, seen: list[str] = seen
        ) -> None:
            start.wait()
            seen.append(_local_secret(path))

        threads = [threading.Thread(target=worker) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(set(seen)) == 1 and len(seen[0]) >= 32, seen
        assert path.read_text() == seen[0]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left


@pytest.mark.parametrize("env", ["development", "test", "production"])
@pytest.mark.parametrize("key", ["x", "short but not empty", "a" * 31])
def test_a_short_secret_key_is_refused_in_every_environment(env: str, key: str) -> None:
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(env=env, secret_key=key)
    assert Settings(env=env, secret_key="a" * 32).secret_key == "a" * 32


def test_an_empty_secret_key_file_is_refused(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "secret_key").write_text("\n")
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    with pytest.raises(ValidationError, match="var/secret_key"):
        Settings(env="development", secret_key="")
    with pytest.raises(ValidationError, match="must be set in production"):
        Settings(env="production", secret_key="")
