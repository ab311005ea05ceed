"""The item tally always equals a count of the items, whatever changed them."""

from __future__ import annotations

import sqlalchemy as sa

from service.db import read_session, write_session
from service.items import tally
from service.items.models import Item
from tests.support.seed import ITEM, SOURCE


def _counted() -> list[tuple[str, str, int]]:
    with read_session() as s:
        rows = s.execute(
            sa.select(Item.kind, Item.status, sa.func.count()).group_by(Item.kind, Item.status)
        ).all()
    return sorted((k, st, n) for k, st, n in rows)


def _tallied() -> list[tuple[str, str, int]]:
    with read_session() as s:
        return sorted(tally.counts(s))


def test_the_seed_creates_and_status_changes_keep_the_tally(client, editor_headers) -> None:
    assert _tallied() == _counted() and sum(n for *_, n in _tallied()) == 35
    slug = ITEM
    for status in ("in_progress", "in_progress", "delivered", "pledged"):
        response = client.post(
            f"/api/v1/items/{slug}/status",
            json={"status": status, "note": "tally"},
            headers=editor_headers,
        )
        assert response.status_code == 200
        assert _tallied() == _counted()
    created = client.post(
        "/api/v1/items",
        json={
            "kind": "proposal",
            "title": "Another proposal",
            "actor": "uk-government",
            "source": SOURCE,
            "quote": 'the crime of "wilful neglect" will be extended',
            "status": "consultation",
        },
        headers=editor_headers,
    )
    assert created.status_code == 201
    assert _tallied() == _counted()
    refused = client.post(
        f"/api/v1/items/{slug}/status",
        json={"status": "upheld", "note": "x"},
        headers=editor_headers,
    )
    assert refused.status_code == 422 and _tallied() == _counted()


def test_list_totals_from_the_tally_match_a_count(client) -> None:
    for params in ({}, {"kind": "allegation"}, {"status": ["pledged", "proposed"]},
                   {"kind": "commitment", "status": ["pledged", "delivered"]}):  # fmt: skip
        body = client.get("/api/v1/items", params={**params, "limit": 200}).json()
        assert body["total"] == len(body["items"]) > 0


def test_bulk_demo_data_keeps_the_tally(app_settings) -> None:
    from service.db import get_engine
    from tools import demo_data

    demo_data.generate(get_engine(), items=300, force=True)
    assert _tallied() == _counted() and sum(n for *_, n in _tallied()) == 335


def test_concurrent_opposite_changes_neither_deadlock_nor_drift(app_settings) -> None:
    """Writers moving items between the same two statuses in opposite directions touch the
    same tally rows; they must neither deadlock (PostgreSQL) nor lose a count."""
    import threading

    from service.items import service as items
    from service.items.models import StatusChange

    with read_session() as s:
        slugs = (
            s.execute(
                sa.select(Item.slug).where(Item.kind == "commitment", Item.status == "pledged")
            )
            .scalars()
            .all()[:6]
        )
    failures: list[BaseException] = []

    def flip(slug: str, start: int) -> None:
        try:
            for n in range(12):
                status = ("in_progress", "pledged")[(n + start) % 2]
                with write_session() as s:
                    items.record_status_change(
                        s, ref=slug, change=StatusChange(status=status, note="flip"), user_id=None
                    )
        except BaseException as exc:  # reported below, in the test's own thread
            failures.append(exc)

    threads = [threading.Thread(target=flip, args=(slug, i)) for i, slug in enumerate(slugs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert _tallied() == _counted()
