"""The seed data: byte-exact sources, verbatim quotes, idempotent loading."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from service import seeds
from service.config import PROJECT_ROOT
from service.db import read_session, write_session
from service.errors import TrackerError
from service.items import vocabulary
from service.models import Actor, Event, Item, Source

SEEDS = PROJECT_ROOT / "seeds"
SHARED_SOURCES = PROJECT_ROOT.parent / "shared" / "sources"
SEED = yaml.safe_load((SEEDS / "items.yaml").read_text(encoding="utf-8"))


def _source_text(slug: str) -> str:
    entry = next(s for s in SEED["sources"] if s["slug"] == slug)
    return (SEEDS / "sources" / entry["file"]).read_bytes().decode("utf-8")


@pytest.mark.parametrize("entry", SEED["sources"], ids=lambda e: e["slug"])
def test_sources_are_byte_exact_copies_with_their_hash(entry: dict) -> None:
    raw = (SEEDS / "sources" / entry["file"]).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == entry["sha256"]
    original = SHARED_SOURCES / entry["file"]
    if original.exists():  # the archive the seed was copied from, where it is checked out
        assert original.read_bytes() == raw


@pytest.mark.parametrize("entry", SEED["items"], ids=lambda e: e["slug"])
def test_every_quote_is_verbatim_and_every_field_known(entry: dict) -> None:
    text = _source_text(entry["source"])
    assert entry["quote"] in text, f"{entry['slug']}: quote not found verbatim"
    assert entry["kind"] in vocabulary.KIND_BY_CODE
    assert vocabulary.KIND_BY_CODE[entry["kind"]].status(entry["status"]) is not None
    actors = {a["slug"] for a in SEED["actors"]}
    assert entry["actor"] in actors
    assert entry.get("responsible") is None or entry["responsible"] in actors


def test_seed_has_the_items_the_tracker_is_known_by() -> None:
    quantities = {
        (i["kind"], i["quantity"]["value"], i["quantity"]["unit"])
        for i in SEED["items"]
        if i.get("quantity")
    }
    assert ("commitment", 62, "staff") in quantities
    assert ("commitment", 1200000, "GBP") in quantities
    assert ("proposal", 5, "years") in quantities
    assert ("commitment", 10, "officers") in quantities
    allegations = [
        i
        for i in SEED["items"]
        if (i["kind"] == "allegation" and "IPCC" in i["quote"]) or i.get("responsible") == "ipcc"
    ]
    assert len(allegations) >= 5
    slugs = [i["slug"] for i in SEED["items"]]
    assert len(slugs) == len(set(slugs))


def _snapshot(url_session) -> dict[str, list[tuple]]:
    tables = {}
    for model in (Source, Actor, Item, Event):
        table = model.__table__
        tables[table.name] = [
            tuple(r) for r in url_session.execute(sa.select(table).order_by(table.c.id))
        ]
    return tables


def test_loaded_items_quote_their_source_at_their_offsets(session) -> None:
    rows = session.execute(
        sa.select(
            Item.slug, Item.quote, Item.quote_start, Item.quote_end, Source.text, Source.sha256
        ).join(Source, Source.id == Item.source_id)
    ).all()
    assert len(rows) == len(SEED["items"])
    for row in rows:
        assert row.text[row.quote_start : row.quote_end] == row.quote, row.slug
        assert hashlib.sha256(row.text.encode("utf-8")).hexdigest() == row.sha256
    # One creation event per item, recording the seeded status.
    events = session.execute(sa.select(Event.type, Event.to_status, Event.version)).all()
    assert len(events) == len(rows)
    assert {e.type for e in events} == {"created"} and {e.version for e in events} == {1}


def test_loading_twice_changes_nothing(app_settings) -> None:
    with read_session() as s:
        before = _snapshot(s)
    with write_session() as s:
        report = seeds.load(s, seeds_dir=SEEDS)
    assert (report.sources_added, report.actors_added, report.items_added) == (0, 0, 0)
    assert report.items_checked == len(SEED["items"])
    with read_session() as s:
        assert _snapshot(s) == before


def _copy_seeds(tmp_path: Path) -> Path:
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


def test_a_quote_that_is_not_verbatim_is_refused(empty_database_url, tmp_path, monkeypatch) -> None:
    seeds_dir = _copy_seeds(tmp_path)
    data = yaml.safe_load((seeds_dir / "items.yaml").read_text())
    data["items"][0]["quote"] = data["items"][0]["quote"].replace("62", "63")
    (seeds_dir / "items.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    from service.db import create_db_engine

    engine = create_db_engine(empty_database_url)
    with pytest.raises(TrackerError, match="not found verbatim"), write_session(engine) as s:
        seeds.load(s, seeds_dir=seeds_dir)
    with read_session(engine) as s:  # the failed load left nothing behind
        assert s.execute(sa.select(sa.func.count()).select_from(Item)).scalar_one() == 0
    engine.dispose()


def test_a_changed_source_file_is_refused(empty_database_url, tmp_path) -> None:
    seeds_dir = _copy_seeds(tmp_path)
    first = seeds_dir / "sources" / SEED["sources"][0]["file"]
    first.write_bytes(first.read_bytes().replace(b"62", b"63", 1))
    from service.db import create_db_engine

    engine = create_db_engine(empty_database_url)
    with pytest.raises(TrackerError, match="SHA-256"), write_session(engine) as s:
        seeds.load(s, seeds_dir=seeds_dir)
    engine.dispose()
