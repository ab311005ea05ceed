"""A withheld name reaches neither a page of the change feed, nor its `next`, nor the `Link`
header of any list, nor the cursor a link carries, while a reader follows every page."""

from __future__ import annotations

import base64
import re

from tests.withheld.test_withheld_names_never_reach_the_public import (
    ITEM,
    NAME,
    _create,
    _withhold,
)

TRACES = re.compile(r"margaret|crofts", re.IGNORECASE)


def _follow(client, url: str) -> list[str]:
    """Every page from `url` on, by its Link header: each page's body and Link, and the cursor
    a link carries, decoded."""
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        link = response.headers.get("link", "")
        seen += [response.text, link]
        cursor = re.search(r"cursor=([A-Za-z0-9_-]+)", link)
        if cursor:
            seen.append(base64.urlsafe_b64decode(cursor[1] + "=" * (-len(cursor[1]) % 4)).decode())
        found = re.fullmatch(r'<([^>]+)>; rel="next"', link)
        url = found[1] if found else ""
    return seen


def test_no_page_link_or_cursor_holds_a_withheld_name(client, editor_headers) -> None:
    _withhold(client, editor_headers)
    quote = client.get(f"/api/v1/items/{ITEM}").json()["quote"]
    made = _create(client, editor_headers, title=f"{NAME} to lead the review", quote=quote)
    changed = client.post(f"/api/v1/items/{made['slug']}/status",
                          json={"status": "in_progress", "note": f"{NAME} has started."},
                          headers=editor_headers)  # fmt: skip
    assert changed.status_code == 200, changed.text
    public = type(client)(client.app)
    feed = _follow(public, "/api/v1/changes?limit=3")
    assert len(feed) > 20 and any("[name withheld]" in page for page in feed)
    listed = _follow(public, "/api/v1/items?sort=title&limit=2")
    assert any("cursor" in link for link in listed)
    for text in feed + listed:
        assert not TRACES.findall(text), text[:200]
