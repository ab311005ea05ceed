"""Withheld names: once an editor marks a private person's name, no public representation
carries it (pages for the public and for viewers, JSON items, list, history, change feed, sources,
actors, CSV, Atom), while editors still see it, and a cached public answer never holds it."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.support.accounts import sign_in

# A private person named in source 003 (the partner of a man killed at work), nowhere in an item.
NAME = "Margaret Crofts"
PLACEHOLDER = "[name withheld]"
ITEM = "syp-60-extra-officers-edl-protest"  # quotes source 003
SOURCE = "rotherham-cse-live-updates-lga-ofsted"
ACTOR = "south-yorkshire-police"


def _record_the_name_everywhere(client, headers) -> None:
    """The name in the item's description, a status note, an evidence quote and a reply."""
    current = client.get(f"/api/v1/items/{ITEM}").json()
    response = client.patch(
        f"/api/v1/items/{ITEM}",
        json={"description": f"Mentioned beside a statement by {NAME}."},
        headers={**headers, "If-Match": f'"{current["version"]}"'},
    )
    assert response.status_code == 200, response.text
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={
            "status": "delivered",
            "note": f"Confirmed; {NAME} was quoted the same day.",
            "evidence_quote": f"{NAME}, Michael Whinfrey's partner",
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    response = client.post(
        f"/api/v1/items/{ITEM}/replies",
        json={"by": ACTOR, "text": f"The force did not speak to {NAME}."},
        headers=headers,
    )
    assert response.status_code == 201, response.text


PUBLIC = [
    "/",
    "/?kind=commitment",
    f"/items/{ITEM}",
    f"/sources/{SOURCE}",
    f"/actors/{ACTOR}",
    "/sources",
    "/api/v1/items?limit=200",
    f"/api/v1/items/{ITEM}",
    f"/api/v1/items/{ITEM}/history",
    "/api/v1/changes?limit=1000",
    f"/api/v1/sources/{SOURCE}",
    f"/api/v1/sources/{SOURCE}/candidates",
    f"/api/v1/actors/{ACTOR}",
    "/api/v1/items.csv",
    "/feed.atom",
]


def _leaks(client, paths=PUBLIC) -> dict[str, int]:
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:200])
        if NAME.encode() in response.content:
            found[path] = response.content.count(NAME.encode())
    return found


def test_no_public_representation_carries_a_withheld_name(client, make_user) -> None:
    editor = {"Authorization": f"Bearer {make_user()}"}
    make_user("reader", "viewer")
    _record_the_name_everywhere(client, editor)
    # Before it is withheld, the name is in every kind of answer (so the test can see it).
    assert set(_leaks(client)) >= {
        f"/items/{ITEM}",
        f"/sources/{SOURCE}",
        f"/api/v1/items/{ITEM}",
        "/api/v1/changes?limit=1000",
        "/api/v1/items.csv",
        "/feed.atom",
        f"/api/v1/sources/{SOURCE}",
    }
    response = client.post(
        f"/api/v1/items/{ITEM}/withheld-names", json={"name": NAME}, headers=editor
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["name"], body["item_slug"]) == (NAME, ITEM)
    assert response.headers["cache-control"] == "no-store"

    anonymous = TestClient(client.app)
    assert _leaks(anonymous) == {}
    assert _leaks(anonymous) == {}  # again, as the cache and the fast path answer it
    item = anonymous.get(f"/api/v1/items/{ITEM}").json()
    assert item["description"] == f"Mentioned beside a statement by {PLACEHOLDER}."
    assert item["replies"][0]["text"] == f"The force did not speak to {PLACEHOLDER}."
    # The stored text keeps its words: the offsets still point at the archived source.
    source = anonymous.get(f"/api/v1/sources/{SOURCE}").json()
    assert PLACEHOLDER in source["text"]
    assert source["text"][item["quote_start"] : item["quote_end"]] == item["quote"]

    viewer = TestClient(client.app)
    sign_in(viewer, "reader")
    assert _leaks(viewer) == {}

    # A search for the name finds nothing: it would tell which item holds it.
    assert anonymous.get("/api/v1/items", params={"q": "Crofts"}).json()["total"] == 0
    # Nor a prefix of it (the index holds the text as written; the guard reads it masked).
    for prefix in ("Crof", "margaret crofts", "Marg statement"):
        assert anonymous.get("/api/v1/items", params={"q": prefix}).json()["total"] == 0, prefix
        results = BeautifulSoup(anonymous.get("/", params={"q": prefix}).text, "html.parser")
        assert ITEM not in str(results.select_one("#results")), prefix
    # The item's other words still find it.
    found = anonymous.get("/api/v1/items", params={"q": "statement by"}).json()["items"]
    assert ITEM in [i["slug"] for i in found]
    assert anonymous.get("/api/v1/items.csv", params={"q": "Crofts"}).text.count("\n") == 1

    signed_in = TestClient(client.app)
    sign_in(signed_in, "editor")
    page = signed_in.get(f"/items/{ITEM}").text
    assert NAME in page  # editors see the name on the pages
    assert NAME in signed_in.get(f"/sources/{SOURCE}").text
    # ... and the public still does not, after an editor's page was built.
    assert _leaks(anonymous, [f"/items/{ITEM}", f"/sources/{SOURCE}", "/"]) == {}


def test_a_name_must_be_in_the_items_record(client, editor_headers) -> None:
    path = f"/api/v1/items/{ITEM}/withheld-names"
    nowhere = client.post(path, json={"name": "Joe Nobody"}, headers=editor_headers)
    assert nowhere.status_code == 422
    assert nowhere.json()["errors"] == [
        {
            "field": "name",
            "message": "not found in this item, its history, its source or its actors",
        }
    ]
    quoted = client.post(path, json={"name": 'Crofts "M"'}, headers=editor_headers)
    assert quoted.status_code == 422
    assert client.post(path, json={"name": NAME}).status_code == 401
    assert client.post(path, json={"name": NAME}, headers=editor_headers).status_code == 201
    again = client.post(path, json={"name": NAME}, headers=editor_headers)
    assert again.status_code == 409
    # Shown again: the public reads it once more.
    withheld_id = client.post(
        path, json={"name": "Michael Whinfrey"}, headers=editor_headers
    ).json()["id"]
    assert NAME.encode() not in client.get(f"/api/v1/sources/{SOURCE}").content
    deleted = client.delete(f"{path}/{withheld_id}", headers=editor_headers)
    assert deleted.status_code == 204
    assert b"Michael Whinfrey" in client.get(f"/api/v1/sources/{SOURCE}").content


def test_an_editor_withholds_a_name_from_the_item_page(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    response = client.post(
        f"/items/{ITEM}/withheld", data={"csrf_token": csrf, "name": NAME}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/items/{ITEM}#withheld"
    page = client.get(f"/items/{ITEM}").text
    assert NAME in page and "Show it again" in page
    assert NAME.encode() not in TestClient(client.app).get(f"/sources/{SOURCE}").content
