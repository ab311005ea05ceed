"""Operations that must not be turned against the tracker: `tracker import` of a file whose
quotes, offsets or hashes do not match its archived texts, the CSV export cache's folder planted
or opened to others, and the server's reliance on uvicorn's internals."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import copy
import json
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from service import migrate
from service.db import create_db_engine
from service.system.backup import TransferError, import_json
from tests.reliability.support import export_of, record_activity, seed
from tests.support.databases import use_database

Document = dict[str, Any]


def _seeded(url: str) -> None:
    migrate.upgrade(url)
    seed(url)
    record_activity(url)


def _rows(document: Document, table: str) -> tuple[list[str], list[list[Any]]]:
    entry = document["tables"][table]
    return entry["columns"], entry["rows"]


def _set(document: Document, table: str, match: Callable[[dict[str, Any]], bool], **values: Any):
    """Change the first row of `table` that `match` accepts; returns its key."""
    columns, rows = _rows(document, table)
    for row in rows:
        named = dict(zip(columns, row, strict=True))
        if match(named):
            for column, value in values.items():
                row[columns.index(column)] = value(named) if callable(value) else value
            return named.get("id", named.get("source_id"))
    raise AssertionError(f"no row of {table} to tamper with")


def _made_up_quote(row: dict[str, Any]) -> str:
    words = row["quote"].split(" ")
    return " ".join([*words[:-1], "invented"])


def _shifted_start(row: dict[str, Any]) -> int:
    return row["quote_start"] + 1


def _any(row: dict[str, Any]) -> bool:
    return True


def _reply(row: dict[str, Any]) -> bool:
    return row["type"] == "reply" and row["source_id"] is not None


# (what is tampered with, the table, the field named, the change)
TAMPERING: list[tuple[str, str, str, Callable[[Document], object]]] = [
    (
        "a made-up quote",
        "item",
        "quote",
        lambda d: _set(d, "item", _any, quote=_made_up_quote),
    ),
    (
        "shifted offsets",
        "item",
        "quote_start",
        lambda d: _set(
            d, "item", _any, quote_start=_shifted_start, quote_end=lambda r: r["quote_end"] + 1
        ),
    ),
    (
        "offsets that do not span the quote",
        "item",
        "quote_end",
        lambda d: _set(d, "item", _any, quote_end=lambda r: r["quote_end"] + 3),
    ),
    (
        "a zeroed sha256",
        "source",
        "sha256",
        lambda d: _set(d, "source", _any, sha256="0" * 64),
    ),
    (
        "a source's text changed under its hash",
        "source",
        "sha256",
        lambda d: _set(d, "source", _any, text=lambda r: r["text"].replace("the", "a", 1)),
    ),
    (
        "an original's zeroed sha256",
        "source_original",
        "sha256",
        lambda d: _set(d, "source_original", _any, sha256="0" * 64),
    ),
    (
        "a reply's made-up quote",
        "event",
        "evidence_quote",
        lambda d: _set(d, "event", _reply, evidence_quote="Words nobody ever wrote."),
    ),
]


def _empty(url: str) -> bool:
    from service.models import metadata

    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return not any(
                connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first()
                for table in metadata.tables.values()
            )
    finally:
        engine.dispose()


def test_import_refuses_quotes_offsets_and_hashes_that_do_not_match(
    bare_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    url = bare_database_url
    _seeded(url)
    good = export_of(url)
    migrate.downgrade(url, "base", force=True)
    migrate.upgrade(url)
    original = json.loads(good)
    use_database(url, monkeypatch)
    from service.cli import app

    for what, table, field, tamper in TAMPERING:
        document = copy.deepcopy(original)
        key = tamper(document)
        data = json.dumps(document).encode()
        with pytest.raises(TransferError) as refused:
            engine = create_db_engine(url)
            try:
                import_json(engine, data)
            finally:
                engine.dispose()
        message = refused.value.detail
        assert f"table {table}, row {key}, field {field}:" in message, (what, message)
        assert _empty(url), what
        # The command says the same and fails.
        path = tmp_path / "tampered.json"
        path.write_bytes(data)
        result = CliRunner().invoke(app, ["import", str(path)])
        assert result.exit_code != 0, what
        assert f"table {table}, row {key}, field {field}:" in result.output, what
        assert _empty(url), what
    # The file as exported is taken whole.
    engine = create_db_engine(url)
    try:
        import_json(engine, good)
    finally:
        engine.dispose()
    assert export_of(url) == good


def test_import_refuses_a_quote_change_that_is_no_sources_text(bare_database_url: str) -> None:
    """An edit's record of a quote's change (before and after, with offsets) must be a passage
    of an archived text too."""
    from service.db import write_session
    from service.items import edits
    from service.items.models import ItemUpdate
    from tests.support.seed import ITEM

    url = bare_database_url
    _seeded(url)
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            version = connection.execute(
                sa.text("SELECT version FROM item WHERE slug = :slug"), {"slug": ITEM}
            ).scalar_one()
        with write_session(engine) as session:
            edits.update(
                session,
                ref=ITEM,
                data=ItemUpdate(quote="62 additional staff"),
                if_match_version=version,
                user_id=None,
            )
    finally:
        engine.dispose()
    good = export_of(url)
    migrate.downgrade(url, "base", force=True)
    migrate.upgrade(url)
    document = json.loads(good)

    def quote_changed(row: dict[str, Any]) -> bool:
        return isinstance(row["changes"], dict) and "quote" in row["changes"]

    def invented(row: dict[str, Any]) -> dict[str, Any]:
        changes = copy.deepcopy(row["changes"])
        changes["quote"][1] = "62 invented staff!!"
        return changes

    key = _set(document, "event", quote_changed, changes=invented)
    engine = create_db_engine(url)
    try:
        with pytest.raises(TransferError, match=f"table event, row {key}, field changes:"):
            import_json(engine, json.dumps(document).encode())
        import_json(engine, good)
    finally:
        engine.dispose()
    assert export_of(url) == good


# ---------------------------------------------------------------------------------------------
# The CSV export cache's folder


def test_the_default_export_folder_is_the_databases_own() -> None:
    from service.config import PROJECT_ROOT, Settings

    beside = Settings(database_url="sqlite:////srv/one/tracker.db").export_cache_dir
    assert beside == Path("/srv/one/tracker-exports")
    one = Settings(database_url="postgresql+psycopg://app@db/one").export_cache_dir
    two = Settings(database_url="postgresql+psycopg://app@db/two").export_cache_dir
    # In the tracker's own var/, one per database: not the old shared /tmp/tracker-exports-<uid>
    # (which a checkout under /tmp must not be mistaken for).
    assert one.parent == two.parent == PROJECT_ROOT / "var" and one != two
    assert one.name != f"tracker-exports-{os.getuid()}"
    assert Settings(export_cache_dir="/srv/exports").export_cache_dir == Path("/srv/exports")


def test_the_export_folder_is_made_private(tmp_path: Path) -> None:
    from service import private_folder

    folder = tmp_path / "deeper" / "exports"
    assert private_folder.usable(folder)
    found = os.lstat(folder)
    assert stat.S_IMODE(found.st_mode) == 0o700
    assert found.st_uid == os.geteuid()


def _planted(tmp_path: Path) -> dict[str, Path]:
    """Folders the tracker must not keep its exports in."""
    open_to_all = tmp_path / "open-to-all"
    open_to_all.mkdir()
    open_to_all.chmod(0o777)
    group_writable = tmp_path / "group-writable"
    group_writable.mkdir()
    group_writable.chmod(0o770)
    target = tmp_path / "target"
    target.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    a_file = tmp_path / "a-file"
    a_file.write_bytes(b"")
    if os.geteuid() == 0:
        others = tmp_path / "others"
        others.mkdir(mode=0o700)
        os.chown(others, 65534, 65534)
    else:
        others = Path("/usr")  # root's
    return {
        "is writable by others (mode 0777)": open_to_all,
        "is writable by others (mode 0770)": group_writable,
        "is a symbolic link": link,
        "is not a folder": a_file,
        "belongs to user": others,
    }


def test_a_planted_or_open_folder_is_refused_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from service import private_folder

    for problem, folder in _planted(tmp_path).items():
        with caplog.at_level(logging.WARNING, logger="tracker.files"):
            assert not private_folder.usable(folder), problem
        said = [r.getMessage() for r in caplog.records if str(folder) in r.getMessage()]
        assert said and problem in said[0], (problem, said)
        assert "TRACKER_EXPORT_CACHE_DIR" in said[0]
        caplog.clear()
        # Said once, not on every request.
        with caplog.at_level(logging.WARNING, logger="tracker.files"):
            assert not private_folder.usable(folder)
        assert not caplog.records


def test_a_kept_file_is_never_read_through_a_link(tmp_path: Path) -> None:
    from service import private_folder

    secret = tmp_path / "secret"
    secret.write_bytes(b"not an export")
    planted = tmp_path / "planted.cached"
    planted.symlink_to(secret)
    assert private_folder.open_kept(planted) is None
    assert private_folder.open_kept(tmp_path / "missing.cached") is None
    kept = tmp_path / "kept.cached"
    kept.write_bytes(b"an export")
    opened = private_folder.open_kept(kept)
    assert opened is not None
    with opened:
        assert opened.read() == b"an export"


@pytest.mark.parametrize("problem", ["is a symbolic link", "is writable by others (mode 0777)"])
def test_exports_are_built_uncached_when_the_folder_is_not_safe(
    problem: str, app_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder planted with a file named as the export would be: the export is built from the
    data every time, the planted file is never sent, and nothing is written there."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.config import get_settings
    from service.delivery.heavy import FileCache
    from tests.support.databases import reset_app_state

    folder = _planted(tmp_path)[problem]
    real = folder.resolve()
    monkeypatch.setenv("TRACKER_EXPORT_CACHE_DIR", str(folder))
    reset_app_state()
    with TestClient(create_app(get_settings())) as client:
        first = client.get("/api/v1/items.csv")
        assert first.status_code == 200
        # What a planter would put where the next download looks for the finished file.
        settings = get_settings()
        cache = FileCache(folder, 16, namespace=settings.database_url)
        planted = real / cache._path(first.headers["etag"]).name
        planted.write_bytes(b"title\r\nplanted\r\n")
        before = sorted(p.name for p in real.iterdir())
        again = client.get("/api/v1/items.csv")
        assert again.status_code == 200
        assert again.content == first.content
        assert b"planted" not in again.content
        assert sorted(p.name for p in real.iterdir()) == before


def test_exports_are_kept_in_a_private_folder(
    app_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.config import get_settings
    from tests.support.databases import reset_app_state

    folder = tmp_path / "var" / "exports"
    monkeypatch.setenv("TRACKER_EXPORT_CACHE_DIR", str(folder))
    reset_app_state()
    with TestClient(create_app(get_settings())) as client:
        assert client.get("/api/v1/items.csv").status_code == 200
    assert stat.S_IMODE(os.lstat(folder).st_mode) == 0o700
    kept = list(folder.glob("*.cached"))
    assert kept
    assert all(stat.S_IMODE(os.lstat(path).st_mode) == 0o600 for path in kept)


# ---------------------------------------------------------------------------------------------
# The server's deadlines, on uvicorn's private protocol class


def test_what_the_deadlines_rely_on_in_uvicorn_is_there() -> None:
    """Fails on a uvicorn upgrade that renames or drops what service/web/server.py relies on;
    `tracker serve` refuses to start then (check_uvicorn)."""
    import uvicorn
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

    from service.web.server import RELIED_ON_METHODS, check_uvicorn, uvicorn_changes

    assert uvicorn_changes() == [], uvicorn.__version__
    check_uvicorn()
    for name in RELIED_ON_METHODS:
        assert callable(getattr(HttpToolsProtocol, name)), name
    assert "response_started" in RequestResponseCycle.__init__.__code__.co_names


class _Transport(asyncio.Transport):
    """What the protocol writes, and whether it closed the connection."""

    def __init__(self) -> None:
        super().__init__()
        self.written = b""
        self.closed = asyncio.Event()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def close(self) -> None:
        self.closed.set()

    def is_closing(self) -> bool:
        return self.closed.is_set()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(
            name, default
        )

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


def _served(*parts: bytes, pause: float = 0.0) -> bytes:
    """What DeadlineHttpProtocol, as `tracker serve` runs it, writes back to a client that sends
    `parts` (`pause` seconds apart), then nothing more, until it closes (5 s at most)."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from service.web.server import DeadlineHttpProtocol

    async def run() -> bytes:
        config = Config(app=_hello, http=DeadlineHttpProtocol, lifespan="off", log_config=None)
        protocol = DeadlineHttpProtocol(config, ServerState(), {}, asyncio.get_running_loop())
        transport = _Transport()
        protocol.connection_made(transport)
        for part in parts:
            protocol.data_received(part)
            await asyncio.sleep(pause)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(transport.closed.wait(), 5)
        protocol.connection_lost(None)
        return transport.written

    # In a thread of its own, with a loop of its own: a test that ran before in this process
    # (Playwright's sync API, say) may have left a loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, run()).result()


@pytest.fixture
def short_deadlines(monkeypatch: pytest.MonkeyPatch):
    from service.config import get_settings

    monkeypatch.setenv("TRACKER_HEADER_TIMEOUT_SECONDS", "1.0")
    monkeypatch.setenv("TRACKER_BODY_TIMEOUT_SECONDS", "1.5")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_head_not_sent_in_time_gets_408_and_is_closed(short_deadlines) -> None:
    written = _served(b"GET / HTTP/1.1\r\nHost: tracker\r\n")
    assert written.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert written.endswith(b"The request was not sent in time")


def test_a_body_not_sent_in_time_gets_408_and_is_closed(short_deadlines) -> None:
    written = _served(b"POST / HTTP/1.1\r\nHost: tracker\r\nContent-Length: 10\r\n\r\n", b"12345")
    assert written.startswith(b"HTTP/1.1 408 Request Timeout\r\n")


def test_a_request_sent_in_time_is_answered(short_deadlines) -> None:
    written = _served(
        b"POST / HTTP/1.1\r\nHost: tracker\r\n",
        b"Content-Length: 5\r\nConnection: close\r\n\r\n",
        b"12345",
        pause=0.05,
    )
    assert written.startswith(b"HTTP/1.1 200 OK\r\n"), written
    assert b"hello" in written
    assert b" 408 " not in written
