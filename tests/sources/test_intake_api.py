"""Archiving sources through the API: pasted text and uploads, duplicates, metadata edits under
If-Match, the original bytes, suggested claims and their dismissal."""

from __future__ import annotations

import hashlib

import pytest

from tests.support.seed import ITEM, SOURCE

ARTICLE = (
    "Council pledges to fix potholes\n\n"
    "Rotherham Council has pledged £450,000 to repair 1,200 potholes by the end of March.\n\n"
    "The council leader said the work would start next week.\n\n"
    "Residents say the roads are the worst they have seen.\n"
)


def _create(client, headers, **overrides):
    body = {"title": "Council pledges to fix potholes", "text": ARTICLE, **overrides}
    return client.post("/api/v1/sources", json=body, headers=headers)


def test_a_pasted_text_is_archived_with_its_hash(client, editor_headers) -> None:
    response = _create(
        client,
        editor_headers,
        publisher="Rotherham Advertiser",
        url="https://example.org/potholes",
        published_on="2015-03-01",
        published_precision="month",
        date_note="“last March”, in a later article",
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/sources/{body['slug']}"
    assert body["slug"] == "council-pledges-to-fix-potholes"
    assert body["text"] == ARTICLE
    assert body["sha256"] == hashlib.sha256(ARTICLE.encode()).hexdigest()
    assert (body["published_on"], body["published_precision"]) == ("2015-03-01", "month")
    assert body["items_tracked"] == 0 and body["original"] is None and body["version"] == 1
    listed = client.get("/api/v1/sources").json()["sources"]
    mine = next(s for s in listed if s["slug"] == body["slug"])
    assert mine["sha256"] == body["sha256"] and mine["items_tracked"] == 0
    seeded = next(s for s in listed if s["slug"] == SOURCE)
    assert seeded["items_tracked"] > 0


def test_the_same_text_again_is_a_conflict_naming_the_source(client, editor_headers) -> None:
    first = _create(client, editor_headers).json()
    again = _create(client, editor_headers, title="Another title")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["existing"] == first["slug"]
    assert len(client.get("/api/v1/sources").json()["sources"]) == 3


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   \n  "}, "text"),
        ({"title": ""}, "title"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "ftp://example.org/x"}, "url"),
        ({"text": "bell \u0007 inside"}, "text"),
        ({"published_precision": "week"}, "published_precision"),
        ({"published_precision": "month"}, "published_precision"),
        ({"text": "x" * 500_001}, "text"),
    ],
)
def test_bad_sources_are_refused_and_nothing_is_stored(
    client, editor_headers, overrides, field
) -> None:
    response = _create(client, editor_headers, **overrides)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert len(client.get("/api/v1/sources").json()["sources"]) == 2


def test_an_uploaded_html_page_keeps_its_main_text_and_its_bytes(client, editor_headers) -> None:
    page = (
        "<html><head><title>x</title><script>track()</script></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<div class='cookie-banner'>We use cookies. Accept all cookies?</div>"
        "<article><h1>Trust promises shorter waits</h1>"
        "<p>The hospital trust has promised to cut waiting lists for hip operations to 18 weeks "
        "by April, its chief executive told the board on Tuesday.</p>"
        "<p>The trust will recruit 40 more nurses and open a second theatre at the "
        "district hospital, according to the plan published this week.</p></article>"
        "<footer>© Example News 2015. All rights reserved.</footer></body></html>"
    ).encode()
    response = client.post(
        "/api/v1/sources",
        data={"title": "Trust promises shorter waits"},
        files={"file": ("waits.html", page, "text/html")},
        headers=editor_headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert "recruit 40 more nurses" in body["text"]
    for chrome in ("track()", "cookies", "All rights reserved", "News"):
        assert chrome not in body["text"]
    assert body["original"] == {
        "filename": "waits.html",
        "media_type": "text/html",
        "sha256": hashlib.sha256(page).hexdigest(),
        "size": len(page),
    }
    original = client.get(f"/api/v1/sources/{body['slug']}/original")
    assert original.status_code == 200 and original.content == page
    assert original.headers["x-content-sha256"] == hashlib.sha256(page).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("tool.exe", b"MZ\x90\x00", "application/octet-stream"),
        ("notes.txt", b"caf\xe9 latin-1", "text/plain"),
        ("empty.txt", b"", "text/plain"),
        ("chrome.html", b"<html><body><nav>Home</nav></body></html>", "text/html"),
    ],
)
def test_bad_uploads_are_refused(client, editor_headers, name, data, kind) -> None:
    response = client.post(
        "/api/v1/sources",
        data={"title": "An upload"},
        files={"file": (name, data, kind)},
        headers=editor_headers,
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["file"]
    assert len(client.get("/api/v1/sources").json()["sources"]) == 2


def test_metadata_is_corrected_under_if_match_and_the_text_never_changes(
    client, editor_headers
) -> None:
    created = _create(client, editor_headers).json()
    path = f"/api/v1/sources/{created['slug']}"
    etag_before = client.get(path).headers["etag"]
    missing = client.patch(path, json={"publisher": "Advertiser"}, headers=editor_headers)
    assert missing.status_code == 428
    edited = client.patch(
        path, json={"publisher": "Advertiser"}, headers={**editor_headers, "If-Match": '"1"'}
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["publisher"], edited.json()["version"]) == ("Advertiser", 2)
    stale = client.patch(
        path, json={"publisher": "Someone"}, headers={**editor_headers, "If-Match": '"1"'}
    )
    assert stale.status_code == 412 and stale.json()["current_version"] == 2
    text = client.patch(path, json={"text": "new"}, headers={**editor_headers, "If-Match": '"2"'})
    assert text.status_code == 422
    after = client.get(path, headers={"If-None-Match": etag_before})
    assert after.status_code == 200 and after.json()["text"] == ARTICLE


def test_writes_need_an_editor(client, make_user) -> None:
    viewer = {"Authorization": f"Bearer {make_user('viewer', 'viewer')}"}
    assert _create(client, {}).status_code == 401
    assert _create(client, viewer).status_code == 403
    assert client.post("/api/v1/actors", json={"name": "X", "kind": "other"}).status_code == 401


def test_suggestions_are_listed_with_their_state_and_can_be_dismissed(
    client, editor_headers
) -> None:
    slug = _create(client, editor_headers).json()["slug"]
    listed = client.get(f"/api/v1/sources/{slug}/candidates")
    assert listed.status_code == 200
    candidates = listed.json()["candidates"]
    pledge = next(c for c in candidates if "pledged £450,000" in c["quote"])
    assert pledge["kind"] == "commitment" and pledge["state"] == "new"
    assert pledge["quantity"] == {"value": 450000, "unit": "GBP"}
    text = client.get(f"/api/v1/sources/{slug}").json()["text"]
    assert text[pledge["quote_start"] : pledge["quote_end"]] == pledge["quote"]
    assert not any("worst they have seen" in c["quote"] for c in candidates)
    etag = listed.headers["etag"]
    dismissed = client.post(
        f"/api/v1/sources/{slug}/candidates/{pledge['id']}/dismiss", headers=editor_headers
    )
    assert dismissed.status_code == 200
    again = client.get(f"/api/v1/sources/{slug}/candidates", headers={"If-None-Match": etag})
    assert again.status_code == 200
    states = {c["id"]: c["state"] for c in again.json()["candidates"]}
    assert states[pledge["id"]] == "dismissed"
    unknown = client.post(f"/api/v1/sources/{slug}/candidates/1-2/dismiss", headers=editor_headers)
    assert unknown.status_code == 404


def test_a_tracked_quote_marks_its_suggestion_accepted(client, editor_headers) -> None:
    candidates = client.get(f"/api/v1/sources/{SOURCE}/candidates").json()["candidates"]
    accepted = [c for c in candidates if c["state"] == "accepted"]
    assert any(c["item"] == ITEM for c in accepted)
