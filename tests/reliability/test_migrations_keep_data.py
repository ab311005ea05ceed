"""Migrations with data present: upgrade from empty, down and up again, losing nothing.

Going down to base drops the tables, and their rows with them, by definition: the operator's
path is export, downgrade, upgrade, import. A step down that is not to base must keep the rows
by itself. Both are checked by comparing whole exports byte for byte."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from service import migrate
from service.db import create_db_engine, write_session
from service.models import metadata
from service.system.backup import import_json
from tests.reliability.support import export_of, record_activity, seed, table_counts
from tests.support.databases import table_names


def _import(url: str, data: bytes) -> None:
    engine = create_db_engine(url)
    try:
        import_json(engine, data)
    finally:
        engine.dispose()


def test_upgrade_from_empty_then_down_and_up_with_data_loses_nothing(
    bare_database_url: str, figures
) -> None:
    url = bare_database_url
    migrate.upgrade(url)
    assert table_names(url) == set(metadata.tables)
    seed(url)
    record_activity(url)
    before = export_of(url)
    assert all(table_counts(before).values())

    # The operator's path: exported first, so going down to base may lose the rows.
    migrate.downgrade(url, "base", force=True)
    assert table_names(url) == set()
    migrate.upgrade(url)
    assert table_counts(export_of(url)) == dict.fromkeys(metadata.tables, 0)
    _import(url, before)
    assert export_of(url) == before
    figures["migration cycles with data (nothing lost)"] += 1


def _older_schema(url: str) -> dict[str, set[str]]:
    """The tables and columns the database has now (those no model describes left out: exports
    hold the modelled tables only)."""
    engine = create_db_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {
            name: {c["name"] for c in inspector.get_columns(name)}
            for name in inspector.get_table_names()
            if name not in {"alembic_version", *migrate.UNMODELLED_TABLES}
        }
    finally:
        engine.dispose()


def _projected(export: bytes, schema: dict[str, set[str]]) -> dict[str, list[list[object]]]:
    """An export cut down to the tables and columns of an older schema."""
    tables = json.loads(export)["tables"]
    projected = {}
    for name, columns in schema.items():
        table = tables[name]
        keep = [i for i, column in enumerate(table["columns"]) if column in columns]
        projected[name] = [[row[i] for i in keep] for row in table["rows"]]
    return projected


NEWER_EVENT_TYPES = {"published", "retracted", "correction", "link"}


def _without_rows_of_the_newer_schema(export: bytes, head: str) -> bytes:
    """The export less what a step down from `head` drops from the tables the older schema
    keeps: the events of the types revision 0013 brought. (Revision 0014's tables, stored
    suggestions and editors' decisions on them, go whole.)"""
    if head != "0013":
        return export
    document = json.loads(export)
    events = document["tables"]["event"]
    kind = events["columns"].index("type")
    events["rows"] = [row for row in events["rows"] if row[kind] not in NEWER_EVENT_TYPES]
    return json.dumps(document).encode()


def test_one_step_down_and_up_keeps_every_row(bare_database_url: str, figures) -> None:
    """`tracker db downgrade` (one step) then `tracker db upgrade`: a step down to an earlier
    schema keeps every row and every value the earlier schema can hold (what only the newer
    schema holds is dropped with its columns); the step down from the first schema empties the
    database, and the export taken before brings every row back."""
    url = bare_database_url
    migrate.upgrade(url)
    seed(url)
    record_activity(url)
    before = export_of(url)
    script = ScriptDirectory.from_config(migrate.alembic_config())
    head = script.get_revision(script.get_current_head())
    with pytest.raises(migrate.DowngradeLoses):
        # The activity made rows the older schema cannot hold: refused, unless forced.
        migrate.downgrade(url, "-1")
    migrate.downgrade(url, "-1", force=True)
    # What the step down may lose, it loses: rows of kinds the older schema has no place for.
    before = _without_rows_of_the_newer_schema(before, head.revision)
    if head.down_revision is None:
        assert table_names(url) == set()
        migrate.upgrade(url)
        _import(url, before)
        assert export_of(url) == before
    else:
        older = _older_schema(url)
        migrate.upgrade(url)
        assert _projected(export_of(url), older) == _projected(before, older)
    figures["migration cycles with data (nothing lost)"] += 1


def test_a_step_down_never_makes_a_draft_public(bare_database_url: str) -> None:
    """The schema before drafts has no place for one: every item in it is public. So a step down
    with a draft in the database is refused even when forced, and changes nothing."""
    from service.items import service as items
    from service.items.models import ItemCreate

    url = bare_database_url
    migrate.upgrade(url)
    seed(url)
    engine = create_db_engine(url)
    try:
        with write_session(engine) as session:
            items.create(
                session,
                data=ItemCreate(
                    kind="commitment",
                    title="A draft not yet checked",
                    actor="alan-billings",
                    source="rotherham-cse-live-updates-pcc",
                    quote="I have committed 62 additional staff",
                    publication="draft",
                ),
                user_id=None,
            )
    finally:
        engine.dispose()
    # Down to 0013 first (forced: the draft's tracking is an editor's decision it drops), then
    # the step that would make the draft public.
    migrate.downgrade(url, "0013", force=True)
    before = _rows(url)
    with pytest.raises(migrate.DowngradeLoses, match="1 drafts or retracted items"):
        migrate.downgrade(url, "0012", force=True)
    assert _rows(url) == before


def _rows(url: str) -> tuple[str, list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The schema revision, the items and the events, read without the models."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            return (
                str(version.scalar_one()),
                [tuple(r) for r in connection.exec_driver_sql("SELECT * FROM item ORDER BY id")],
                [tuple(r) for r in connection.exec_driver_sql("SELECT * FROM event ORDER BY id")],
            )
    finally:
        engine.dispose()
