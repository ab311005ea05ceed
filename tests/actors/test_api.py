"""Adding and correcting actors through the API."""

from __future__ import annotations


def test_an_actor_is_added_with_its_aliases(client, editor_headers) -> None:
    response = client.post(
        "/api/v1/actors",
        json={
            "name": "Rotherham Metropolitan Borough Council",
            "kind": "council",
            "aliases": ["RMBC", "the council", "rmbc"],
        },
        headers=editor_headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == "/api/v1/actors/rotherham-metropolitan-borough-council"
    assert body == {
        "slug": "rotherham-metropolitan-borough-council",
        "name": "Rotherham Metropolitan Borough Council",
        "kind": "council",
        "aliases": ["RMBC", "the council"],
        "version": 1,
        "links": {
            "self": "/api/v1/actors/rotherham-metropolitan-borough-council",
            "html": "/actors/rotherham-metropolitan-borough-council",
        },
    }


def test_a_duplicate_name_or_slug_is_a_conflict(client, editor_headers) -> None:
    same_name = client.post(
        "/api/v1/actors", json={"name": "  ofsted ", "kind": "regulator"}, headers=editor_headers
    )
    assert same_name.status_code == 409 and same_name.json()["existing"] == "ofsted"
    same_slug = client.post(
        "/api/v1/actors",
        json={"name": "Office for Standards", "kind": "regulator", "slug": "ofsted"},
        headers=editor_headers,
    )
    assert same_slug.status_code == 409
    bad = client.post("/api/v1/actors", json={"name": "X", "kind": "club"}, headers=editor_headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"
    assert len(client.get("/api/v1/actors").json()["actors"]) == 7


def test_an_actor_is_corrected_under_if_match(client, editor_headers) -> None:
    path = "/api/v1/actors/ofsted"
    etag = client.get(path).headers["etag"]
    missing = client.patch(path, json={"aliases": ["the watchdog"]}, headers=editor_headers)
    assert missing.status_code == 428
    edited = client.patch(
        path, json={"aliases": ["the watchdog"]}, headers={**editor_headers, "If-Match": '"1"'}
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["aliases"], edited.json()["version"]) == (["the watchdog"], 2)
    # Everything that shows the actor has a new ETag.
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 200
    stale = client.patch(
        path, json={"name": "Ofsted (renamed)"}, headers={**editor_headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    renamed = client.patch(
        "/api/v1/actors/ipcc",
        json={"name": "Ofsted"},
        headers={**editor_headers, "If-Match": '"1"'},
    )
    assert renamed.status_code == 409
