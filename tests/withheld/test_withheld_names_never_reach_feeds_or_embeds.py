"""A withheld name reaches no feed and no embed: the item's, the actor's and the filtered Atom
feeds, the corrections feed, an item's card and badge, an actor's card, the oEmbed answer (its
title and its iframe's), the snippet on the item's page and the CSV's absolute links, with the
name in an item's title, a status note, a reply, a correction and an actor's name."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

NAME = "Margaret Crofts"
PLACEHOLDER = "[name withheld]"
ITEM = "syp-60-extra-officers-edl-protest"  # its source (003) names her
ACTOR = "south-yorkshire-police"
TRACES = re.compile(r"margaret|crofts", re.IGNORECASE)
BASE = "http://127.0.0.1:8000"


def _version(client: TestClient, slug: str) -> str:
    return f'"{client.get(f"/api/v1/items/{slug}").json()["version"]}"'


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def test_no_feed_or_embed_shows_a_withheld_name(client, editor_headers) -> None:
    # The name in the title, a status note, a reply, a correction, and an actor's name.
    _ok(client.post(f"/api/v1/items/{ITEM}/status", headers=editor_headers,
                    json={"status": "in_progress", "note": f"Confirmed by {NAME}."}))  # fmt: skip
    _ok(client.post(f"/api/v1/items/{ITEM}/replies", headers=editor_headers,
                    json={"by": ACTOR, "text": f"{NAME} was told."}), 201)  # fmt: skip
    _ok(client.post(f"/api/v1/items/{ITEM}/corrections", headers={
        **editor_headers, "If-Match": _version(client, ITEM)},
        json={"note": f"Correction: {NAME} did not ask.",
              "title": f"{NAME} asks about 60 officers"}))  # fmt: skip
    actor = _ok(client.post("/api/v1/actors", headers=editor_headers,
                            json={"name": f"Office of {NAME}", "kind": "other"}), 201)  # fmt: skip
    _ok(client.post("/api/v1/items", headers=editor_headers, json={
        "kind": "commitment", "title": "Officers to be briefed", "actor": actor["slug"],
        "source": "rotherham-cse-live-updates-lga-ofsted",
        "quote": "the company had entered administration"}), 201)  # fmt: skip
    paths = [
        f"/items/{ITEM}/feed.atom",
        f"/actors/{ACTOR}/feed.atom",
        "/feed.atom",
        "/feed.atom?kind=commitment",
        f"/feed.atom?actor={ACTOR}",
        "/corrections.atom",
        f"/items/{ITEM}/card",
        f"/items/{ITEM}/badge.svg",
        f"/actors/{ACTOR}/card",
        f"/oembed?url={BASE}/items/{ITEM}",
        f"/items/{ITEM}",
        "/api/v1/items.csv",
    ]
    for path in (f"/items/{ITEM}/feed.atom", f"/items/{ITEM}/card", "/feed.atom"):
        assert TRACES.search(client.get(path).text), path  # before: there to be withheld
    _ok(client.post(f"/api/v1/items/{ITEM}/withheld-names", json={"name": NAME},
                    headers=editor_headers), 201)  # fmt: skip
    public = TestClient(client.app)
    # The actor's own slug holds the name: its routes are not there for the public.
    for path in (f"/actors/{actor['slug']}/feed.atom", f"/actors/{actor['slug']}/card"):
        assert public.get(path).status_code == 404, path
    for path in [*paths, f"/oembed?url={BASE}/actors/{ACTOR}"]:
        response = public.get(path)
        assert response.status_code == 200, (path, response.text[:200])
        assert TRACES.findall(response.text) == [], path
    card = public.get(f"/items/{ITEM}/card").text
    assert f"{PLACEHOLDER} asks about 60 officers" in card
    shown = public.get("/oembed", params={"url": f"{BASE}/items/{ITEM}"}).json()
    assert shown["title"] == f"{PLACEHOLDER} asks about 60 officers"
    assert f'title="{PLACEHOLDER} asks about 60 officers"' in shown["html"]
    feed = public.get(f"/items/{ITEM}/feed.atom").text
    assert f"Confirmed by {PLACEHOLDER}." in feed
    assert f"Correction: {PLACEHOLDER} did not ask." in feed
