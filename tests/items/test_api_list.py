"""GET /api/v1/items: filters, sorts, keyset cursors and their errors."""

from __future__ import annotations

import re

import pytest

from tests.support.seed import ITEM, SOURCE


def _slugs(body: dict) -> list[str]:
    return [i["slug"] for i in body["items"]]


def _all_pages(client, **params) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        body = client.get("/api/v1/items", params=query).json()
        items.extend(body["items"])
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return items
        assert pages < 100


def test_filters_by_kind_status_actor_and_source(client) -> None:
    everything = client.get("/api/v1/items", params={"limit": 200}).json()["items"]
    for kind in ("commitment", "allegation", "proposal"):
        body = client.get("/api/v1/items", params={"kind": kind, "limit": 200}).json()
        assert body["total"] == sum(i["kind"] == kind for i in everything) > 0
        assert {i["kind"] for i in body["items"]} == {kind}
    body = client.get(
        "/api/v1/items",
        params=[("status", "pledged"), ("status", "under_investigation"), ("limit", "200")],
    ).json()
    expected = {i["slug"] for i in everything if i["status"] in ("pledged", "under_investigation")}
    assert set(_slugs(body)) == expected and body["total"] == len(expected)
    body = client.get("/api/v1/items", params={"actor": "ipcc", "limit": 200}).json()
    assert set(_slugs(body)) == {i["slug"] for i in everything if i["actor"]["slug"] == "ipcc"}
    body = client.get("/api/v1/items", params={"source": SOURCE, "limit": 200}).json()
    assert body["total"] == sum(i["source"]["slug"] == SOURCE for i in everything)
    # An unknown actor or source matches nothing; it is not an error.
    assert client.get("/api/v1/items", params={"actor": "nobody"}).json()["total"] == 0


def test_text_search_looks_in_title_description_and_quote(client) -> None:
    """Every word of q starts a word of the item (tests/items/test_search.py has the rest)."""
    body = client.get("/api/v1/items", params={"q": "wilful neglect", "limit": 200}).json()
    assert body["total"] >= 1
    for item in body["items"]:
        haystack = " ".join([item["title"], item["description"] or "", item["quote"]]).lower()
        assert re.search(r"\bwilful", haystack) and re.search(r"\bneglect", haystack)
    # Case-insensitive, and LIKE metacharacters are only separators.
    assert client.get("/api/v1/items", params={"q": "IPCC"}).json()["total"] > 0
    assert client.get("/api/v1/items", params={"q": "zzz%_"}).json()["total"] == 0


def test_overdue_and_updated_since(client, editor_headers) -> None:
    slug = ITEM
    item = client.get(f"/api/v1/items/{slug}").json()
    response = client.patch(
        f"/api/v1/items/{slug}",
        json={"due_on": "2015-12-31"},
        headers={**editor_headers, "If-Match": f'"{item["version"]}"'},
    )
    assert response.status_code == 200 and response.json()["overdue"] is True
    assert _slugs(client.get("/api/v1/items", params={"overdue": "true"}).json()) == [slug]
    not_overdue = client.get("/api/v1/items", params={"overdue": "false", "limit": 200}).json()
    assert slug not in _slugs(not_overdue) and not_overdue["total"] == 34
    since = response.json()["updated_at"]
    assert _slugs(client.get("/api/v1/items", params={"updated_since": since}).json()) == [slug]
    # Resolved items are never overdue.
    client.post(
        f"/api/v1/items/{slug}/status",
        json={"status": "delivered", "note": "All 62 in post."},
        headers=editor_headers,
    )
    assert client.get("/api/v1/items", params={"overdue": "true"}).json()["total"] == 0


@pytest.mark.parametrize("sort", ["-updated_at", "updated_at", "title", "due_on"])
def test_cursor_pages_cover_everything_once_in_order(client, editor_headers, sort) -> None:
    # Some due dates, so that the due_on order has values and nulls.
    for slug, due in [
        (ITEM, "2027-01-01"),
        ("ipcc-investigation-of-10-syp-officers", "2026-12-01"),
    ]:
        version = client.get(f"/api/v1/items/{slug}").json()["version"]
        client.patch(
            f"/api/v1/items/{slug}",
            json={"due_on": due},
            headers={**editor_headers, "If-Match": f'"{version}"'},
        )
    paged = _all_pages(client, sort=sort, limit=4)
    whole = client.get("/api/v1/items", params={"sort": sort, "limit": 200}).json()["items"]
    assert [i["slug"] for i in paged] == [i["slug"] for i in whole]
    assert len(paged) == 35 == len({i["slug"] for i in paged})
    if sort == "title":
        assert [i["title"] for i in paged] == sorted(i["title"] for i in paged)
    if sort == "due_on":
        assert [i["due_on"] for i in paged[:2]] == ["2026-12-01", "2027-01-01"]
        assert all(i["due_on"] is None for i in paged[2:])
    if sort == "-updated_at":
        stamps = [i["updated_at"] for i in paged]
        assert stamps == sorted(stamps, reverse=True)


def test_cursor_stays_correct_while_items_change(client, editor_headers) -> None:
    first = client.get("/api/v1/items", params={"limit": 10}).json()
    # An item of a later page changes (it moves to the top of -updated_at) between pages.
    moved = client.get("/api/v1/items", params={"limit": 200}).json()["items"][-1]["slug"]
    client.post(
        f"/api/v1/items/{moved}/status",
        json={"status": _other_status(client, moved), "note": "Changed between pages."},
        headers=editor_headers,
    )
    rest = _all_pages(client, limit=10, cursor=first["next_cursor"])
    seen = [i["slug"] for i in first["items"]] + [i["slug"] for i in rest]
    # No item is seen twice; every item that did not change is seen exactly once.
    assert len(seen) == len(set(seen))
    assert set(seen) | {moved} == {i["slug"] for i in _all_pages(client, limit=50)}


def _other_status(client, slug: str) -> str:
    item = client.get(f"/api/v1/items/{slug}").json()
    vocabulary = client.get("/api/v1/vocabulary").json()
    statuses = next(k for k in vocabulary["kinds"] if k["code"] == item["kind"])["statuses"]
    return next(s["code"] for s in statuses if s["code"] != item["status"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "promise"}, "kind"),
        ({"status": "done"}, "status"),
        ({"kind": "proposal", "status": "pledged"}, "status"),
        ({"sort": "random"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "99999999999999999999"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"overdue": "perhaps"}, "overdue"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WyJ0aXRsZSIsIngiLDFd"}, "cursor"),  # a title cursor, used with another sort
        ({"cursor": "eyJhIjoxfQ"}, "cursor"),  # valid base64 JSON, wrong shape
    ],
)
def test_bad_values_are_422_naming_the_field(client, params, field) -> None:
    response = client.get("/api/v1/items", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 422 and body["title"] == "Invalid input"
    assert field in [e["field"] for e in body["errors"]]


def test_unknown_parameters_are_refused_and_cache_busting_ones_ignored(client) -> None:
    refused = client.get("/api/v1/items", params={"colour": "red"})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"field": "colour", "message": "is not a query parameter of this route"}
    ]
    assert client.get("/api/v1/items", params={"_": "red"}).json()["total"] == 35
