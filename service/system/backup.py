"""Backups and transfers of the whole database.

- `backup_sqlite()` copies a live SQLite database with SQLite's online backup API: one read
  transaction, so the copy is a consistent snapshot even while the tracker keeps writing. The
  copy is a single self-contained file (rollback journal mode) checked with `integrity_check`.
  PostgreSQL has its own tool for that (pg_dump).
- `export_json()` writes every table to one JSON document and `import_json()` loads such a
  document into an empty, migrated database. Both are deterministic: tables in dependency order,
  rows by primary key, columns in table order, ids kept and timestamps written to the
  microsecond, so that export -> import -> export gives the same bytes, on SQLite as on
  PostgreSQL (and from one to the other).

The export holds password and token hashes: it is written readable by its owner only.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from service.db import UTCDateTime, write_session
from service.errors import TrackerError
from service.items import search
from service.models import metadata
from service.sources.service import sha256_of

EXPORT_FORMAT = "accountability-tracker-export"
EXPORT_VERSION = 1
_INSERT_BATCH = 1000


class TransferError(TrackerError):
    """A backup, export or import that cannot be done; the detail says why and what to do."""

    code = "refused"
    title = "Refused"


class BackupFailed(TransferError):
    code = "backup-failed"
    title = "Backup failed"


def _refuse(detail: str) -> TransferError:
    return TransferError(detail)


# ---------------------------------------------------------------------------------------------
# Backup (SQLite)


@dataclass
class BackupReport:
    path: Path
    bytes: int
    pages: int

    def __str__(self) -> str:
        return f"backup written to {self.path} ({self.bytes} bytes, {self.pages} pages)"


def sqlite_path(database_url: str) -> Path:
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise _refuse(
            "tracker backup copies a SQLite database. For PostgreSQL use pg_dump, for example "
            "`pg_dump --format=custom --file=tracker.dump DBNAME`, or `tracker export`."
        )
    if not url.database or url.database == ":memory:":
        raise _refuse("tracker backup needs a SQLite database in a file.")
    path = Path(url.database)
    if not path.exists():
        raise _refuse(f"No database at {path}.")
    return path


def backup_sqlite(database_url: str, target: Path, *, busy_timeout_seconds: float = 30.0) -> None:
    """Copy the live database to `target` (which must not exist) with the online backup API."""
    source_path = sqlite_path(database_url)
    target = Path(target)
    if target.exists():
        raise _refuse(f"{target} already exists; give a new file name.")
    if target.resolve() == source_path.resolve():
        raise _refuse("The backup must go to another file than the database.")
    if not target.parent.is_dir():
        raise _refuse(f"No directory {target.parent} to write the backup in.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    # Created private before a byte is copied: SQLite keeps the mode of the file it opens.
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        _copy(source_path, partial, busy_timeout_seconds)
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupFailed(f"The backup failed: {exc}") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)


def _copy(source_path: Path, partial: Path, busy_timeout_seconds: float) -> None:
    source = sqlite3.connect(source_path, timeout=busy_timeout_seconds)
    try:
        copy = sqlite3.connect(partial)
        try:
            # pages=-1: every page in one step, inside one read transaction of the source, so
            # the copy is one consistent snapshot however busy the writers are.
            source.backup(copy, pages=-1)
            # A backup is one file: no -wal or -shm beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
            result = copy.execute("PRAGMA integrity_check").fetchall()
            if result != [("ok",)]:
                raise BackupFailed(f"The copy failed its integrity check: {result[:5]}")
            copy.commit()
        finally:
            copy.close()
    finally:
        source.close()


def backup_report(path: Path) -> BackupReport:
    with sqlite3.connect(path) as connection:
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.close()
    return BackupReport(path, path.stat().st_size, pages)


# ---------------------------------------------------------------------------------------------
# Export


def _tables() -> list[sa.Table]:
    """Every table, parents before children (the order rows must be inserted in)."""
    return list(metadata.sorted_tables)


def _key(table: sa.Table) -> list[sa.Column[Any]]:
    return list(table.primary_key.columns)


def _to_json(value: Any) -> Any:
    if isinstance(value, bytes):  # an upload's original bytes
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _dumps(value: Any) -> str:
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


def _schema_revision(connection: sa.Connection) -> str | None:
    heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


def _read_connection(engine: Engine) -> sa.Connection:
    bind = engine
    if engine.dialect.name == "postgresql":
        # One snapshot for every table, as SQLite's read transaction gives.
        bind = engine.execution_options(isolation_level="REPEATABLE READ")
    return bind.connect()


def export_chunks(engine: Engine, counts: dict[str, int] | None = None) -> Iterator[str]:
    """The export document, piece by piece: one line per row, read in one transaction.
    `counts`, when given, receives the number of rows of each table."""
    with _read_connection(engine) as connection, connection.begin():
        header = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "schema_revision": _schema_revision(connection),
        }
        yield _dumps(header)[:-1] + ',"tables":{\n'
        tables = _tables()
        for number, table in enumerate(tables):
            columns = [column.name for column in table.columns]
            yield f'{_dumps(table.name)}:{{"columns":{_dumps(columns)},"rows":['
            query = sa.select(*table.columns).order_by(*_key(table))
            count = 0
            for row in connection.execution_options(yield_per=_INSERT_BATCH).execute(query):
                yield (",\n" if count else "\n") + _dumps([_to_json(v) for v in row])
                count += 1
            if counts is not None:
                counts[table.name] = count
            yield ("\n" if count else "") + "]}" + (",\n" if number < len(tables) - 1 else "\n")
        yield "}}\n"


def export_json(engine: Engine, out: BinaryIO) -> dict[str, int]:
    """Write the export to `out`; returns the number of rows of each table."""
    counts: dict[str, int] = {}
    for chunk in export_chunks(engine, counts):
        out.write(chunk.encode("utf-8"))
    return counts


def write_export(engine: Engine, path: Path) -> dict[str, int]:
    """Write the export to a file (owner-only), atomically: a half-written export never takes
    the place of a good one."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)  # a leftover keeps its own mode: start afresh, private
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        counts = export_json(engine, handle)
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)
    return counts


# ---------------------------------------------------------------------------------------------
# Import


def _from_json(column: sa.Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, sa.Date) and not isinstance(column.type, sa.DateTime):
        return dt.date.fromisoformat(value)
    if isinstance(column.type, sa.LargeBinary):
        return base64.b64decode(value, validate=True)
    return value


def read_export(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _refuse(f"Not an export of the tracker (not JSON: {exc}).") from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise _refuse("Not an export of the tracker (no `format` field of its own).")
    if document.get("version") != EXPORT_VERSION:
        raise _refuse(f"Export version {document.get('version')!r} is not {EXPORT_VERSION}.")
    return document


def import_json(engine: Engine, data: bytes) -> dict[str, int]:
    """Load an export into an empty database at the export's schema revision, in one
    transaction; returns the number of rows of each table."""
    document = read_export(data)
    tables = {table.name: table for table in _tables()}
    given = document.get("tables")
    if not isinstance(given, dict) or set(given) != set(tables):
        raise _refuse(
            "The export's tables are not this tracker's tables: "
            f"{sorted(given or [])} instead of {sorted(tables)}."
        )
    counts: dict[str, int] = {}
    with write_session(engine) as session:
        connection = session.connection()
        revision = _schema_revision(connection)
        if revision is None:
            raise _refuse("The database has no tables yet: run `tracker db upgrade` first.")
        if revision != document.get("schema_revision"):
            raise _refuse(
                f"The export is of schema revision {document.get('schema_revision')}, the "
                f"database is at {revision}: migrate one of them first."
            )
        for table in tables.values():
            if connection.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first():
                raise _refuse(
                    f"The database is not empty (table {table.name} has rows): import only "
                    "into an empty, migrated database."
                )
        decoded: dict[str, list[dict[str, Any]]] = {}
        for name, table in tables.items():
            entry = given[name]
            columns = [table.columns[c] for c in entry.get("columns", []) if c in table.columns]
            if len(columns) != len(table.columns) or len(columns) != len(entry["columns"]):
                raise _refuse(f"Table {name}: the export's columns are not the table's columns.")
            try:
                decoded[name] = [
                    {
                        column.name: _from_json(column, value)
                        for column, value in zip(columns, row, strict=True)
                    }
                    for row in entry.get("rows", [])
                ]
            except (TypeError, ValueError) as exc:
                raise _refuse(f"Table {name}: a row does not fit the table ({exc}).") from None
        # Checked as `tracker seed` checks its files, before a row is written.
        check_archive(decoded)
        for name, table in tables.items():
            rows = decoded[name]
            for start in range(0, len(rows), _INSERT_BATCH):
                connection.execute(table.insert(), rows[start : start + _INSERT_BATCH])
            counts[name] = len(rows)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, tables.values())
        # The search index is not part of an export: written from the imported rows.
        search.rebuild(connection)
    return counts


def check_archive(rows: dict[str, list[dict[str, Any]]]) -> None:
    """What an export says of its texts must hold, as when they were archived: each source's
    SHA-256 is that of its text (an original's, that of its bytes), each item's quote is its
    source's text between its offsets, a reply's quote is found in the source it names, and a
    quote an edit or a correction recorded with its offsets is some source's text there. The
    first mismatch is refused, naming the table, the row and the field."""

    def refuse(table: str, key: object, field: str, why: str) -> TransferError:
        return _refuse(
            f"The export does not match its archived texts: table {table}, row {key},"
            f" field {field}: {why}. Nothing was imported."
        )

    texts: dict[Any, str] = {}
    for source in rows.get("source", []):
        text = source.get("text")
        if not isinstance(text, str):
            raise refuse("source", source.get("id"), "text", "missing")
        if source.get("sha256") != sha256_of(text.encode("utf-8")):
            raise refuse("source", source.get("id"), "sha256", "not the SHA-256 of its text")
        texts[source.get("id")] = text
    for original in rows.get("source_original", []):
        data = original.get("data")
        if not isinstance(data, bytes) or original.get("sha256") != sha256_of(data):
            raise refuse(
                "source_original", original.get("source_id"), "sha256",
                "not the SHA-256 of the original's bytes",
            )  # fmt: skip
    for item in rows.get("item", []):
        text = texts.get(item.get("source_id"))
        if text is None:
            raise refuse("item", item.get("id"), "source_id", "no such source in the export")
        why = _quote_mismatch(
            text, item.get("quote"), item.get("quote_start"), item.get("quote_end")
        )
        if why is not None:
            raise refuse("item", item.get("id"), why[0], why[1])
    for event in rows.get("event", []):
        _check_event(event, texts, refuse)


def _quote_mismatch(text: str, quote: Any, start: Any, end: Any) -> tuple[str, str] | None:
    """(field, why) when `quote` is not text[start:end]."""
    if not isinstance(quote, str) or not quote:
        return "quote", "empty"
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return "quote_start", f"offsets {start}..{end} are not within the source's text"
    if text[start:end] == quote:
        return None
    if quote not in text:
        return "quote", f"not found verbatim in the source's text (offsets {start}..{end})"
    if text.startswith(quote, start):
        return "quote_end", f"offset {end} is not the end of the quote"
    return "quote_start", f"the source's text at {start}..{end} is not the quote"


def _check_event(
    event: dict[str, Any], texts: dict[Any, str], refuse: Callable[..., TransferError]
) -> None:
    key = event.get("id")
    quote = event.get("evidence_quote")
    if event.get("type") == "reply" and event.get("source_id") is not None and quote:
        text = texts.get(event["source_id"])
        if text is None:
            raise refuse("event", key, "source_id", "no such source in the export")
        if quote not in text:
            raise refuse("event", key, "evidence_quote", "not found verbatim in its source")
    changes = event.get("changes")
    if not isinstance(changes, dict) or not {"quote", "quote_start", "quote_end"} <= changes.keys():
        return
    # The passage before and after the change; the source it was taken from may be another
    # (the change may have moved it), so any archived text with that passage there will do.
    for side in (0, 1):
        try:
            quote, start, end = (changes[k][side] for k in ("quote", "quote_start", "quote_end"))
        except (TypeError, IndexError, KeyError):
            raise refuse(
                "event", key, "changes", "a quote's change is not [before, after]"
            ) from None
        if all(_quote_mismatch(text, quote, start, end) for text in texts.values()):
            raise refuse(
                "event", key, "changes",
                f"the quote {'before' if side == 0 else 'after'} the change is no source's text"
                f" at {start}..{end}",
            )  # fmt: skip


def _reset_sequences(connection: sa.Connection, tables: Any) -> None:
    """Rows came with their ids: move each id sequence past the largest, so that the next
    insert does not collide with an imported row."""
    for table in tables:
        for column in _key(table):
            if not isinstance(column.type, sa.Integer):
                continue
            sequence = connection.execute(
                sa.select(sa.func.pg_get_serial_sequence(table.name, column.name))
            ).scalar_one()
            if sequence is None:
                continue
            largest = connection.execute(sa.select(sa.func.max(column))).scalar_one()
            # setval(seq, n, true): the next id is n + 1; (seq, 1, false): the next id is 1.
            connection.execute(
                sa.select(sa.func.setval(sequence, largest or 1, largest is not None))
            )
