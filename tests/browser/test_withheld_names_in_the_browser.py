"""In Chromium: a name withheld on an item never shows to a reader, even where a tracked quote
begins inside it; not on the item's page, not on its source's page (at a desktop's size and a
phone's), and not in the dashboard's search, which does not confirm it either. An editor still
reads it.

The anonymous pages are saved as screenshots (named as `tests/browser/screenshots.py` names
them) in the test's temporary directory, to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Server, Tab, _open
from tests.browser.screenshots import VIEWPORTS

pytestmark = pytest.mark.browser

SOURCE = "rotherham-cse-live-updates-lga-ofsted"
# The source signs off "Margaret Crofts, Michael Whinfrey's partner": the quote begins in the
# middle of the name.
QUOTE = "Crofts, Michael Whinfrey's partner"
NAME = "Margaret Crofts"
TITLE = "Partner's statement after the verdict"
PLACEHOLDER = "[name withheld]"


@pytest.fixture(scope="module")
def statement(server: Server) -> str:
    """The slug of an item whose quote begins inside the name it withholds."""
    with server.api() as api:
        created = api.post("/api/v1/items", json={
            "kind": "commitment", "title": TITLE, "actor": "south-yorkshire-police",
            "source": SOURCE, "quote": QUOTE,
        })  # fmt: skip
        assert created.status_code == 201, created.text
        slug = created.json()["slug"]
        withheld = api.post(f"/api/v1/items/{slug}/withheld-names", json={"name": NAME})
    # A name is withheld everywhere, once: on the session's server another test (the
    # accessibility one) may have withheld it on another item already.
    if withheld.status_code == 409:
        assert withheld.json()["detail"] == "That name is already withheld."
        return str(slug)
    assert withheld.status_code == 201, withheld.text
    return str(withheld.json()["item_slug"])


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def reader(browser: Any, server: Server, size: str) -> Iterator[Tab]:
    """A reader who has not signed in, on a fresh browser at the size `size`."""
    yield from _open(browser, server, **VIEWPORTS[size])


def assert_no_part_of_the_name(text: str) -> None:
    for word in NAME.split():
        assert word.casefold() not in text.casefold()


def assert_nothing_wider_than_the_window(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_quote_that_begins_inside_a_withheld_name_shows_none_of_it(
    reader: Tab, statement: str, size: str, screenshots: Path
) -> None:
    page = reader.page

    reader.goto(f"/items/{statement}")
    assert_no_part_of_the_name(page.evaluate("document.body.innerText"))
    highlighted = page.locator(".quote mark")
    expect(highlighted).to_have_count(1)
    assert highlighted.inner_text().startswith(PLACEHOLDER)
    assert highlighted.inner_text().endswith("partner")
    assert_nothing_wider_than_the_window(page)
    page.screenshot(path=screenshots / f"reader-item-{size}.png", full_page=True)
    reader.assert_clean()

    reader.goto(f"/sources/{SOURCE}")
    assert_no_part_of_the_name(page.evaluate("document.body.innerText"))
    marks = page.locator("mark").all_inner_texts()
    assert any(mark.startswith(PLACEHOLDER) for mark in marks), marks
    # The item's own passage, the one that links to it, is the one that starts with the mask.
    ours = page.locator("mark", has=page.locator(f"a[href='/items/{statement}']"))
    expect(ours).to_have_count(1)
    assert ours.inner_text().startswith(PLACEHOLDER)
    expect(page.locator("[data-source-text]")).to_contain_text(f"{PLACEHOLDER}, ")
    assert_nothing_wider_than_the_window(page)
    page.screenshot(path=screenshots / f"reader-source-{size}.png", full_page=True)
    reader.assert_clean()


@pytest.mark.parametrize("word", ["margaret", "crofts", "croft"])
def test_searching_for_a_word_of_a_withheld_name_finds_nothing(
    tab: Tab, statement: str, word: str
) -> None:
    page = tab.page
    tab.goto("/")
    rows = page.locator("#results tbody tr")
    expect(rows.first).to_be_visible()

    page.get_by_label("Text").fill(word)
    page.wait_for_url(re.compile(rf"/\?q={word}$"))
    expect(page.locator(".results__count")).to_have_text(re.compile(r"^\s*No items match"))
    expect(rows).to_have_count(0)
    # The page repeats what the reader typed (Without text: “crofts”); nothing else says
    # any part of the name.
    shown = page.evaluate("document.body.innerText")
    assert f"“{word}”" in shown
    assert_no_part_of_the_name(shown.replace(f"“{word}”", ""))
    tab.assert_clean()


def test_searching_for_another_word_of_the_quote_finds_the_item_with_the_mask_whole(
    tab: Tab, statement: str
) -> None:
    page = tab.page
    tab.goto("/")
    page.get_by_label("Text").fill("partner")
    page.wait_for_url(re.compile(r"/\?q=partner$"))
    row = page.locator(f"#row-{statement}")
    expect(row).to_be_visible()
    expect(row.locator(".title-link")).to_have_text(TITLE)
    text = page.evaluate("document.body.innerText")
    assert_no_part_of_the_name(text)
    # Wherever the placeholder shows, it shows whole: no "[name with" or "withheld]" alone.
    left = text.replace(PLACEHOLDER, "")
    assert "withheld" not in left
    assert "[name" not in left
    tab.assert_clean()


def test_an_editor_still_reads_the_withheld_name(tab: Tab, statement: str) -> None:
    page = tab.page
    tab.sign_in()
    tab.goto(f"/items/{statement}")
    expect(page.locator("body")).to_contain_text(NAME)
    expect(page.locator(".quote mark")).to_have_text(QUOTE)
    tab.assert_clean()
