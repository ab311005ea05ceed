"""`tracker db downgrade` never loses rows unless told to: every step down that would drop a
table with rows, a column holding data, or rows of the history is refused without --force,
saying what it would lose, and a refusal leaves the database exactly as it was, also when
several steps are asked for at once (SQLite's schema changes cannot be rolled back)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from service import migrate
from service.db import create_db_engine, write_session
from tests.reliability.support import ITEM, record_activity, seed
from tests.support.databases import use_database

# What each step down loses once the database holds the activity below, by the revision it
# undoes; the steps not named (indexes, the search index, counters) lose nothing.
EXPECTED = {
    "0015": ["imports"],
    "0014": ["editors' decisions on suggestions"],
    "0013": ["events of publishing, retracting, correcting or linking", "audit entries"],
    "0012": ["old addresses of items, sources and actors"],
    "0008": ["withheld names (the names would become public again)"],
    "0007": ["reply events (deleted from the items' append-only histories)"],
    "0006": ["links between items"],
    "0005": ["events' dates of occurrence"],
    "0004": ["users' sign-outs everywhere"],
    "0003": [
        "original files of sources",
        "dismissed suggestions",
        "actors' lists of aliases",
        "sources' date notes",
    ],
    "0001": ["items", "events of the items' histories", "sources", "actors", "users"],
}


def _full_database(url: str) -> None:
    """Seeds, the activity of every kind, an actor with aliases, a user signed out everywhere and
    a status change dated by when it happened."""
    from service.accounts import service as accounts
    from service.actors import service as actors
    from service.actors.models import ActorCreate
    from service.items import service as items
    from service.items.models import StatusChange

    migrate.upgrade(url)
    seed(url)
    record_activity(url)
    engine = create_db_engine(url)
    try:
        with write_session(engine) as session:
            actors.create(
                session,
                data=ActorCreate(
                    name="Rotherham Council", kind="council", aliases=["RMBC", "the council"]
                ),
            )
            user = accounts.create_user(
                session, username="away", password="a long enough password", role="viewer"
            )
            assert user.id is not None
            accounts.end_sessions(session, user_id=user.id)
        with write_session(engine) as session:
            items.record_status_change(
                session,
                ref=ITEM,
                change=StatusChange(
                    status="delivered",
                    note="All 62 in post, as the annual report says.",
                    occurred_on="2016-03-31",
                ),
                user_id=None,
            )
    finally:
        engine.dispose()


def _state(url: str) -> tuple[object, ...]:
    """The revision, every table with its columns, and every row (read without the models,
    which describe the newest schema only)."""
    engine = create_db_engine(url)
    try:
        inspector = sa.inspect(engine)
        names = sorted(inspector.get_table_names())
        schema = {name: [c["name"] for c in inspector.get_columns(name)] for name in names}
        with engine.connect() as connection:
            revision = connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version"
            ).scalar_one()
            rows = {
                name: sorted(
                    repr(tuple(row))
                    for row in connection.exec_driver_sql(f'SELECT * FROM "{name}"')
                )
                for name in names
            }
    finally:
        engine.dispose()
    return revision, schema, rows


def _steps() -> list[str]:
    """Every revision, newest first."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    return [s.revision for s in script.walk_revisions()]


def test_a_downgrade_of_several_steps_is_refused_whole_and_changes_nothing(
    bare_database_url: str,
) -> None:
    url = bare_database_url
    _full_database(url)
    before = _state(url)
    with pytest.raises(migrate.DowngradeLoses) as refused:
        migrate.downgrade(url, "base")
    message = str(refused.value)
    for revision, things in EXPECTED.items():
        line = next(
            (
                x
                for x in message.splitlines()
                if x.strip().startswith(f"below revision {revision}:")
            ),
            None,
        )
        assert line is not None, f"{revision} not named in {message!r}"
        for thing in things:
            assert re.search(rf"\b[1-9][0-9]* {re.escape(thing)}", line), (thing, line)
    named = set(re.findall(r"below revision (\d{4})", message))
    assert named == set(EXPECTED)
    assert "--force" in message
    # Nothing ran: not the first step, whose losses were counted with the others.
    assert _state(url) == before
    # Part of the way down is refused the same.
    with pytest.raises(migrate.DowngradeLoses, match="below revision 0008") as partial:
        migrate.downgrade(url, "0007")
    assert "below revision 0007" not in str(partial.value)
    assert _state(url) == before
    # Steps that lose nothing before one that does: none of them runs either.
    migrate.downgrade(url, "0011", force=True)
    before = _state(url)
    with pytest.raises(migrate.DowngradeLoses, match="below revision 0008: 1 withheld names"):
        migrate.downgrade(url, "0007")
    assert _state(url) == before


def test_every_step_down_that_loses_rows_is_refused_without_force(
    bare_database_url: str,
) -> None:
    """One step at a time, from the head to the base: each step that would lose something is
    refused (naming it) and changes nothing; forced, it goes down; the steps that lose nothing
    go down unasked."""
    url = bare_database_url
    _full_database(url)
    refused: list[str] = []
    for revision in _steps():
        before = _state(url)
        assert before[0] == revision
        if revision in EXPECTED:
            with pytest.raises(migrate.DowngradeLoses) as caught:
                migrate.downgrade(url, "-1")
            message = str(caught.value)
            assert f"below revision {revision}:" in message
            for thing in EXPECTED[revision]:
                assert thing in message, (thing, message)
            assert _state(url) == before
            refused.append(revision)
            migrate.downgrade(url, "-1", force=True)
        else:
            migrate.downgrade(url, "-1")
    assert refused == list(EXPECTED)
    engine = create_db_engine(url)
    try:
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_the_command_says_what_would_be_lost(
    bare_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli import app

    url = bare_database_url
    _full_database(url)
    before = _state(url)
    use_database(url, monkeypatch)
    result = CliRunner().invoke(app, ["db", "downgrade", "0007"])
    assert result.exit_code == 1
    assert "1 withheld names (the names would become public again)" in result.output
    assert "--force" in result.output
    assert _state(url) == before
    unknown = CliRunner().invoke(app, ["db", "downgrade", "9999"])
    assert unknown.exit_code == 1 and "No such revision" in unknown.output
    assert _state(url) == before
    forced = CliRunner().invoke(app, ["db", "downgrade", "0013", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _state(url)[0] == "0013"
