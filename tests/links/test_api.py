"""Links between items through the API: part_of makes a tree (one parent, no loops), related is
symmetric, and the item's JSON carries its parent, children (with their roll-up) and related
items. The seed data's links are the ones docs/SEED_DATA.md lists."""

from __future__ import annotations

import pytest

from tests.support.seed import ITEM

PARENT = "ipcc-investigation-of-10-syp-officers"
CHILD = "ipcc-allegation-naked-images-group-offending"
PROPOSALS = ("gov-extend-wilful-neglect-offence", "gov-prison-for-officials-who-fail-children")
FREE = "pcc-victims-and-survivors-panel"  # linked to nothing in the seed
OTHER = "pcc-work-with-rotherham-commissioner"  # nor this one
SPARE = "lga-assess-all-agencies"  # nor this one


def _link(client, headers, item, relation, target):
    return client.post(
        f"/api/v1/items/{item}/links",
        json={"relation": relation, "target": target},
        headers=headers,
    )


def _brief(client, slug):
    body = client.get(f"/api/v1/items/{slug}").json()
    return {k: body[k] for k in ("slug", "kind", "title", "status")}


def test_seed_parent_carries_its_children_and_their_rollup(client) -> None:
    body = client.get(f"/api/v1/items/{PARENT}").json()
    assert body["parent"] is None
    assert len(body["children"]) == 8
    assert {c["kind"] for c in body["children"]} == {"allegation"}
    naked = next(c for c in body["children"] if c["slug"] == CHILD)
    assert naked == {
        "slug": CHILD,
        "kind": "allegation",
        "title": "Failure to investigate naked images of a girl and possible group offending",
        "status": "under_investigation",
        "status_label": "Under investigation",
        "phase": "active",
        "outcome": "pending",
        "links": {"self": f"/api/v1/items/{CHILD}", "html": f"/items/{CHILD}"},
    }
    assert body["rollup"] == {
        "total": 8,
        "by_status": {"under_investigation": 8},
        "by_outcome": {"pending": 8},
    }
    assert [r["slug"] for r in body["related"]] == [  # by title
        "syp-14-officers-under-investigation",
        "syp-cooperate-with-ipcc-investigation",
    ]
    child = client.get(f"/api/v1/items/{CHILD}").json()
    assert child["parent"]["slug"] == PARENT
    assert (child["children"], child["rollup"], child["related"]) == ([], None, [])


def test_seed_related_links_read_the_same_from_either_end(client) -> None:
    staff = client.get(f"/api/v1/items/{ITEM}").json()
    assert [r["slug"] for r in staff["related"]] == ["pcc-asks-government-to-fund-cse-posts"]
    asks = client.get("/api/v1/items/pcc-asks-government-to-fund-cse-posts").json()
    assert [r["slug"] for r in asks["related"]] == [ITEM]
    prison = client.get(f"/api/v1/items/{PROPOSALS[1]}").json()
    assert {r["slug"] for r in prison["related"]} == {
        PROPOSALS[0],
        "gov-unlimited-fines-for-failing-children",
    }


def test_part_of_links_and_rolls_up_then_delete_removes(client, editor_headers) -> None:
    response = _link(client, editor_headers, FREE, "part_of", OTHER)
    assert response.status_code == 201, response.text
    link = f"/api/v1/items/{FREE}/links/part_of/{OTHER}"
    assert response.headers["location"] == link
    assert response.json() == {
        "relation": "part_of",
        "item": {
            **_brief(client, FREE),
            "status_label": "Delivered",
            "phase": "resolved",
            "outcome": "positive",
            "links": {"self": f"/api/v1/items/{FREE}", "html": f"/items/{FREE}"},
        },
        "target": {
            **_brief(client, OTHER),
            "status_label": "Pledged",
            "phase": "open",
            "outcome": "pending",
            "links": {"self": f"/api/v1/items/{OTHER}", "html": f"/items/{OTHER}"},
        },
        "links": {"self": link, "html": f"/items/{FREE}#links"},
    }
    parent = client.get(f"/api/v1/items/{OTHER}").json()
    assert [c["slug"] for c in parent["children"]] == [FREE]
    assert parent["rollup"] == {
        "total": 1,
        "by_status": {"delivered": 1},
        "by_outcome": {"positive": 1},
    }
    # A link changes no item's fields or version, and appends no event.
    assert parent["version"] == 1 and len(parent["history"]) == 1
    deleted = client.delete(link, headers=editor_headers)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert client.get(f"/api/v1/items/{OTHER}").json()["children"] == []
    again = client.delete(link, headers=editor_headers)
    assert again.status_code == 404
    assert again.json()["detail"] == f"{FREE} has no part_of link to {OTHER}."


def test_a_loop_is_refused_naming_it(client, editor_headers) -> None:
    assert _link(client, editor_headers, FREE, "part_of", OTHER).status_code == 201
    assert _link(client, editor_headers, OTHER, "part_of", SPARE).status_code == 201
    response = _link(client, editor_headers, SPARE, "part_of", FREE)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    loop = [SPARE, FREE, OTHER, SPARE]
    assert body["loop"] == loop
    assert body["detail"] == f"That link would make a loop: {' → '.join(loop)}."
    assert client.get(f"/api/v1/items/{SPARE}").json()["parent"] is None


def test_one_parent_each_and_no_duplicates(client, editor_headers) -> None:
    response = _link(client, editor_headers, CHILD, "part_of", OTHER)
    assert response.status_code == 409
    assert response.json()["parent"] == PARENT
    assert "already part of" in response.json()["detail"]
    assert _link(client, editor_headers, FREE, "related", OTHER).status_code == 201
    # related is symmetric: the same link from the other end is a duplicate.
    duplicate = _link(client, editor_headers, OTHER, "related", FREE)
    assert duplicate.status_code == 409
    assert duplicate.json()["detail"] == f"{OTHER} already is related to {FREE}."
    # and it can be removed from either end
    removed = client.delete(f"/api/v1/items/{OTHER}/links/related/{FREE}", headers=editor_headers)
    assert removed.status_code == 204
    assert client.get(f"/api/v1/items/{FREE}").json()["related"] == []


def test_follows_from_reads_both_ways_and_may_not_loop(client, editor_headers) -> None:
    assert _link(client, editor_headers, FREE, "follows_from", OTHER).status_code == 201
    assert [i["slug"] for i in client.get(f"/api/v1/items/{FREE}").json()["follows_from"]] == [
        OTHER
    ]
    assert [i["slug"] for i in client.get(f"/api/v1/items/{OTHER}").json()["followed_by"]] == [FREE]
    back = _link(client, editor_headers, OTHER, "follows_from", FREE)
    assert back.status_code == 409 and back.json()["loop"] == [OTHER, FREE, OTHER]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"relation": "part_of", "target": "no-such-item"}, "target"),
        ({"relation": "part_of", "target": FREE}, "target"),
        ({"relation": "parent_of", "target": OTHER}, "relation"),
        ({"relation": "related"}, "target"),
        ({"relation": "related", "target": ""}, "target"),
        ({"relation": "related", "target": OTHER, "note": "x"}, "note"),
    ],
)
def test_bad_links_are_refused_naming_the_field(client, editor_headers, body, field) -> None:
    response = client.post(f"/api/v1/items/{FREE}/links", json=body, headers=editor_headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert client.get(f"/api/v1/items/{FREE}").json()["related"] == []


def test_unknown_item_or_relation_in_the_path(client, editor_headers) -> None:
    missing = _link(client, editor_headers, "no-such-item", "related", FREE)
    assert missing.status_code == 404 and missing.json()["detail"] == "No item no-such-item."
    wrong = client.delete(f"/api/v1/items/{FREE}/links/parent_of/{OTHER}", headers=editor_headers)
    assert wrong.status_code == 422


def test_link_writes_need_an_editor(client, make_user) -> None:
    body = {"relation": "related", "target": OTHER}
    anonymous = client.post(f"/api/v1/items/{FREE}/links", json=body)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    viewer = {"Authorization": f"Bearer {make_user('reader', 'viewer')}"}
    refused = client.post(f"/api/v1/items/{FREE}/links", json=body, headers=viewer)
    assert refused.status_code == 403 and refused.json()["title"] == "Forbidden"
    delete = f"/api/v1/items/{CHILD}/links/part_of/{PARENT}"
    assert client.delete(delete).status_code == 401
    assert client.delete(delete, headers=viewer).status_code == 403
    assert client.get(f"/api/v1/items/{CHILD}").json()["parent"]["slug"] == PARENT
    assert client.get(f"/api/v1/items/{FREE}").json()["related"] == []


def test_a_cached_item_changes_after_a_link_write(client, editor_headers) -> None:
    first = client.get(f"/api/v1/items/{OTHER}")
    etag = first.headers["etag"]
    assert client.get(f"/api/v1/items/{OTHER}", headers={"If-None-Match": etag}).status_code == 304
    assert client.get(f"/api/v1/items/{OTHER}").json()["children"] == []  # served from the cache
    assert _link(client, editor_headers, FREE, "part_of", OTHER).status_code == 201
    after = client.get(f"/api/v1/items/{OTHER}", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert [c["slug"] for c in after.json()["children"]] == [FREE]
    etag2 = after.headers["etag"]
    # Removing it moves the version on again, never back to the first.
    client.delete(f"/api/v1/items/{FREE}/links/part_of/{OTHER}", headers=editor_headers)
    removed = client.get(f"/api/v1/items/{OTHER}", headers={"If-None-Match": etag2})
    assert removed.status_code == 200 and removed.json()["children"] == []
    # ... and a new link after that is seen too (ids are never reused).
    assert _link(client, editor_headers, SPARE, "part_of", OTHER).status_code == 201
    relinked = client.get(f"/api/v1/items/{OTHER}", headers={"If-None-Match": etag2})
    assert [c["slug"] for c in relinked.json()["children"]] == [SPARE]
