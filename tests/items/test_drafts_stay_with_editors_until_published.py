"""A draft is for editors only: absent from every public channel (its page, the list, the counts,
search, the CSV, the Atom feed, the change feed, actors' scorecards, sources' highlights and
suggestions, other items' links) until it is published; it can be deleted, and nothing published
can be. A retracted item leaves the counts and the lists but keeps its page and history."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.accounts import sign_in
from tests.support.pages import html
from tests.support.seed import ACTOR, ITEM, QUOTE, SOURCE

TITLE = "Helpline for survivors to open in the spring"


def _draft(client, headers, **fields: Any) -> dict[str, Any]:
    body = {"kind": "commitment", "title": TITLE, "actor": ACTOR, "source": SOURCE,
            "quote": QUOTE, "publication": "draft", **fields}  # fmt: skip
    response = client.post("/api/v1/items", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["publication"] == "draft"
    return response.json()


def _public_channels(public: TestClient, slug: str) -> dict[str, bool]:
    """Where the public could learn of the item: True where it shows."""
    items = public.get("/api/v1/items", params={"limit": 200}).json()
    found = {
        "page": public.get(f"/items/{slug}").status_code == 200,
        "json": public.get(f"/api/v1/items/{slug}").status_code == 200,
        "history": public.get(f"/api/v1/items/{slug}/history").status_code == 200,
        "list": slug in [i["slug"] for i in items["items"]],
        "search": slug in [i["slug"] for i in
                           public.get("/api/v1/items", params={"q": "helpline"}).json()["items"]],
        "csv": slug in public.get("/api/v1/items.csv").text,
        "atom": slug in public.get("/feed.atom").text,
        "changes": slug in public.get("/api/v1/changes", params={"limit": 1000}).text,
        "dashboard": slug in public.get("/").text,
        "source page": slug in public.get(f"/sources/{SOURCE}").text,
        "source json": slug in public.get(f"/api/v1/sources/{SOURCE}").text,
        "suggestions": slug in public.get(f"/api/v1/sources/{SOURCE}/candidates").text,
        "actor page": slug in public.get(f"/actors/{ACTOR}").text,
        "links": slug in public.get(f"/api/v1/items/{ITEM}").text,
    }  # fmt: skip
    return found


def _counts(public: TestClient) -> tuple[int, int, int]:
    summary = public.get("/api/v1/summary").json()
    scorecard = public.get(f"/api/v1/actors/{ACTOR}").json()["scorecard"]["commitment"]
    listed = public.get("/api/v1/items", params={"kind": "commitment"}).json()["total"]
    return summary["kinds"]["commitment"]["total"], scorecard["total"], listed


def test_a_draft_is_in_no_public_channel_until_it_is_published(client, editor_headers) -> None:
    public = TestClient(client.app)
    before = _counts(public)
    draft = _draft(client, editor_headers)
    slug = draft["slug"]
    response = client.post(f"/api/v1/items/{ITEM}/links",
                           json={"relation": "related", "target": slug},
                           headers=editor_headers)  # fmt: skip
    assert response.status_code == 201, response.text
    shown = _public_channels(public, slug)
    assert not any(shown.values()), {k: v for k, v in shown.items() if v}
    assert _counts(public) == before
    # Editors see it: its page with the banner, the JSON, and the list of drafts.
    editor = TestClient(client.app)
    sign_in(editor)
    page = html(editor.get(f"/items/{slug}"))
    assert page.select_one("#draft-heading").get_text() == "Draft: only editors can see it"
    assert client.get(f"/api/v1/items/{slug}", headers=editor_headers).status_code == 200
    drafts = client.get("/api/v1/items", params={"publication": "draft"}, headers=editor_headers)
    assert [i["slug"] for i in drafts.json()["items"]] == [slug]
    assert public.get("/api/v1/items", params={"publication": "draft"}).status_code == 401
    # The CSV takes the same filters: the editor's export of the drafts holds it, and neither
    # the public nor a viewer can ask for it (nor be given the editor's copy).
    export = client.get(
        "/api/v1/items.csv", params={"publication": "draft"}, headers=editor_headers
    )
    assert export.status_code == 200 and slug in export.text
    for asked in (
        public.get("/api/v1/items.csv", params={"publication": "draft"}),
        public.get(
            "/api/v1/items.csv",
            params={"publication": "draft"},
            headers={"If-None-Match": export.headers["etag"]},
        ),
    ):
        assert asked.status_code == 401 and slug not in asked.text  # fmt: skip

    published = client.post(f"/api/v1/items/{slug}/publish", headers=editor_headers)
    assert published.status_code == 200, published.text
    assert published.json()["publication"] == "published"
    shown = _public_channels(public, slug)
    assert all(shown[k] for k in ("page", "json", "list", "search", "csv", "atom", "changes"))
    assert _counts(public) == tuple(n + 1 for n in before)
    history = public.get(f"/api/v1/items/{slug}").json()["history"]
    assert [e["type"] for e in history] == ["created", "published"]
    again = client.post(f"/api/v1/items/{slug}/publish", headers=editor_headers)
    assert again.status_code == 409


def test_a_draft_can_be_deleted_and_nothing_published_can(client, editor_headers) -> None:
    draft = _draft(client, editor_headers)
    assert client.delete(f"/api/v1/items/{draft['slug']}").status_code == 401
    deleted = client.delete(f"/api/v1/items/{draft['slug']}", headers=editor_headers)
    assert deleted.status_code == 204
    assert client.get(f"/api/v1/items/{draft['slug']}", headers=editor_headers).status_code == 404
    refused = client.delete(f"/api/v1/items/{ITEM}", headers=editor_headers)
    assert refused.status_code == 409
    assert client.get(f"/api/v1/items/{ITEM}").status_code == 200


def test_a_retracted_item_leaves_the_counts_and_lists_but_keeps_its_page(
    client, editor_headers
) -> None:
    public = TestClient(client.app)
    before = _counts(public)
    refused = client.post(f"/api/v1/items/{ITEM}/retract", json={"reason": " "},
                          headers=editor_headers)  # fmt: skip
    assert refused.status_code == 422
    reason = "A misreading: the PCC described a plan under discussion, not a pledge."
    response = client.post(f"/api/v1/items/{ITEM}/retract", json={"reason": reason},
                           headers=editor_headers)  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["publication"] == "retracted"
    assert _counts(public) == tuple(n - 1 for n in before)
    listed = public.get("/api/v1/items", params={"limit": 200}).json()["items"]
    assert ITEM not in [i["slug"] for i in listed]
    found = public.get("/api/v1/items", params={"q": "additional staff"}).json()["items"]
    assert ITEM not in [i["slug"] for i in found]
    assert ITEM not in public.get("/api/v1/items.csv").text
    assert html(public.get("/")).select_one(f"table.items #row-{ITEM}") is None
    page = public.get(f"/items/{ITEM}")
    assert page.status_code == 200
    notice = html(page).select_one(".notice--retracted")
    assert reason in notice.get_text() and "Retracted on" in notice.get_text()
    # Its status is history, not a live badge.
    status_line = html(page).select_one(".item__status")
    assert status_line.get_text().startswith("Its status when it was retracted:")
    assert status_line.select(".badge") == []
    history = public.get(f"/api/v1/items/{ITEM}").json()["history"]
    assert history[-1]["type"] == "retracted" and history[-1]["note"] == reason
    assert len(history) >= 2  # nothing of it lost
    status = client.post(f"/api/v1/items/{ITEM}/status", json={"status": "delivered",
                         "note": "n"}, headers=editor_headers)  # fmt: skip
    assert status.status_code == 409
    corrections = public.get("/api/v1/corrections").json()["corrections"]
    assert corrections[0]["type"] == "retracted" and corrections[0]["note"] == reason


def test_editors_find_the_drafts_on_the_dashboard_and_the_public_does_not(
    client, editor_headers
) -> None:
    draft = _draft(client, editor_headers)
    editor = TestClient(client.app)
    sign_in(editor)
    drafts = html(editor.get("/")).select_one("section.drafts")
    assert drafts is not None
    assert drafts.select_one("h2").get_text(strip=True) == "Drafts (1)"
    assert [a["href"] for a in drafts.select("li a")] == [f"/items/{draft['slug']}"]
    assert TITLE in drafts.get_text()
    public = html(TestClient(client.app).get("/"))
    assert public.select("section.drafts") == [] and TITLE not in public.get_text()
    # Published, it leaves the editors' list of drafts.
    assert client.post(f"/api/v1/items/{draft['slug']}/publish",
                       headers=editor_headers).status_code == 200  # fmt: skip
    assert html(editor.get("/")).select("section.drafts") == []
