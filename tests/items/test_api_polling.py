"""Conditional GETs and the change feed: what a poller relies on."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from tests.support.seed import ITEM, ITEM_WITHOUT_QUANTITY, SOURCE

GETS = [
    "/api/v1/items?limit=50",
    "/api/v1/items?kind=allegation&status=under_investigation",
    f"/api/v1/items/{ITEM}",
    f"/api/v1/items/{ITEM}/history",
    "/api/v1/changes?after=0",
    "/api/v1/summary",
    "/api/v1/sources",
    f"/api/v1/sources/{SOURCE}",
    "/api/v1/actors",
    "/api/v1/actors/ipcc",
    "/api/v1/items.csv",
    "/feed.atom",
]


@pytest.mark.parametrize("path", GETS)
def test_every_get_has_a_strong_etag_and_answers_304(client, editor_headers, path) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "no-cache"
    again = client.get(path)
    assert again.headers["etag"] == etag and again.content == first.content
    cached = client.get(path, headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["etag"] == etag
    assert client.get(path, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"stale"'}).status_code == 200
    # Any write changes every ETag: no body outlives the data it was built from.
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Recruiting."},
        headers=editor_headers,
    )
    fresh = client.get(path, headers={"If-None-Match": etag})
    assert fresh.status_code == 200 and fresh.headers["etag"] != etag


def test_etags_agree_across_app_instances(app_settings) -> None:
    """Two workers (two app instances with their own caches) give the same ETag."""
    from service.app import create_app
    from service.delivery.store import public_paths, store

    with TestClient(create_app(app_settings)) as one:
        etag = one.get("/api/v1/items").headers["etag"]
    store.clear()  # as a fresh process would start
    public_paths.clear()
    with TestClient(create_app(app_settings)) as two:
        assert two.get("/api/v1/items", headers={"If-None-Match": etag}).status_code == 304


def test_query_order_does_not_matter_but_values_do(client) -> None:
    a = client.get("/api/v1/items?kind=commitment&limit=5").headers["etag"]
    b = client.get("/api/v1/items?limit=5&kind=commitment").headers["etag"]
    c = client.get("/api/v1/items?limit=6&kind=commitment").headers["etag"]
    assert a == b != c


def test_change_feed_pages_in_id_order(client, editor_headers) -> None:
    body = client.get("/api/v1/changes", params={"after": 0, "limit": 10}).json()
    assert [e["id"] for e in body["events"]] == list(range(1, 11)) and body["last_id"] == 10
    rest = client.get("/api/v1/changes", params={"after": 10, "limit": 1000}).json()
    assert [e["id"] for e in rest["events"]] == list(range(11, 36)) and rest["last_id"] == 35
    empty = client.get("/api/v1/changes", params={"after": 35}).json()
    assert empty == {"events": [], "last_id": 35, "has_more": False, "next": None}
    for bad in ({"after": -1}, {"after": "x"}, {"limit": 0}, {"limit": 1001}):
        assert client.get("/api/v1/changes", params=bad).status_code == 422


def test_change_feed_has_no_gaps_or_duplicates_while_writes_happen(client, editor_headers) -> None:
    slugs = [
        ITEM,
        ITEM_WITHOUT_QUANTITY,
        "ipcc-investigation-of-10-syp-officers",
    ]
    statuses = {"commitment": ["in_progress", "stalled", "pledged"]}
    stop = threading.Event()
    acknowledged: list[int] = []

    def writer(slug: str) -> None:
        n = 0
        while not stop.is_set() and n < 15:
            status = statuses["commitment"][n % 3]
            response = client.post(
                f"/api/v1/items/{slug}/status",
                json={"status": status, "note": f"write {n}"},
                headers=editor_headers,
            )
            assert response.status_code == 200, response.text
            acknowledged.append(response.json()["version"])
            n += 1

    threads = [threading.Thread(target=writer, args=(s,)) for s in slugs]
    for t in threads:
        t.start()
    seen: list[int] = []
    last = 0
    while any(t.is_alive() for t in threads):
        page = client.get("/api/v1/changes", params={"after": last, "limit": 7}).json()
        seen.extend(e["id"] for e in page["events"])
        last = page["last_id"]
    for t in threads:
        t.join()
    while True:
        page = client.get("/api/v1/changes", params={"after": last}).json()
        if not page["events"]:
            break
        seen.extend(e["id"] for e in page["events"])
        last = page["last_id"]
    assert seen == list(range(1, 35 + len(acknowledged) + 1))


def test_ids_beyond_the_integer_range_are_refused_or_not_found(client) -> None:
    assert client.get("/api/v1/changes", params={"after": 2**31}).status_code == 422
    assert client.get("/api/v1/changes", params={"after": 2**31 - 1}).json()["events"] == []
    assert client.get(f"/api/v1/items/{2**40}").status_code == 404
