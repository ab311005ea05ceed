"""An editor in Chromium: signs in, changes a status inline in the table and on the item's page,
sees the row and the timeline swap without a reload, and the JSON API agrees. A missing note and a
version conflict are shown to the editor, with what they typed kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MARKER = "window.trackerMarker = 'still here'"
STILL_HERE = "window.trackerMarker"


def test_an_editor_changes_a_status_inline_in_the_table(tab, server) -> None:
    slug = "gov-targeted-support-for-survivors"
    page = tab.page
    tab.sign_in()
    tab.goto("/?kind=commitment")
    page.evaluate(MARKER)
    row = page.locator(f"#row-{slug}")
    expect(row.locator(".badge").first).to_have_text("Pledged")

    row.get_by_role("link", name=re.compile("Change status")).click()
    status = row.get_by_label("New status")
    expect(status).to_be_focused()
    status.select_option("in_progress")
    row.get_by_label(re.compile("Note")).fill("Support services commissioned.")
    row.get_by_role("button", name="Save status").click()

    expect(row.locator("form")).to_have_count(0)
    expect(row.locator(".badge").first).to_have_text("In progress")
    expect(row.get_by_role("link", name=re.compile("Change status"))).to_be_focused()
    expect(page.locator("#announce")).to_contain_text("changed to In progress")
    # The latest changes follow at once.
    expect(page.locator("#latest .changes li").first).to_contain_text("Pledged → to In progress")
    assert page.evaluate(STILL_HERE) == "still here"

    item = server.item(slug)
    assert item["status"] == "in_progress"
    assert item["history"][-1]["note"] == "Support services commissioned."
    assert item["history"][-1]["by"] == "editor"

    # Cancel puts the row back as it was.
    row.get_by_role("link", name=re.compile("Change status")).click()
    row.get_by_role("link", name="Cancel").click()
    expect(row.locator("form")).to_have_count(0)
    expect(row.locator(".badge").first).to_have_text("In progress")
    tab.assert_clean()


def test_an_editor_changes_a_status_on_the_item_page(tab, server) -> None:
    slug = "gov-1-2m-south-yorkshire-cse-funding"
    page = tab.page
    tab.sign_in()
    tab.goto(f"/items/{slug}")
    page.evaluate(MARKER)
    url = page.url
    expect(page.locator(".events li")).to_have_count(1)

    page.get_by_label("New status").select_option("partially_delivered")
    page.get_by_label(re.compile("^Note")).fill("£600,000 paid so far.")
    page.get_by_label(re.compile("Evidence URL")).fill("https://example.org/funding-letter")
    page.get_by_label(re.compile("^Progress")).fill("600000")
    page.get_by_role("button", name="Save status").click()

    newest = page.locator(".events li").first
    expect(page.locator(".events li")).to_have_count(2)
    expect(newest.locator(".event__what")).to_contain_text("Pledged → to Partially delivered")
    expect(newest.locator(".event__note")).to_have_text("£600,000 paid so far.")
    expect(newest.get_by_role("link", name="https://example.org/funding-letter")).to_be_visible()
    expect(page.locator(".item__status .badge").first).to_have_text("Partially delivered")
    expect(page.locator(".notice--done")).to_contain_text("changed to Partially delivered")
    expect(page.get_by_label(re.compile("^Note"))).to_have_value("")
    assert page.url == url and page.evaluate(STILL_HERE) == "still here"

    item = server.item(slug)
    assert item["status"] == "partially_delivered" and item["version"] == 2
    assert item["progress"] == {"value": 600000, "target": 1200000, "percent": 50.0}
    tab.assert_clean()


def test_a_missing_note_and_a_version_conflict_are_shown_to_the_editor(tab, server) -> None:
    slug = "gov-authorities-work-together"
    page = tab.page
    tab.sign_in()
    tab.goto(f"/items/{slug}")
    page.evaluate(MARKER)

    page.get_by_label("New status").select_option("stalled")
    page.get_by_label(re.compile("Evidence URL")).fill("https://example.org/minutes")
    page.get_by_role("button", name="Save status").click()
    note = page.get_by_label(re.compile("^Note"))
    expect(note).to_have_attribute("aria-invalid", "true")
    expect(note).to_be_focused()
    error = page.locator("#status-form-note-error")
    expect(error).to_have_text("A status change needs a note.")
    assert "status-form-note-error" in note.get_attribute("aria-describedby")
    expect(page.get_by_label("New status")).to_have_value("stalled")
    expect(page.get_by_label(re.compile("Evidence URL"))).to_have_value(
        "https://example.org/minutes"
    )
    assert server.item(slug)["version"] == 1

    # Someone else changes the item between the page load and the submit.
    note.fill("Meetings have stopped.")
    server.change_status(slug, "in_progress", "Joint protocol signed.")
    page.get_by_role("button", name="Save status").click()
    conflict = page.locator(".notice--conflict")
    expect(conflict).to_contain_text("Someone else changed this item")
    expect(conflict).to_contain_text("In progress (version 2)")
    expect(page.locator(".item__status .badge").first).to_have_text("In progress")
    expect(page.locator(".events li").first).to_contain_text("Joint protocol signed.")
    expect(page.get_by_label(re.compile("^Note"))).to_have_value("Meetings have stopped.")
    assert server.item(slug)["status"] == "in_progress"

    # Saving again, knowingly, goes through.
    page.get_by_role("button", name="Save status").click()
    expect(page.locator(".events li").first).to_contain_text("In progress → to Stalled")
    assert server.item(slug)["status"] == "stalled"
    assert page.evaluate(STILL_HERE) == "still here"
    tab.assert_clean(expected_statuses=(422, 409))
