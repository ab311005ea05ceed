"""HTTP semantics at the edges: an item's ETag is a valid If-Match, the response cache keys on
the query as received, only ASCII digits name an id, and no control character gets in (or
breaks the Atom feed)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from tests.support.seed import ITEM


def test_the_etag_a_get_gives_is_the_if_match_a_patch_accepts(client, editor_headers) -> None:
    got = client.get(f"/api/v1/items/{ITEM}")
    etag = got.headers["etag"]
    edited = client.patch(
        f"/api/v1/items/{ITEM}",
        json={"title": "62 additional staff for the CSE unit (edited)"},
        headers={**editor_headers, "If-Match": etag},
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == got.json()["version"] + 1
    # The same ETag is now stale: a second edit made from it is refused, and changes nothing.
    stale = client.patch(
        f"/api/v1/items/{ITEM}",
        json={"title": "A title from a stale copy"},
        headers={**editor_headers, "If-Match": etag},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["current_version"] == edited.json()["version"]
    assert client.get(f"/api/v1/items/{ITEM}").json()["title"].endswith("(edited)")
    # The new ETag works, and so does the bare version.
    fresh = client.get(f"/api/v1/items/{ITEM}").headers["etag"]
    assert fresh != etag
    from_etag = client.patch(
        f"/api/v1/items/{ITEM}",
        json={"description": "edited from the new ETag"},
        headers={**editor_headers, "If-Match": fresh},
    )
    assert from_etag.status_code == 200, from_etag.text
    from_version = client.patch(
        f"/api/v1/items/{ITEM}",
        json={"description": "edited from the bare version"},
        headers={**editor_headers, "If-Match": f'"{from_etag.json()["version"]}"'},
    )
    assert from_version.status_code == 200, from_version.text


def test_an_item_etag_still_answers_304_and_changes_with_the_item(client, editor_headers) -> None:
    etag = client.get(f"/api/v1/items/{ITEM}").headers["etag"]
    again = client.get(f"/api/v1/items/{ITEM}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Recruiting"},
        headers=editor_headers,
    )
    changed = client.get(f"/api/v1/items/{ITEM}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_an_encoded_query_never_shares_a_cache_entry_with_the_pairs_it_spells(client) -> None:
    real = client.get("/api/v1/items?_=1&actor=south-yorkshire-police&kind=allegation")
    assert real.status_code == 200 and real.json()["total"] > 0
    # One parameter named "actor=...&kind": not a parameter of the list, refused.
    refused = client.get("/api/v1/items?actor%3Dsouth-yorkshire-police%26kind=allegation")
    assert refused.status_code == 400
    # One cache-busting parameter named "_=1&actor=...&kind" with the value "allegation":
    # ignored, so every item.
    crafted = client.get("/api/v1/items?_%3D1%26actor%3Dsouth-yorkshire-police%26kind=allegation")
    assert crafted.status_code == 200
    assert crafted.headers["etag"] != real.headers["etag"]
    assert crafted.json()["total"] == client.get("/api/v1/items").json()["total"]
    # And the real filter still answers with its own rows after the crafted request.
    assert (
        client.get("/api/v1/items?_=1&actor=south-yorkshire-police&kind=allegation").json()
        == real.json()
    )


@pytest.mark.parametrize("ref", ["%C2%B2", "%D9%A1%D9%A2", "%EF%BC%91"])
def test_only_ascii_digits_are_ids(client, editor_headers, ref) -> None:
    """Superscript two, Arabic-Indic twelve and a fullwidth one are digits to Python, but name
    no item here."""
    for path in (f"/api/v1/items/{ref}", f"/api/v1/items/{ref}/history"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
    page = client.get(f"/items/{ref}", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Not found" in page.text
    row = client.get(f"/items/{ref}/row", headers={"HX-Request": "true"})
    assert row.status_code == 404
    write = client.post(
        f"/api/v1/items/{ref}/status",
        json={"status": "in_progress", "note": "x"},
        headers=editor_headers,
    )
    assert write.status_code == 404


@pytest.mark.parametrize("character", ["\u000b", "\u001b", "\u0007", "\u0000"])
def test_control_characters_are_refused_in_every_text_field(
    client, editor_headers, character
) -> None:
    before = client.get("/api/v1/changes").json()["last_id"]
    note = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": f"bell{character}here"},
        headers=editor_headers,
    )
    assert note.status_code == 422
    assert [e["field"] for e in note.json()["errors"]] == ["note"]
    title = client.patch(
        f"/api/v1/items/{ITEM}",
        json={"title": f"Title{character}"},
        headers={**editor_headers, "If-Match": '"1"'},
    )
    assert title.status_code == 422
    assert [e["field"] for e in title.json()["errors"]] == ["title"]
    assert client.get("/api/v1/changes").json()["last_id"] == before
    # Tab, line feed and carriage return are text like any other.
    fine = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "line one\r\nline\ttwo"},
        headers=editor_headers,
    )
    assert fine.status_code == 200


def test_the_atom_feed_stays_well_formed_whatever_is_stored(client, editor_headers) -> None:
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "stored before the rule"},
        headers=editor_headers,
    )
    # A note that reached the database some other way (an old import, a manual fix).
    from service.db import write_session
    from service.events.models import Event

    with write_session() as session:
        session.execute(
            sa.update(Event)
            .where(Event.note == "stored before the rule")
            .values(note="escape \u001b[31m and bell \u0007")
        )
    feed = client.get("/feed.atom")
    assert feed.status_code == 200
    root = ET.fromstring(feed.content)
    summaries = [e.text or "" for e in root.iter("{http://www.w3.org/2005/Atom}summary")]
    assert any(s.startswith("escape \ufffd[31m and bell \ufffd") for s in summaries)


@pytest.mark.parametrize("character", ["\u202e", "\u202d", "\u202a"])
def test_bidirectional_overrides_are_refused_outside_verbatim_quotes(
    client, editor_headers, character
) -> None:
    before = client.get("/api/v1/changes").json()["last_id"]
    note = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "broken", "note": f"Status: {character}Delivered"},
        headers=editor_headers,
    )
    assert note.status_code == 422
    assert [e["field"] for e in note.json()["errors"]] == ["note"]
    assert f"U+{ord(character):04X}" in note.json()["errors"][0]["message"]
    actor = client.post(
        "/api/v1/actors",
        json={"slug": "mirror-council", "name": f"Mirror{character} Council", "kind": "council"},
        headers=editor_headers,
    )
    assert actor.status_code == 422
    assert [e["field"] for e in actor.json()["errors"]] == ["name"]
    # In a URL no bidirectional formatting character at all, isolates and marks included.
    for mark in (character, "\u2067", "\u200f"):
        url = client.post(
            f"/api/v1/items/{ITEM}/status",
            json={"status": "broken", "note": "n", "evidence_url": f"https://ex.org/{mark}fdp.a"},
            headers=editor_headers,
        )
        assert url.status_code == 422
        assert [e["field"] for e in url.json()["errors"]] == ["evidence_url"]
    assert client.get("/api/v1/changes").json()["last_id"] == before
    # Right-to-left text needs none of them; an isolate in a note is allowed, and an evidence
    # quote is kept as it was written.
    fine = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={
            "status": "in_progress",
            "note": "Quoted in Arabic: \u2067\u0645\u062c\u0644\u0633\u2069 (council).",
            "evidence_quote": f"as printed: {character}abc",
        },
        headers=editor_headers,
    )
    assert fine.status_code == 200, fine.text
    event = client.get(f"/api/v1/items/{ITEM}/history").json()["events"][-1]
    assert event["evidence_quote"] == f"as printed: {character}abc"
    assert "\u2067" in event["note"]
