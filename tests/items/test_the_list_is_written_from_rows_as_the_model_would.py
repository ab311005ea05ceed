"""The list's JSON made straight from the rows (`listing.list_values`, one orjson call) against
the public model's (`ItemPublic` through pydantic): both come from one function
(`items.models.item_values`), and give the same bytes for every sort, kind, status and page; its
total past the last page; and query plans that read the kind's index in the order asked for."""

from __future__ import annotations

import itertools
from pathlib import Path

import orjson
import pytest

from service.items import listing, order
from service.items.filters import SORTS, ListQuery
from service.items.models import ItemPublic
from service.web.responses import json_bytes
from tests.support.databases import use_database
from tests.support.seed import ACTOR, ITEM, QUOTE, SOURCE

KINDS = (None, "commitment", "allegation", "proposal")


def _variety(client, editor_headers) -> None:
    """Rows of every shape the JSON has: a responsible actor, a fractional and a whole quantity,
    recorded progress, due dates past and future (overdue or not), text beyond ASCII."""
    for title, extra in [
        ('Café «reopened» "soon" — ✓ \\ /', {"due_on": "2020-01-31", "responsible": ACTOR}),
        ("Half a million, not whole", {"quantity": {"value": 2.5, "unit": "£m"}}),
        ("Far off", {"quantity": {"value": 1e15, "unit": "pence"}, "due_on": "2099-12-31"}),
    ]:
        body = {"kind": "commitment", "title": title, "actor": ACTOR, "source": SOURCE}
        response = client.post(
            "/api/v1/items", json={**body, "quote": QUOTE, **extra}, headers=editor_headers
        )
        assert response.status_code == 201, response.text
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Some posts filled.", "progress_value": 40},
        headers=editor_headers,
    )
    assert response.status_code == 200, response.text


def _pages(session, query: ListQuery) -> list[tuple[bytes, bytes]]:
    """(list_json, the model's JSON) of every page of the query."""
    pages, cursor = [], None
    while True:
        args = {"filters": query, "sort": query.sort, "limit": query.limit, "cursor": cursor}
        values = listing.list_values(session, **args)
        direct = values.json()
        pages.append((direct, json_bytes(listing.list_page(session, **args))))
        # The values go through the model when names are withheld: the same JSON comes back.
        through_model = [ItemPublic.of_values(v).model_dump() for v in values.items]
        assert orjson.dumps(through_model) == orjson.dumps(values.items)
        cursor = orjson.loads(direct)["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100


def test_the_json_from_rows_is_the_models_json(client, editor_headers, session) -> None:
    _variety(client, editor_headers)
    seen: list[dict] = []
    shapes = itertools.product(SORTS, KINDS, ([], ["pledged", "in_progress"]))
    for sort, kind, status in shapes:
        if status and kind not in (None, "commitment"):
            continue
        query = ListQuery(sort=sort, kind=kind, status=status, limit=4)
        for direct, model in _pages(session, query):
            assert direct == model, (sort, kind, status)
            seen += orjson.loads(direct)["items"]
    # The comparison went through every shape of value.
    assert any(i["responsible"] for i in seen) and any(i["progress"] for i in seen)
    assert {"value": 2.5, "unit": "£m"} in [i["quantity"] for i in seen]
    assert {"value": 10**15, "unit": "pence"} in [i["quantity"] for i in seen]
    assert any(i["overdue"] for i in seen) and any(i["due_on"] is None for i in seen)
    assert any("«" in i["title"] for i in seen)
    # Also with filters that the prebuilt statement does not take (counted, not tallied).
    for query in (ListQuery(actor=ACTOR, sort="due_on", limit=3), ListQuery(q="panel", limit=2)):
        for direct, model in _pages(session, query):
            assert direct == model


@pytest.mark.parametrize("sort", ["-updated_at", "updated_at", "title", "due_on"])
def test_total_past_the_last_page(session, sort) -> None:
    """A cursor after the last item gives no row (so no row carries the total): still the
    total of the filter."""
    for kind in KINDS:
        query = ListQuery(sort=sort, kind=kind, limit=200)
        whole = listing.page_rows(session, filters=query, sort=sort, limit=200)
        assert whole.rows and whole.next_cursor is None
        cursor = order.encode_cursor(sort, whole.rows[-1])
        past = orjson.loads(
            listing.list_values(session, filters=query, sort=sort, limit=5, cursor=cursor).json()
        )
        assert past == {"items": [], "next_cursor": None, "total": whole.total}
        assert whole.total == len(whole.rows)


@pytest.fixture
def sqlite_session(templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A session on a seeded SQLite database: query plans are compared on SQLite only
    (PostgreSQL chooses its plan by the table's statistics)."""
    from service.db import read_session

    url, _ = templates.clone("sqlite", True, tmp_path / "tracker.db")
    use_database(url, monkeypatch)
    with read_session() as session:
        yield session


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sort", ["-updated_at", "updated_at", "title", "due_on"])
def test_each_order_of_a_kind_reads_an_index_in_that_order(sqlite_session, sort, kind) -> None:
    """No sort step: the page stops after `limit` rows of an index instead of sorting every
    item of the kind (SQLite's plan)."""
    session = sqlite_session
    query = ListQuery(sort=sort, kind=kind, limit=10)
    statement = listing._plain_statement(sort, kind is not None, False, None)
    compiled = statement.compile(dialect=session.get_bind().dialect)
    values = compiled.construct_params({"list_kind": kind, "list_limit": 11})
    args = tuple(values[name] for name in compiled.positiontup or ())
    explain = f"EXPLAIN QUERY PLAN {compiled}"
    plan = [r[-1] for r in session.connection().exec_driver_sql(explain, args)]
    assert not any("TEMP B-TREE" in step for step in plan), plan
    index = ("ix_item_kind_" if kind else "ix_item_") + sort.lstrip("-") + "_id"
    assert any(index in step for step in plan), plan
    assert listing.page_rows(session, filters=query, sort=sort, limit=10).rows


def test_an_uncached_list_masks_the_names_withheld_at_its_version(client, editor_headers) -> None:
    """The withheld names are read once per data version: a list built after a name is
    withheld (or shown again) masks by the names of that moment, whatever was built before."""
    name, item = "Margaret Crofts", "syp-60-extra-officers-edl-protest"  # in the item's source
    current = client.get(f"/api/v1/items/{item}").json()
    response = client.patch(
        f"/api/v1/items/{item}",
        json={"description": f"Mentioned beside a statement by {name}."},
        headers={**editor_headers, "If-Match": f'"{current["version"]}"'},
    )
    assert response.status_code == 200, response.text

    def listed(n: int) -> bytes:
        response = client.get("/api/v1/items", params={"limit": 200, "_bench": n})
        assert response.status_code == 200
        return response.content

    assert name.encode() in listed(1)
    path = f"/api/v1/items/{item}/withheld-names"
    withheld = client.post(path, json={"name": name}, headers=editor_headers)
    assert withheld.status_code == 201, withheld.text
    for n in (2, 3):
        body = listed(n)
        assert name.encode() not in body and b"[name withheld]" in body
    deleted = client.delete(f"{path}/{withheld.json()['id']}", headers=editor_headers)
    assert deleted.status_code == 204
    assert name.encode() in listed(4)


def test_an_ignored_parameter_builds_the_list_again(client) -> None:
    """What the benchmark's `_bench` relies on: an unknown parameter is no error (200, not 422)
    and gives another ETag, so no cached body answers it."""
    first = client.get("/api/v1/items", params={"sort": "title", "limit": 3, "_bench": "1"})
    second = client.get("/api/v1/items", params={"sort": "title", "limit": 3, "_bench": "2"})
    assert first.status_code == second.status_code == 200
    assert first.headers["etag"] != second.headers["etag"]
    assert first.content == second.content


def test_a_worker_builds_lists_one_at_a_time_on_sqlite_only(
    client, database_url, monkeypatch
) -> None:
    """SQLite's driver lets go of the interpreter lock at every row: lists built by many threads
    at once cost several times the CPU of the same lists built in turn (service/db.py). On
    PostgreSQL the rows come in one piece and builds overlap."""
    import threading
    import time

    from service.items import listing as listing_module

    real = listing_module.list_values
    running, most = 0, 0
    lock = threading.Lock()

    def slow_list_values(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.1)
        with lock:
            running -= 1
        return real(*args, **kwargs)

    monkeypatch.setattr(listing_module, "list_values", slow_list_values)
    answers: list[int] = []

    def get(n: int) -> None:
        answers.append(client.get("/api/v1/items", params={"limit": 3, "_n": n}).status_code)

    threads = [threading.Thread(target=get, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [200] * 6
    if database_url.startswith("sqlite"):
        assert most == 1
    else:
        assert most >= 2
