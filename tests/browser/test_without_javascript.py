"""The dashboard with JavaScript turned off: filtering, signing in and changing a status all work
as plain forms, posts and 303 redirects."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.accounts import EDITOR, PASSWORD

pytestmark = pytest.mark.browser


def test_filtering_works_as_a_plain_form(tab_without_js, server) -> None:
    tab = tab_without_js
    page = tab.page
    tab.goto("/")
    page.get_by_label("Kind").select_option("proposal")
    page.get_by_label("Text").fill("review")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    assert re.search(r"kind=proposal", page.url) and re.search(r"q=review", page.url)
    with server.api() as api:
        listed = api.get("/api/v1/items", params={"kind": "proposal", "q": "review"}).json()
    titles = page.locator("#results td[data-label=Title] .title-link").all_inner_texts()
    assert titles and titles == [i["title"] for i in listed["items"]]
    tab.assert_clean()


def test_an_editor_signs_in_and_changes_a_status_with_plain_posts(tab_without_js, server) -> None:
    slug = "syp-further-cse-training"
    tab = tab_without_js
    page = tab.page
    tab.goto(f"/items/{slug}")
    with page.expect_navigation():
        page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("Username").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith(f"/items/{slug}")
    expect(page.locator(".who")).to_contain_text("editor")

    # A missing note: the page comes back with the message beside the field.
    page.get_by_label("New status").select_option("delivered")
    with page.expect_navigation():
        page.get_by_role("button", name="Save status").click()
    expect(page.locator("#status-form-note-error")).to_have_text("A status change needs a note.")
    expect(page.get_by_label("New status")).to_have_value("delivered")

    page.get_by_label(re.compile("^Note")).fill("Training programme completed.")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save status").click()
    # Post, 303, get: the address is the item's page again.
    assert navigation.value.request.redirected_from.method == "POST"
    assert page.url.endswith(f"/items/{slug}")
    expect(page.locator(".notice--done")).to_contain_text("changed to Delivered")
    expect(page.locator(".events li").first).to_contain_text("→ to Delivered")
    assert server.item(slug)["status"] == "delivered"

    # The table's "Change status" link leads to the same form.
    tab.goto("/?kind=commitment")
    with page.expect_navigation():
        page.locator("#row-syp-committed-to-justice-and-prevention").get_by_role(
            "link", name=re.compile("Change status")
        ).click()
    assert page.url.endswith("/items/syp-committed-to-justice-and-prevention#change-status")
    expect(page.get_by_label("New status")).to_be_visible()

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    tab.assert_clean(expected_statuses=(422,))


def test_a_parents_parts_unfold_without_javascript(tab_without_js, server) -> None:
    page = tab_without_js.page
    tab_without_js.goto("/?q=ipcc+investigation")
    parts = page.locator("#row-ipcc-investigation-of-10-syp-officers details.parts")
    expect(parts.locator("li").first).to_be_hidden()
    parts.locator("summary").click()
    expect(parts.locator("li")).to_have_count(8)
    expect(parts.locator("li").first).to_be_visible()
    tab_without_js.assert_clean()
