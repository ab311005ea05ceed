"""Embeds: an item's card and an actor's scorecard card that any site may frame (and no other
page), an item's SVG status badge, oEmbed to find them, and the snippet on the item's page. Drafts
are not there; a retracted item's card says so; repeat requests cost a 304."""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from service.embeds import badge
from tests.support.pages import html, html_page
from tests.support.seed import ACTOR, ITEM, ITEM_WITHOUT_QUANTITY, QUOTE, SOURCE

BASE = "http://127.0.0.1:8000"
TITLE = "62 additional staff for the CSE unit"
SVG = "{http://www.w3.org/2000/svg}"
ITEM_QUOTE = (
    "For South Yorkshire Police I have committed 62 additional staff to work in the unit that "
    "deals with child sexual exploitation."
)


def _csp(response: Any) -> dict[str, str]:
    directives = (
        d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";")
    )
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _draft(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    body = {"kind": "commitment", "title": "Helpline for survivors to open in the spring",
            "actor": ACTOR, "source": SOURCE, "quote": QUOTE, "publication": "draft"}  # fmt: skip
    response = client.post("/api/v1/items", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_an_items_card_shows_what_a_reader_needs(client, editor_headers) -> None:
    done = client.post(f"/api/v1/items/{ITEM}/status", headers=editor_headers,
                       json={"status": "in_progress", "note": "40 posts filled.",
                             "progress_value": 40})  # fmt: skip
    assert done.status_code == 200, done.text
    public = TestClient(client.app)
    card = html_page(public, f"/items/{ITEM}/card")
    assert card.title is not None and card.title.get_text() == f"{TITLE} · Accountability tracker"
    main = card.select_one("main.embed")
    assert main is not None and "embed--pending" in main["class"]
    assert main.select_one(".embed__kind").get_text(strip=True) == "Commitment"
    assert main.select_one(".kind--commitment .kind__mark") is not None
    title = main.select_one("h1 a")
    assert title.get_text() == f"{TITLE} (opens in a new tab)"
    assert (title["href"], title["target"], title["rel"]) == (
        f"{BASE}/items/{ITEM}",
        "_blank",
        ["noopener"],
    )
    status = main.select_one(".embed__status .badge")
    assert status.get_text() == "In progress"
    assert status["class"] == ["badge", "badge--pending", "badge--active"]
    progress = main.select_one(".embed__progress progress")
    assert (progress["max"], progress["value"]) == ("62", "40")
    assert main.select_one(".embed__progress span").get_text() == "40 staff of 62 staff (64%)"
    assert main.select_one(".embed__quote").get_text() == f"“{ITEM_QUOTE}”"
    source = main.select_one(".embed__source a")
    assert source["href"] == f"{BASE}/sources/{SOURCE}" and source["target"] == "_blank"
    footer = main.select_one(".embed__footer")
    assert footer.select_one("time")["datetime"] == _today()
    assert footer.get_text(" ", strip=True).startswith("As of ")
    assert all(a["target"] == "_blank" for a in card.select("a"))
    # Self-contained: one stylesheet of this origin, no script.
    assert card.select("script") == []
    assert [link["href"].split("?")[0] for link in card.select('link[rel="stylesheet"]')] == [
        "/static/card.css"
    ]
    assert card.select_one('link[rel="canonical"]')["href"] == f"{BASE}/items/{ITEM}"


def test_a_card_without_a_target_has_no_progress_bar(client) -> None:
    card = html_page(client, f"/items/{ITEM_WITHOUT_QUANTITY}/card")
    assert card.select("progress") == []
    assert card.select_one(".embed__status .badge").get_text() == "Delivered"
    assert "embed--positive" in card.select_one("main")["class"]


def test_an_allegations_card_keeps_its_caveat(client) -> None:
    card = html_page(client, "/items/ipcc-allegation-naked-images-group-offending/card")
    assert card.select_one(".embed__note").get_text() == (
        "An allegation is not a finding until it is upheld."
    )


def test_an_actors_card_counts_its_items_by_outcome(client) -> None:
    scorecard = client.get(f"/api/v1/actors/{ACTOR}").json()["scorecard"]
    card = html_page(client, f"/actors/{ACTOR}/card")
    assert card.select_one("h1 a")["href"] == f"{BASE}/actors/{ACTOR}"
    totals = {
        section["aria-label"]: int(section.select_one(".embed__total").get_text())
        for section in card.select(".embed__kind-count")
    }
    assert totals == {
        "Commitments": scorecard["commitment"]["total"],
        "Allegations": scorecard["allegation"]["total"],
        "Proposals": scorecard["proposal"]["total"],
    }
    commitments = card.select_one('.embed__kind-count[aria-label="Commitments"]')
    counted = sum(int(li.strong.get_text()) for li in commitments.select(".embed__legend li"))
    assert counted == scorecard["commitment"]["total"] > 0


def test_only_the_cards_may_be_framed_by_any_site(client) -> None:
    for path in (f"/items/{ITEM}/card", f"/actors/{ACTOR}/card"):
        response = client.get(path)
        assert _csp(response)["frame-ancestors"] == "*", path
        assert "x-frame-options" not in response.headers, path
        assert _csp(response)["script-src"] == "'self'", path  # nothing else loosened
        again = client.get(path, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304, path
        assert _csp(again)["frame-ancestors"] == "*", path  # a 304 keeps the allowance
    for path in ("/", f"/items/{ITEM}", f"/actors/{ACTOR}", f"/items/{ITEM}/badge.svg",
                 f"/oembed?url={BASE}/items/{ITEM}", f"/items/{ITEM}/feed.atom",
                 f"/items/{ITEM}/cards", f"/items/{ITEM}/card/x"):  # fmt: skip
        response = client.get(path)
        assert _csp(response)["frame-ancestors"] == "'none'", path
        assert response.headers["x-frame-options"] == "DENY", path


def test_a_retracted_items_card_and_badge_say_retracted(client, editor_headers) -> None:
    reason = "A misreading: the PCC described a plan under discussion, not a pledge."
    done = client.post(f"/api/v1/items/{ITEM}/retract", json={"reason": reason},
                       headers=editor_headers)  # fmt: skip
    assert done.status_code == 200, done.text
    public = TestClient(client.app)
    card = html_page(public, f"/items/{ITEM}/card")
    assert card.select_one(".embed__status .badge").get_text() == "Retracted"
    assert "embed--retracted" in card.select_one("main")["class"]
    assert "retracted" in card.select_one(".embed__note").get_text()
    svg = ET.fromstring(public.get(f"/items/{ITEM}/badge.svg").content)
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["Commitment", "Retracted"]


def test_a_draft_has_no_card_badge_or_oembed(client, editor_headers) -> None:
    draft = _draft(client, editor_headers)
    public = TestClient(client.app)
    for path in (f"/items/{draft['slug']}/card", f"/items/{draft['slug']}/badge.svg",
                 f"/oembed?url={BASE}/items/{draft['slug']}"):  # fmt: skip
        for reader in (public, client):
            response = reader.get(path)
            assert response.status_code == 404, path
            assert response.json()["title"] == "Not found"


def test_the_badge_says_kind_and_status_on_its_outcomes_colour(client, editor_headers) -> None:
    response = client.get(f"/items/{ITEM_WITHOUT_QUANTITY}/badge.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml; charset=utf-8"
    svg = ET.fromstring(response.content)
    title = "Victims and survivors panel to improve policing: Commitment, Delivered"
    assert svg.findtext(f"{SVG}title") == title
    assert (svg.get("role"), svg.get("aria-label")) == ("img", title)
    assert [t.text for t in svg.iter(f"{SVG}text")] == ["Commitment", "Delivered"]
    fills = [rect.get("fill") for rect in svg.iter(f"{SVG}rect")]
    assert fills[:2] == [badge.KIND_FILL, badge.OUTCOME_FILLS["positive"]]
    # Cheap: the same data again is a 304, with no body.
    again = client.get(f"/items/{ITEM_WITHOUT_QUANTITY}/badge.svg",
                       headers={"If-None-Match": response.headers["etag"]})  # fmt: skip
    assert (again.status_code, again.content) == (304, b"")
    # A change of status changes the badge (and its ETag).
    done = client.post(f"/api/v1/items/{ITEM}/status", headers=editor_headers,
                       json={"status": "broken", "note": "The posts were cut."})  # fmt: skip
    assert done.status_code == 200, done.text
    broken = client.get(f"/items/{ITEM}/badge.svg")
    assert [t.text for t in ET.fromstring(broken.content).iter(f"{SVG}text")] == [
        "Commitment",
        "Broken",
    ]
    assert badge.OUTCOME_FILLS["negative"] in broken.text


@pytest.mark.parametrize("fill", [badge.KIND_FILL, *badge.OUTCOME_FILLS.values()])
def test_the_badges_text_reaches_a_contrast_of_4_5_to_1(fill: str) -> None:
    assert badge.contrast(fill, badge.TEXT_FILL) >= 4.5


def test_oembed_gives_the_iframe_of_a_pages_card(client) -> None:
    response = client.get("/oembed", params={"url": f"{BASE}/items/{ITEM}", "format": "json"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "version": "1.0",
        "type": "rich",
        "provider_name": "Accountability tracker",
        "provider_url": f"{BASE}/",
        "title": TITLE,
        "html": f'<iframe src="{BASE}/items/{ITEM}/card" width="400" height="360" '
        f'title="{TITLE}" loading="lazy" style="border:0;max-width:100%"></iframe>',
        "width": 400,
        "height": 360,
    }
    smaller = client.get("/oembed", params={"url": f"{BASE}/actors/{ACTOR}", "maxwidth": 320,
                                            "maxheight": 200}).json()  # fmt: skip
    assert (smaller["width"], smaller["height"]) == (320, 200)
    assert f'src="{BASE}/actors/{ACTOR}/card" width="320" height="200"' in smaller["html"]
    larger = client.get("/oembed", params={"url": f"{BASE}/items/{ITEM}/card", "maxwidth": 900})
    assert (larger.json()["width"], larger.json()["height"]) == (400, 360)
    again = client.get("/oembed", params={"url": f"{BASE}/items/{ITEM}", "format": "json"},
                       headers={"If-None-Match": response.headers["etag"]})  # fmt: skip
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("params", "status", "title"),
    [
        ({"url": f"{BASE}/items/{ITEM}", "format": "xml"}, 501, "Format not implemented"),
        ({"url": f"https://elsewhere.example/items/{ITEM}"}, 404, "Not found"),
        ({"url": f"{BASE}/sources/{SOURCE}"}, 404, "Not found"),
        ({"url": f"{BASE}/items/no-such-item"}, 404, "Not found"),
        ({"url": f"{BASE}/items/new"}, 404, "Not found"),
        ({"url": "javascript:alert(1)"}, 404, "Not found"),
        ({}, 422, "Invalid input"),
        ({"url": f"{BASE}/items/{ITEM}", "maxwidth": "0"}, 422, "Invalid input"),
        ({"url": f"{BASE}/items/{ITEM}", "callback": "f"}, 400, "Unknown query parameter"),
    ],
)
def test_oembed_refuses_what_it_cannot_embed(client, params, status, title) -> None:
    response = client.get("/oembed", params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert (response.json()["status"], response.json()["title"]) == (status, title)


def test_pages_offer_oembed_and_the_item_page_the_snippet(client) -> None:
    page = html_page(client, f"/items/{ITEM}")
    found = page.select_one('head link[rel="alternate"][type="application/json+oembed"]')
    assert found is not None and found["title"] == TITLE
    assert client.get(found["href"].removeprefix(BASE)).json()["title"] == TITLE
    details = page.select_one("details.follow__embed")
    assert details.summary.get_text() == "Embed"
    textarea = details.select_one("textarea")
    assert textarea.has_attr("readonly")
    assert details.select_one(f'label[for="{textarea["id"]}"]') is not None
    frame = BeautifulSoup(textarea.get_text(), "html.parser").iframe
    assert frame is not None
    assert (frame["src"], frame["title"], frame["width"], frame["height"]) == (
        f"{BASE}/items/{ITEM}/card",
        TITLE,
        "400",
        "360",
    )
    actor = html_page(client, f"/actors/{ACTOR}")
    found = actor.select_one('head link[rel="alternate"][type="application/json+oembed"]')
    assert found is not None
    assert (
        client.get(found["href"].removeprefix(BASE))
        .json()["html"]
        .startswith(f'<iframe src="{BASE}/actors/{ACTOR}/card"')
    )


def test_an_old_slug_leads_to_the_card(client, editor_headers) -> None:
    version = client.get(f"/api/v1/items/{ITEM}").json()["version"]
    renamed = client.patch(f"/api/v1/items/{ITEM}", json={"slug": "pcc-cse-staff"},
                           headers={**editor_headers, "If-Match": f'"{version}"'})  # fmt: skip
    assert renamed.status_code == 200, renamed.text
    for old, new in ((f"/items/{ITEM}/card", "/items/pcc-cse-staff/card"),
                     (f"/items/{ITEM}/badge.svg", "/items/pcc-cse-staff/badge.svg")):  # fmt: skip
        moved = client.get(old, follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (301, new)
    moved = client.get("/oembed", params={"url": f"{BASE}/items/{ITEM}"}).json()
    assert f'src="{BASE}/items/pcc-cse-staff/card"' in moved["html"]
    assert html(client.get("/items/pcc-cse-staff/card")).h1 is not None
