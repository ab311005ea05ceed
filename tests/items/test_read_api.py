"""Reading items through the API: the list holds every seed item, and one item reads in full,
with its actor, source, quote, progress, links and history."""

from __future__ import annotations

import yaml

from service.config import PROJECT_ROOT

SEED = yaml.safe_load((PROJECT_ROOT / "seeds" / "items.yaml").read_text(encoding="utf-8"))


def test_list_holds_every_seed_item_with_a_verbatim_quote(client) -> None:
    response = client.get("/api/v1/items", params={"limit": 200})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == len(SEED["items"]) and body["next_cursor"] is None
    assert {i["slug"] for i in body["items"]} == {i["slug"] for i in SEED["items"]}
    # Quotes are checked against the stored source text, character for character.
    from service.db import read_session
    from service.sources import service as sources

    with read_session() as s:
        for item in body["items"]:
            text = sources.get(s, slug=item["source"]["slug"]).text
            assert text[item["quote_start"] : item["quote_end"]] == item["quote"]


def test_the_62_staff_commitment_in_full(client) -> None:
    body = client.get("/api/v1/items/pcc-62-additional-cse-staff").json()
    history = body.pop("history")
    created_at = body.pop("created_at")
    assert body.pop("updated_at") == created_at
    item_id = body.pop("id")
    assert body == {
        "slug": "pcc-62-additional-cse-staff",
        "kind": "commitment",
        "title": "62 additional staff for the CSE unit",
        "description": "The PCC says this comes on top of other posts agreed the previous year.",
        "status": "pledged",
        "status_label": "Pledged",
        "phase": "open",
        "outcome": "pending",
        "actor": {
            "slug": "alan-billings",
            "name": "Dr Alan Billings, Police and Crime Commissioner for South Yorkshire",
        },
        "responsible": {"slug": "south-yorkshire-police", "name": "South Yorkshire Police"},
        "quantity": {"value": 62, "unit": "staff"},
        "progress": None,
        "source": {
            "slug": "rotherham-cse-live-updates-pcc",
            "title": "Live updates: PCC: Rotherham 'desperately' needs to turn a corner",
        },
        "quote": "For South Yorkshire Police I have committed 62 additional staff to work in the "
        "unit that deals with child sexual exploitation.",
        "quote_start": 1046,
        "quote_end": 1172,
        "made_on": None,
        "due_on": None,
        "overdue": False,
        "version": 1,
        "reply_count": 0,
        "publication": "published",
        "links": {
            "self": "/api/v1/items/pcc-62-additional-cse-staff",
            "html": "/items/pcc-62-additional-cse-staff",
        },
        "replies": [],
        "parent": None,
        "children": [],
        "rollup": None,
        "related": [
            {
                "slug": "pcc-asks-government-to-fund-cse-posts",
                "kind": "proposal",
                "title": "Government to fund the 62 additional CSE posts",
                "status": "proposed",
                "status_label": "Proposed",
                "phase": "open",
                "outcome": "pending",
                "links": {
                    "self": "/api/v1/items/pcc-asks-government-to-fund-cse-posts",
                    "html": "/items/pcc-asks-government-to-fund-cse-posts",
                },
            }
        ],
        "follows_from": [],
        "followed_by": [],
    }
    assert [(e["type"], e["to_status"], e["version"], e["by"]) for e in history] == [
        ("created", "pledged", 1, None)
    ]
    # The same item by its id.
    by_id = client.get(f"/api/v1/items/{item_id}").json()
    assert by_id["slug"] == "pcc-62-additional-cse-staff"


def test_unknown_item_is_a_problem(client) -> None:
    response = client.get("/api/v1/items/no-such-item")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No item no-such-item.",
        "instance": "/api/v1/items/no-such-item",
        "request_id": response.headers["X-Request-ID"],
    }
