"""`python -m tools.demo_data`: synthetic items whose quotes, hashes and histories hold like real
ones."""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
from collections import defaultdict

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from service.items import vocabulary
from tests.support.databases import use_database
from tests.support.servers import run_command, tracker_env
from tools.demo_data.cli import app

runner = CliRunner()


@pytest.fixture
def empty_database(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    use_database(empty_database_url, monkeypatch)
    return empty_database_url


def _check_demo_data(connection: sa.Connection) -> dict[str, int]:
    """Every item quotes its source verbatim, every history runs 1..n; returns a few counts."""
    sources = {
        row.id: row
        for row in connection.execute(sa.text("SELECT id, slug, sha256, text FROM source"))
    }
    for source in sources.values():
        assert hashlib.sha256(source.text.encode("utf-8")).hexdigest() == source.sha256
    events: dict[int, list[sa.Row]] = defaultdict(list)
    for event in connection.execute(
        sa.text("SELECT item_id, version, type, to_status FROM event ORDER BY id")
    ):
        events[event.item_id].append(event)
    counts = {"items": 0, "overdue": 0, "with_quantity": 0, "non_ascii_sources": 0}
    today = dt.datetime.now(dt.UTC).date()
    items = connection.execute(
        sa.text(
            "SELECT id, slug, kind, status, source_id, quote, quote_start, quote_end, "
            "quantity_value, due_on, version FROM item"
        )
    )
    for item in items:
        counts["items"] += 1
        assert item.slug.startswith("demo-")
        text = sources[item.source_id].text
        assert text[item.quote_start : item.quote_end] == item.quote
        assert vocabulary.KIND_BY_CODE[item.kind].status(item.status) is not None
        history = events[item.id]
        assert [e.version for e in history] == list(range(1, item.version + 1))
        assert history[0].type == "created"
        last_status = [e.to_status for e in history if e.to_status is not None][-1]
        assert last_status == item.status
        counts["with_quantity"] += item.quantity_value is not None
        due_on = item.due_on
        if isinstance(due_on, str):
            due_on = dt.date.fromisoformat(due_on)
        if due_on and due_on < today and item.status not in vocabulary.RESOLVED_STATUSES:
            counts["overdue"] += 1
    counts["non_ascii_sources"] = sum(not s.text.isascii() for s in sources.values())
    return counts


def test_demo_data_fills_an_empty_database_and_adds_more(empty_database: str) -> None:
    from service.db import get_engine

    result = runner.invoke(app, ["--items", "300", "--events-per-item", "4"])
    assert result.exit_code == 0, result.output
    assert "300 items" in result.output and "12 actors and 8 sources" in result.output
    with get_engine().connect() as connection:
        counts = _check_demo_data(connection)
        events = connection.execute(sa.text("SELECT count(*) FROM event")).scalar_one()
        statuses = connection.execute(sa.text("SELECT count(DISTINCT status) FROM item"))
        assert statuses.scalar_one() >= 10
    assert counts["items"] == 300 and counts["overdue"] > 0 and counts["with_quantity"] > 0
    assert counts["non_ascii_sources"] > 0
    assert 300 * 3 < events < 300 * 5

    # A second run adds to the demo data (no --force needed), reusing its actors and sources.
    result = runner.invoke(app, ["--items", "50", "--events-per-item", "1"])
    assert result.exit_code == 0, result.output
    assert "50 items, 50 events, 0 actors and 0 sources" in result.output
    with get_engine().connect() as connection:
        assert _check_demo_data(connection)["items"] == 350


def test_demo_data_refuses_a_database_with_real_items_unless_forced(client) -> None:
    from service.db import get_engine

    with get_engine().connect() as connection:
        before = connection.execute(sa.text("SELECT count(*) FROM item")).scalar_one()
    result = runner.invoke(app, ["--items", "20"])
    assert result.exit_code == 1
    assert "--force" in result.output
    with get_engine().connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM item")).scalar_one() == before
        demo_actors = sa.text("SELECT count(*) FROM actor WHERE slug LIKE 'demo-%'")
        assert connection.execute(demo_actors).scalar_one() == 0

    result = runner.invoke(app, ["--items", "20", "--force"])
    assert result.exit_code == 0, result.output
    # Demo items read through the API like any other, history included.
    body = client.get("/api/v1/items", params={"limit": 200}).json()
    assert body["total"] == before + 20
    demo_item = next(i for i in body["items"] if i["slug"].startswith("demo-"))
    detail = client.get(f"/api/v1/items/{demo_item['slug']}").json()
    assert [e["version"] for e in detail["history"]] == list(range(1, detail["version"] + 1))
    assert detail["history"][-1]["by"] == "demo-editor"
    # The demo editor cannot sign in.
    from service.accounts import service as accounts
    from service.db import read_session

    with read_session() as session:
        assert accounts.get_user(session, username="demo-editor").is_active is False


def test_the_command_runs_from_the_repository_root(empty_database_url: str) -> None:
    output = run_command(
        [sys.executable, "-m", "tools.demo_data", "--items", "5"],
        env=tracker_env(empty_database_url),
    )
    assert output.startswith("demo data: 5 items")
