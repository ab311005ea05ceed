"""In Chromium: an editor records a reply beside an allegation and links two items through the
item page's forms; a reader then sees the reply, the connected items, and a withheld name only
as its placeholder."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import _open

pytestmark = pytest.mark.browser

ALLEGATION = "ofsted-failed-to-uncover-rotherham-cse"
CHILD = "lga-assess-all-agencies"
PARENT = "lga-independent-review-of-ofsted"
NAME = "Michael Whinfrey"  # a private person named in source 003


def test_an_editor_records_a_reply_and_a_reader_sees_it(tab, browser, server) -> None:
    page = tab.page
    tab.sign_in()
    tab.goto(f"/items/{ALLEGATION}")
    replies = page.locator("#replies")
    expect(replies.locator(".replies__none")).to_contain_text("No response recorded.")
    replies.get_by_text("Record a reply", exact=True).click()
    replies.get_by_label("Who replied").select_option("ofsted")
    replies.get_by_label(re.compile("^What they said")).fill("Ofsted says it will give evidence.")
    replies.get_by_label(re.compile("^When they replied")).fill("2015-03-04")
    replies.get_by_role("button", name="Record the reply").click()
    page.wait_for_url(re.compile(f"/items/{ALLEGATION}#replies$"))
    expect(replies.locator(".reply__by")).to_have_text("Ofsted replied on 4 March 2015:")
    expect(replies.locator(".replies__none")).to_have_count(0)
    tab.assert_clean()
    assert server.item(ALLEGATION)["replies"][0]["text"] == "Ofsted says it will give evidence."

    for reader in _open(browser, server):
        reader.goto(f"/items/{ALLEGATION}")
        expect(reader.page.locator("p.caveat")).to_have_text(
            "An allegation is not a finding until it is upheld."
        )
        expect(reader.page.locator("#replies .reply__text")).to_have_text(
            "Ofsted says it will give evidence."
        )
        assert_accessible(reader.page)
        reader.assert_clean()


def test_an_editor_links_two_items_and_withholds_a_name(tab, browser, server) -> None:
    page = tab.page
    tab.sign_in()
    tab.goto(f"/items/{CHILD}")
    links = page.locator("#links")
    links.get_by_text("Link to another item", exact=True).click()
    links.get_by_label(re.compile("^This item is")).select_option("part_of")
    links.get_by_label(re.compile("^The other item")).fill(PARENT)
    links.get_by_role("button", name="Link them").click()
    page.wait_for_url(re.compile(f"/items/{CHILD}#links$"))
    expect(page.locator(".links__parent")).to_contain_text("Part of Independent review of Ofsted")

    withheld = page.locator("#withheld")
    withheld.get_by_text("Withhold a name", exact=True).click()
    withheld.get_by_label(re.compile("^The name")).fill(NAME)
    withheld.get_by_role("button", name="Withhold it").click()
    page.wait_for_url(re.compile(f"/items/{CHILD}#withheld$"))
    expect(withheld.locator(".withheld__name")).to_have_text(NAME)
    tab.goto("/sources/rotherham-cse-live-updates-lga-ofsted")
    expect(page.locator("body")).to_contain_text(NAME)  # the editor still reads it
    tab.assert_clean()

    for reader in _open(browser, server):
        reader.goto(f"/items/{PARENT}")
        expect(reader.page.locator(".rollup")).to_have_text("1 part: 1 proposed. 0 resolved.")
        reader.goto("/sources/rotherham-cse-live-updates-lga-ofsted")
        body = reader.page.locator("body")
        expect(body).to_contain_text("[name withheld]")
        expect(body).not_to_contain_text(NAME)
        reader.assert_clean()
