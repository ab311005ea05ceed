"""Right of reply through the API: an actor's answer is an event of the item's history (type
`reply`), in the change feed, the Atom feed and the item's `replies`; refused without a token, to
a viewer, without text or from an unknown actor."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree as ET

import pytest

ALLEGATION = "ipcc-allegation-naked-images-group-offending"
REPLY_SOURCE = "rotherham-cse-live-updates-pcc"
# South Yorkshire Police's own words in source 000, as a reply to the allegations about it.
REPLY_QUOTE = (
    "There has been a high level of scrutiny around the way South Yorkshire Police has handled "
    "child sexual exploitation in the past and we completely understand and accept this needs "
    "to take place."
)


def _reply(**overrides) -> dict:
    body = {
        "by": "south-yorkshire-police",
        "text": "The force accepts the scrutiny and says it is cooperating with the IPCC.",
        "url": "https://example.org/syp-statement",
        "source": REPLY_SOURCE,
        "quote": REPLY_QUOTE,
        "occurred_on": "2015-03-03",
    }
    body.update(overrides)
    return body


def test_a_reply_is_recorded_in_the_history_feed_and_item(client, editor_headers) -> None:
    before = client.get(f"/api/v1/items/{ALLEGATION}").json()
    assert before["replies"] == []
    last_id = client.get("/api/v1/changes", params={"limit": 1000}).json()["last_id"]
    response = client.post(
        f"/api/v1/items/{ALLEGATION}/replies", json=_reply(), headers=editor_headers
    )
    assert response.status_code == 201, response.text
    reply = response.json()
    assert response.headers["location"] == f"/api/v1/items/{ALLEGATION}#reply-{reply['id']}"
    assert reply == {
        "id": reply["id"],
        "by": {"slug": "south-yorkshire-police", "name": "South Yorkshire Police"},
        "text": "The force accepts the scrutiny and says it is cooperating with the IPCC.",
        "url": "https://example.org/syp-statement",
        "source": {
            "slug": REPLY_SOURCE,
            "title": "Live updates: PCC: Rotherham 'desperately' needs to turn a corner",
        },
        "quote": REPLY_QUOTE,
        "occurred_on": "2015-03-03",
        "at": reply["at"],
        "recorded_by": "editor",
    }
    item = client.get(f"/api/v1/items/{ALLEGATION}").json()
    assert item["replies"] == [reply]
    assert item["version"] == before["version"] + 1
    assert item["status"] == before["status"]  # a reply is not a finding: the status stays
    event = item["history"][-1]
    assert (event["id"], event["type"], event["version"]) == (reply["id"], "reply", 2)
    assert event["actor"] == reply["by"] and event["source"] == reply["source"]
    assert (event["note"], event["evidence_quote"], event["occurred_on"]) == (
        reply["text"],
        REPLY_QUOTE,
        "2015-03-03",
    )
    assert (before["reply_count"], item["reply_count"]) == (0, 1)
    listed = client.get("/api/v1/items", params={"kind": "allegation", "limit": 200}).json()
    assert next(i for i in listed["items"] if i["slug"] == ALLEGATION)["reply_count"] == 1
    rows = csv.DictReader(io.StringIO(client.get("/api/v1/items.csv").text.lstrip("\ufeff")))
    counts = {row["slug"]: row["reply_count"] for row in rows}
    assert counts[ALLEGATION] == "1" and counts["pcc-62-additional-cse-staff"] == "0"
    feed = client.get("/api/v1/changes", params={"after": last_id}).json()["events"]
    assert [(e["id"], e["type"]) for e in feed] == [(reply["id"], "reply")]
    atom = ET.fromstring(client.get("/feed.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    newest = atom.find("a:entry", ns)
    assert newest is not None
    assert newest.findtext("a:title", namespaces=ns) == (
        f"{item['title']}: reply from South Yorkshire Police"
    )
    assert reply["text"] in (newest.findtext("a:summary", namespaces=ns) or "")


def test_a_reply_needs_only_who_and_what(client, editor_headers) -> None:
    response = client.post(
        "/api/v1/items/pcc-62-additional-cse-staff/replies",
        json={"by": "alan-billings", "text": "Forty of the posts are filled."},
        headers=editor_headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["url"], body["source"], body["quote"], body["occurred_on"]) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"by": "nobody"}, "by"),
        ({"by": ""}, "by"),
        ({"source": "nowhere"}, "source"),
        ({"quote": "words nobody wrote"}, "quote"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"occurred_on": "last week"}, "occurred_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_replies_are_refused_naming_the_field(client, editor_headers, overrides, field):
    response = client.post(
        f"/api/v1/items/{ALLEGATION}/replies", json=_reply(**overrides), headers=editor_headers
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    item = client.get(f"/api/v1/items/{ALLEGATION}").json()
    assert (item["replies"], item["version"]) == ([], 1)


def test_replies_need_an_editor(client, make_user) -> None:
    path = f"/api/v1/items/{ALLEGATION}/replies"
    anonymous = client.post(path, json=_reply())
    assert anonymous.status_code == 401
    assert anonymous.json()["title"] == "Unauthorized"
    viewer = {"Authorization": f"Bearer {make_user('reader', 'viewer')}"}
    refused = client.post(path, json=_reply(), headers=viewer)
    assert refused.status_code == 403 and refused.json()["title"] == "Forbidden"
    missing = client.post(
        "/api/v1/items/no-such-item/replies",
        json=_reply(),
        headers={"Authorization": f"Bearer {make_user()}"},
    )
    assert missing.status_code == 404
    assert client.get(f"/api/v1/items/{ALLEGATION}").json()["replies"] == []
