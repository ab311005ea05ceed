"""Every page, signed out and signed in as an editor, passes axe-core's WCAG 2 A and AA rules:
the dashboard, an item, the sources and a source (with its suggested claims in every state for
the editor), the actors and an actor, the sign-in form, and the forms that add a source, an actor
or an item and edit an item, both blank and showing their errors; an allegation with no reply,
one answered and not upheld (with a name withheld), a parent with its parts, and the reply, link
and withheld-name forms showing their errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import articles
from tests.browser.axe import assert_accessible
from tests.browser.conftest import Tab, _open

pytestmark = pytest.mark.browser

COUNCIL = "marsham-district-council"
# Seed items: an allegation left as it is, one answered and not upheld, and their parent.
ALLEGATION = "ipcc-allegation-naked-images-group-offending"
ANSWERED = "ipcc-allegation-girl-in-car-indecent-photos"
PARENT = "ipcc-investigation-of-10-syp-officers"


@pytest.fixture(scope="module")
def made(server) -> dict[str, str]:
    """A source whose suggestions are tracked (the pledge), dismissed (the allegation) and new,
    and the item tracked from it."""
    title, text = articles.library("accessible")
    source = server.archive(title, text)
    server.actor(COUNCIL, "Marsham District Council", "council")
    suggested = server.candidates(source)
    pledge = next(c for c in suggested if articles.LIBRARY_PLEDGE in c["quote"])
    allegation = next(c for c in suggested if articles.LIBRARY_ALLEGATION in c["quote"])
    with server.api() as api:
        item = api.post("/api/v1/items", json={
            "kind": "commitment", "title": "£2.4m for the library (accessible edition)",
            "actor": COUNCIL, "source": source, "quote": pledge["quote"],
            "quote_start": pledge["quote_start"], "quantity": pledge["quantity"],
        })  # fmt: skip
        item.raise_for_status()
        api.post(
            f"/api/v1/sources/{source}/candidates/{allegation['id']}/dismiss"
        ).raise_for_status()
        api.post(f"/api/v1/items/{ANSWERED}/replies", json={
            "by": "south-yorkshire-police", "text": "The force says it has cooperated fully.",
            "url": "https://example.org/statement", "occurred_on": "2015-03-03",
        }).raise_for_status()  # fmt: skip
        api.post(f"/api/v1/items/{ANSWERED}/status", json={
            "status": "not_upheld", "note": "No case to answer, says the IPCC.",
        }).raise_for_status()  # fmt: skip
        api.post(
            f"/api/v1/items/{ANSWERED}/withheld-names", json={"name": "Margaret Crofts"}
        ).raise_for_status()
    return {"source": source, "item": item.json()["slug"]}


@pytest.fixture(scope="module")
def reader(browser, server) -> Iterator[Tab]:
    yield from _open(browser, server)


@pytest.fixture(scope="module")
def editor(browser, server) -> Iterator[Tab]:
    for tab in _open(browser, server):
        tab.sign_in()
        yield tab


PUBLIC = {
    "dashboard": "/",
    "item": "/items/{item}",
    "sources": "/sources",
    "source": "/sources/{source}",
    "actors": "/actors",
    "actor": f"/actors/{COUNCIL}",
    "allegation": f"/items/{ALLEGATION}",
    "answered allegation": f"/items/{ANSWERED}",
    "parent": f"/items/{PARENT}",
    "source with a withheld name": "/sources/rotherham-cse-live-updates-lga-ofsted",
}
EDITOR_ONLY = {
    "new source": "/sources/new",
    "new actor": "/actors/new",
    "edit item": "/items/{item}/edit",
}


def _check(tab: Tab, path: str) -> None:
    tab.errors.clear()  # the tab is shared by the module's tests
    response = tab.goto(path)
    assert response.status == 200, path
    assert_accessible(tab.page)
    tab.assert_clean()


@pytest.mark.parametrize("name", [*PUBLIC, "sign in"])
def test_pages_for_readers(reader, made, name) -> None:
    _check(reader, {**PUBLIC, "sign in": "/login"}[name].format(**made))


@pytest.mark.parametrize("name", [*PUBLIC, *EDITOR_ONLY])
def test_pages_for_editors(editor, made, name) -> None:
    _check(editor, {**PUBLIC, **EDITOR_ONLY}[name].format(**made))
    if name == "source":
        states = editor.page.locator(".suggestion").evaluate_all(
            "(items) => items.map((item) => item.className)"
        )
        assert {"suggestion suggestion--" + s for s in ("new", "accepted", "dismissed")} <= set(
            states
        )


def test_the_track_form_prefilled_from_a_suggestion(editor, made) -> None:
    page = editor.page
    editor.errors.clear()
    editor.goto(f"/sources/{made['source']}")
    page.locator(".suggestion--new").first.get_by_role("link", name=re.compile("^Track")).click()
    page.wait_for_url(re.compile(r"/items/new\?source="))
    assert page.get_by_label("Passage, word for word").input_value()
    assert_accessible(page)
    editor.assert_clean()


@pytest.mark.parametrize(
    ("path", "button"),
    [
        ("/sources/new", "Archive the source"),
        ("/actors/new", "Add the actor"),
        ("/items/new?source={source}", "Save draft"),
        ("/items/{item}/edit", "Save the changes"),
    ],
)
def test_forms_showing_their_errors(editor, made, path, button) -> None:
    page: Any = editor.page
    editor.errors.clear()
    editor.goto(path.format(**made))
    title = page.locator("#f-title, #f-name")
    title.fill("")
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert page.locator("#form-errors").is_visible()
    assert page.locator("[aria-invalid=true]").count() >= 1
    assert_accessible(page)
    editor.assert_clean(expected_statuses=(422,))


@pytest.mark.parametrize(
    ("summary", "button", "field"),
    [
        ("Record a reply", "Record the reply", "#f-text"),
        ("Link to another item", "Link them", "#f-target"),
        ("Withhold a name", "Withhold it", "#f-name"),
    ],
)
def test_item_page_forms_showing_their_errors(editor, made, summary, button, field) -> None:
    page: Any = editor.page
    editor.errors.clear()
    editor.goto(f"/items/{ALLEGATION}")
    page.get_by_text(summary, exact=True).click()
    page.locator(field).fill("")
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    assert page.locator(f"{field}[aria-invalid=true]").is_visible()
    assert_accessible(page)
    editor.assert_clean(expected_statuses=(422,))
