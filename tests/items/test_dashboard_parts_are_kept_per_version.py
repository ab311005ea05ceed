"""The dashboard's parts kept per data version (service/delivery/store.py): the headlines, the
latest changes, the actors, the summary's facts and the withheld names are computed once per
version and reused by every search; a write is seen by the very next page; a part rendered for an
editor is never handed to the public; and a page holds one database connection, not two."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from service.items import dashboard
from tests.support.accounts import sign_in
from tests.support.pages import html
from tests.support.seed import ACTOR, ITEM, SOURCE

# A private person's name, put into the title of ITEM (a commitment with a target, so it is in
# the headlines, and the newest change, so it is in the latest changes) and then withheld.
NAME = "Margaret Crofts"
PLACEHOLDER = "[name withheld]"


def _words(node) -> str:
    return " ".join(node.get_text().split())


def _target(page, slug: str):
    for li in page.select(".targets li"):
        if li.select_one(f"a[href='/items/{slug}']"):
            return li
    raise AssertionError(f"{slug} is not among the commitments with a target")


def _delivered(page) -> str:
    card = page.select("#summary .card")[0]
    return next(
        _words(li) for li in card.select(".outcome__legend li") if "delivered" in _words(li)
    )


@pytest.fixture
def headlines_made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry each time the dashboard reads its headlines from the database."""
    made: list[int] = []
    real = dashboard._headlines

    def counted(session):  # type: ignore[no-untyped-def]
        made.append(1)
        return real(session)

    monkeypatch.setattr(dashboard, "_headlines", counted)
    return made


def test_searches_at_one_version_share_the_parts_and_a_write_is_seen_next(
    client, editor_headers, headlines_made
) -> None:
    # The headlines lead the front page in any order (with a filter they step aside).
    first = html(client.get("/", params={"sort": "title"}))
    assert "Pledged" in _words(_target(first, ITEM))
    computed = len(headlines_made)
    # Another search, another page, another filter, another order: nothing is computed again.
    for params in (
        {"q": "staff"}, {"q": "north pol", "kind": "allegation"}, {"q": "zzzq"},
        {"sort": "due_on"}, {},
    ):  # fmt: skip
        assert client.get("/", params=params).status_code == 200
    assert len(headlines_made) == computed
    before = html(client.get("/"))

    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "delivered", "note": "All 62 in post."},
        headers=editor_headers,
    )
    assert response.status_code == 200, response.text
    title = response.json()["title"]

    after = html(client.get("/", params={"sort": "title"}))
    assert len(headlines_made) > computed
    # The headlines, the latest changes and the summary are those of the new version.
    assert "Delivered" in _words(_target(after, ITEM))
    newest = _words(after.select("#latest li")[0])
    assert newest.startswith(f"{title}: Pledged → to Delivered")
    page = html(client.get("/"))
    assert int(_delivered(page).split()[0]) == int(_delivered(before).split()[0]) + 1
    # htmx's reload of the latest changes, as the page asks for it after a change.
    latest = client.get(
        "/", params={"q": "x"}, headers={"HX-Request": "true", "HX-Target": "latest"}
    )
    assert _words(html(latest).select("#latest li")[0]).startswith(f"{title}: Pledged")


def test_a_public_viewer_never_gets_a_part_rendered_for_an_editor(
    client, editor_headers, headlines_made
) -> None:
    current = client.get(f"/api/v1/items/{ITEM}").json()
    response = client.patch(
        f"/api/v1/items/{ITEM}",
        json={"title": f"{current['title']} (asked by {NAME})"},
        headers={**editor_headers, "If-Match": f'"{current["version"]}"'},
    )
    assert response.status_code == 200, response.text
    response = client.post(
        f"/api/v1/items/{ITEM}/withheld-names", json={"name": NAME}, headers=editor_headers
    )
    assert response.status_code == 201, response.text

    editor = TestClient(client.app)
    sign_in(editor)
    page = html(editor.get("/", params={"sort": "title"}))
    # The editor's parts hold the name: the headlines and the latest changes.
    assert NAME in _words(_target(page, ITEM))
    assert NAME in _words(page.select_one("#latest"))
    computed = len(headlines_made)

    public = TestClient(client.app)
    for params in ({"sort": "title"}, {"q": "staff"}, {}):
        response = public.get("/", params=params)
        assert response.status_code == 200
        assert NAME not in response.text, params
        page = html(response)
        if "q" not in params:  # a search's page leads with its results, not the headlines
            assert PLACEHOLDER in _words(_target(page, ITEM))
        assert PLACEHOLDER in _words(page.select_one("#latest"))
    # The public's parts were made for the public, not taken from the editor's.
    assert len(headlines_made) > computed
    latest = public.get("/", headers={"HX-Request": "true", "HX-Target": "latest"})
    assert NAME not in latest.text and PLACEHOLDER in latest.text
    # ... and the editor still sees the name at the same version.
    assert NAME in editor.get("/", params={"q": "officers"}).text


# Pages built in a request's session and masked for the public.
PAGES = (
    "/?q=staff",
    "/?q=police&kind=allegation",
    "/",
    f"/items/{ITEM}",
    f"/actors/{ACTOR}",
    "/actors",
    f"/sources/{SOURCE}",
    "/sources",
)


def test_a_page_masked_for_the_public_holds_one_connection(client, editor_headers) -> None:
    """The masking reads the withheld names in the request's own session: a second pooled
    connection per page exhausted the pool under concurrent searches."""
    from service.db import get_engine

    response = client.post(
        f"/api/v1/items/{ITEM}/withheld-names",
        json={"name": "Alan Billings"},
        headers=editor_headers,
    )
    assert response.status_code == 201, response.text
    # The actor's slug held the name: it was changed with it.
    actor = client.get(f"/api/v1/items/{ITEM}").json()["actor"]["slug"]
    assert actor != ACTOR
    engine = get_engine()
    most = 0

    def on_checkout(*_args) -> None:
        nonlocal most
        most = max(most, engine.pool.checkedout())

    sa.event.listen(engine, "checkout", on_checkout)
    try:
        for path in PAGES:
            response = client.get(path.replace(ACTOR, actor))
            assert response.status_code == 200, path
            assert "Alan Billings" not in response.text, path
    finally:
        sa.event.remove(engine, "checkout", on_checkout)
    assert most == 1


@pytest.mark.parametrize("role", ["editor", "public"])
def test_each_viewer_gets_the_filter_bar_of_every_actor(client, editor_headers, role) -> None:
    if role == "editor":
        sign_in(client)
    actors = [a["slug"] for a in client.get("/api/v1/actors").json()["actors"]]
    page = html(client.get("/", params={"q": "police"}))
    offered = [o["value"] for o in page.select("#filter-actor option") if o["value"]]
    assert sorted(offered) == sorted(actors)
