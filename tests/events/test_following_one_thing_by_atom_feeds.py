"""Following one thing: an Atom feed per item, per actor and per filter of the dashboard, besides
the latest changes and the corrections. Every feed is valid Atom (feedparser reads it without
complaint), its ids are `tag:` URIs that stay when the host name changes, each entry says what
changed with its note, drafts are in none, and each page links its feed."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import pytest
from fastapi.testclient import TestClient

from tests.support.databases import reset_app_state
from tests.support.pages import html_page
from tests.support.seed import ACTOR, ITEM, QUOTE, SOURCE

AUTHORITY = "tracker.invalid,2026"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STATUS_NOTE = "Recruitment paused: the budget is frozen until April."
CORRECTION = "Correction: the staff were pledged, not yet hired."
REPLY = "Forty of the posts are filled; the rest follow in the spring."
FEEDS = (
    "/feed.atom",
    "/feed.atom?kind=commitment",
    "/feed.atom?kind=commitment&status=stalled",
    f"/feed.atom?actor={ACTOR}",
    f"/items/{ITEM}/feed.atom",
    f"/actors/{ACTOR}/feed.atom",
    "/corrections.atom",
)


def _changes(client: TestClient, headers: dict[str, str]) -> None:
    """A status change, a reply and a correction of ITEM, each with its note."""
    stalled = {"status": "stalled", "note": STATUS_NOTE}
    done = client.post(f"/api/v1/items/{ITEM}/status", json=stalled, headers=headers)
    assert done.status_code == 200, done.text
    reply = client.post(f"/api/v1/items/{ITEM}/replies",
                        json={"by": ACTOR, "text": REPLY}, headers=headers)  # fmt: skip
    assert reply.status_code == 201, reply.text
    version = client.get(f"/api/v1/items/{ITEM}").json()["version"]
    corrected = client.post(
        f"/api/v1/items/{ITEM}/corrections",
        json={"note": CORRECTION, "title": "62 additional staff for the CSE unit, pledged"},
        headers={**headers, "If-Match": f'"{version}"'},
    )
    assert corrected.status_code == 200, corrected.text


def _parsed(client: TestClient, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    return parsed


def test_every_feed_is_valid_atom_with_tag_ids_and_a_language(client, editor_headers) -> None:
    _changes(client, editor_headers)
    public = TestClient(client.app)
    feed_ids = set()
    for path in FEEDS:
        parsed = _parsed(public, path)
        assert parsed.version == "atom10", path
        assert parsed.feed.id.startswith(f"tag:{AUTHORITY}:"), (path, parsed.feed.id)
        feed_ids.add(parsed.feed.id)
        assert parsed.entries, path
        for entry in parsed.entries:
            assert entry.id.startswith(f"tag:{AUTHORITY}:event/"), (path, entry.id)
            assert entry.link.startswith("http://127.0.0.1:8000/items/"), (path, entry.link)
            assert entry.content[0].value, path
        root = ET.fromstring(public.get(path).content)
        assert root.get(XML_LANG) == "en-GB", path
    assert len(feed_ids) == len(FEEDS)  # each feed its own id
    item_feed = _parsed(public, f"/items/{ITEM}/feed.atom")
    assert item_feed.feed.title == "Changes: 62 additional staff for the CSE unit, pledged"
    assert item_feed.feed.link == f"http://127.0.0.1:8000/items/{ITEM}"
    assert {link.rel: link.href for link in item_feed.feed.links}["self"] == (
        f"http://127.0.0.1:8000/items/{ITEM}/feed.atom"
    )


def test_each_entry_says_what_changed_with_its_note(client, editor_headers) -> None:
    _changes(client, editor_headers)
    parsed = _parsed(TestClient(client.app), f"/items/{ITEM}/feed.atom")
    contents = [entry.content[0].value for entry in parsed.entries]
    # Newest first: the correction, the reply, the status change; then the item's own history.
    assert contents[0] == ("Corrected in public (title). The notice:\n" + CORRECTION)
    assert contents[1] == (
        "Dr Alan Billings, Police and Crime Commissioner for South Yorkshire replied:\n" + REPLY
    )
    assert contents[2] == f"Status changed from Pledged to Stalled.\n{STATUS_NOTE}"
    assert contents[-1].startswith("Recorded, with the status Pledged.")
    assert [entry.title for entry in parsed.entries[:3]] == [
        "62 additional staff for the CSE unit, pledged: corrected (title)",
        "62 additional staff for the CSE unit, pledged: reply from "
        "Dr Alan Billings, Police and Crime Commissioner for South Yorkshire",
        "62 additional staff for the CSE unit, pledged: Pledged → Stalled",
    ]
    corrections = _parsed(TestClient(client.app), "/corrections.atom")
    assert CORRECTION in corrections.entries[0].content[0].value


def test_entry_and_feed_ids_stay_when_the_host_name_changes(
    client, editor_headers, monkeypatch
) -> None:
    _changes(client, editor_headers)
    seen: dict[str, list[tuple[str, list[str], list[str]]]] = {}
    for base in ("http://127.0.0.1:8000", "https://tracker.example.org"):
        monkeypatch.setenv("TRACKER_BASE_URL", base)
        reset_app_state()
        from service.app import create_app

        with TestClient(create_app()) as moved:
            for path in FEEDS:
                parsed = _parsed(moved, path)
                links = [entry.link for entry in parsed.entries]
                assert all(link.startswith(f"{base}/items/") for link in links), path
                ids = [entry.id for entry in parsed.entries]
                seen.setdefault(path, []).append((parsed.feed.id, ids, links))
    for path, (before, after) in seen.items():
        assert before[0] == after[0], path
        assert before[1] == after[1], path
        assert before[2] != after[2], path


def test_the_filtered_feed_holds_only_what_it_names(client, editor_headers) -> None:
    _changes(client, editor_headers)
    public = TestClient(client.app)
    items = public.get("/api/v1/items", params={"limit": 200}).json()["items"]
    by_slug = {item["links"]["html"]: item for item in items}
    for query, check in (
        ("kind=allegation", lambda item: item["kind"] == "allegation"),
        ("kind=commitment&status=stalled",
         lambda item: (item["kind"], item["status"]) == ("commitment", "stalled")),
        (f"actor={ACTOR}", lambda item: item["actor"]["slug"] == ACTOR),
    ):  # fmt: skip
        parsed = _parsed(public, f"/feed.atom?{query}")
        assert parsed.entries, query
        for entry in parsed.entries:
            path = entry.link.removeprefix("http://127.0.0.1:8000")
            assert check(by_slug[path]), (query, entry.link)
    stalled = _parsed(public, "/feed.atom?kind=commitment&status=stalled")
    assert stalled.feed.title == "Changes: commitments, now Stalled"
    assert stalled.feed.link == "http://127.0.0.1:8000/?kind=commitment&status=stalled"
    assert stalled.feed.id == f"tag:{AUTHORITY}:changes?kind=commitment&status=stalled"


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("kind=promise", [("kind", "no kind 'promise': one of commitment, allegation, proposal")]),
        ("kind=allegation&status=delivered", [("status", "no status 'delivered' of a allegation")]),
        ("status=finished", [("status", "no status 'finished' of any kind")]),
        ("actor=nobody-at-all", [("actor", "no actor 'nobody-at-all'")]),
        # An empty kind or status is not "any": the API documents each as one of its codes.
        ("kind=", [("kind", "no kind '': one of commitment, allegation, proposal")]),
        ("status=", [("status", "no status '' of any kind")]),
    ],
)
def test_an_unknown_filter_is_a_problem_naming_it(client, query, errors) -> None:
    response = client.get(f"/feed.atom?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Invalid input"
    assert [(e["field"], e["message"]) for e in body["errors"]] == errors


def test_a_parameter_no_feed_takes_is_refused(client) -> None:
    for path in ("/feed.atom?kinds=allegation", f"/items/{ITEM}/feed.atom?since=2026-01-01",
                 f"/actors/{ACTOR}/feed.atom?kind=commitment"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 400, path
        assert response.json()["errors"][0]["message"] == "is not a query parameter of this route"


def test_a_draft_is_in_no_feed_and_its_feed_is_not_found(client, editor_headers) -> None:
    body = {"kind": "commitment", "title": "Helpline for survivors to open in the spring",
            "actor": ACTOR, "source": SOURCE, "quote": QUOTE, "publication": "draft"}  # fmt: skip
    draft = client.post("/api/v1/items", json=body, headers=editor_headers).json()
    public = TestClient(client.app)
    for path in (f"/items/{draft['slug']}/feed.atom", f"/items/{draft['id']}/feed.atom"):
        response = public.get(path)
        assert response.status_code == 404, path
        assert response.json()["title"] == "Not found"
    # Not for editors either: a feed is public, the same for everyone.
    assert client.get(f"/items/{draft['slug']}/feed.atom").status_code == 404
    for path in FEEDS:
        assert draft["slug"] not in public.get(path).text, path
        assert "Helpline" not in public.get(path).text, path


def test_an_old_slug_leads_to_the_items_feed(client, editor_headers) -> None:
    version = client.get(f"/api/v1/items/{ITEM}").json()["version"]
    renamed = client.patch(f"/api/v1/items/{ITEM}", json={"slug": "pcc-cse-staff"},
                           headers={**editor_headers, "If-Match": f'"{version}"'})  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    public = TestClient(client.app)
    moved = public.get(f"/items/{ITEM}/feed.atom", follow_redirects=False)
    assert moved.status_code == 301
    assert moved.headers["location"] == "/items/pcc-cse-staff/feed.atom"
    parsed = _parsed(public, "/items/pcc-cse-staff/feed.atom")
    assert parsed.feed.id.startswith(f"tag:{AUTHORITY}:item/")  # by its id: the slug may change


def test_a_repeat_request_is_answered_not_modified(client) -> None:
    for path in (f"/items/{ITEM}/feed.atom", f"/actors/{ACTOR}/feed.atom",
                 "/feed.atom?kind=commitment"):  # fmt: skip
        first = client.get(path)
        again = client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path


def _alternates(page: Any) -> dict[str, str]:
    return {
        link["type"]: link["href"]
        for link in page.select('head link[rel="alternate"]')
        if link.get("type") != "application/atom+xml" or link["href"] != "/feed.atom"
    }


def test_each_page_links_its_feed(client) -> None:
    page = html_page(client, f"/items/{ITEM}")
    assert _alternates(page)["application/atom+xml"] == f"/items/{ITEM}/feed.atom"
    follow = page.find("a", string="Follow: Atom feed")
    assert follow is not None and follow["href"] == f"/items/{ITEM}/feed.atom"
    page = html_page(client, f"/actors/{ACTOR}")
    assert _alternates(page)["application/atom+xml"] == f"/actors/{ACTOR}/feed.atom"
    follow = page.find("a", string="Follow: Atom feed")
    assert follow is not None and follow["href"] == f"/actors/{ACTOR}/feed.atom"
    page = html_page(client, "/?kind=commitment&status=stalled")
    wanted = "/feed.atom?kind=commitment&status=stalled"
    assert _alternates(page)["application/atom+xml"] == wanted
    follow = page.find("a", string="Follow: Atom feed")
    assert follow is not None and follow["href"] == wanted
    assert client.get(wanted).status_code == 200
