"""The dashboard in Chromium: it loads with the seed data, filters in place (the URL follows, the
page is never reloaded), pages by cursor, and refreshes its table by conditional request."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# Set on the window after loading: still there means the page was never reloaded.
MARKER = "window.trackerMarker = 'still here'"
STILL_HERE = "window.trackerMarker"


def test_the_dashboard_loads_with_the_seed_data(tab, server) -> None:
    tab.goto("/")
    page = tab.page
    expect(page).to_have_title(re.compile("Dashboard"))
    with server.api() as api:
        summary = api.get("/api/v1/summary").json()
        total = api.get("/api/v1/items").json()["total"]
    for counts in summary["kinds"].values():
        card = page.locator(".card", has=page.get_by_role("link", name=counts["label"]))
        expect(card.locator(".card__total")).to_have_text(str(counts["total"]))
    expect(page.locator(".results__count")).to_have_text(f"Showing 1\u201325 of {total} items.")
    expect(page.locator("#results tbody tr")).to_have_count(25)
    expect(page.locator("#latest .changes li")).to_have_count(8)
    assert page.evaluate("htmx.version") == "2.0.11"
    # htmx must not have injected its indicator <style> (the CSP refuses inline styles).
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    tab.assert_clean()


@pytest.mark.parametrize(
    "path",
    [
        "/items/gov-1-2m-south-yorkshire-cse-funding",
        "/sources/rotherham-cse-live-updates-lga-ofsted",
        "/actors/south-yorkshire-police",
        "/login",
    ],
)
def test_the_other_pages_load_cleanly(tab, path) -> None:
    response = tab.goto(path)
    assert response.status == 200
    expect(tab.page.locator("h1")).to_be_visible()
    tab.assert_clean()


def test_filtering_updates_the_table_and_the_url_without_a_reload(tab, server) -> None:
    page = tab.page
    tab.goto("/")
    page.evaluate(MARKER)

    page.get_by_label("Kind").select_option("allegation")
    page.wait_for_url(re.compile(r"/\?kind=allegation$"))
    expect(page.locator("#results .kind").first).to_have_text("Allegation")
    kinds = page.locator("#results .kind").all_inner_texts()
    assert kinds and {k.strip().lower() for k in kinds} == {"allegation"}
    # Each allegation's row says it is not a finding, until it is upheld.
    caveats = page.locator("#results td[data-label=Title]").all_inner_texts()
    assert caveats and all("Not a finding unless upheld" in text for text in caveats)

    page.get_by_label("Text").fill("officer")
    page.wait_for_url(re.compile(r"/\?kind=allegation&q=officer$"))
    expect(page.locator("#results tbody tr").first).to_be_visible()
    titles = page.locator("#results td[data-label=Title] .title-link").all_inner_texts()
    with server.api() as api:
        listed = api.get("/api/v1/items", params={"kind": "allegation", "q": "officer"}).json()
    assert titles == [i["title"] for i in listed["items"]]

    page.get_by_label("Actor").select_option("ipcc")
    page.wait_for_url(re.compile(r"actor=ipcc"))
    expect(page.locator(".results__count")).to_have_text(re.compile(r"^\s*No items match all of"))
    assert page.evaluate(STILL_HERE) == "still here"

    # Back goes to the previous filtered view.
    page.go_back()
    page.wait_for_url(re.compile(r"/\?kind=allegation&q=officer$"))
    expect(page.get_by_label("Actor")).to_have_value("")
    expect(page.locator("#results td[data-label=Title] .title-link")).to_have_count(len(titles))

    # The URL is a link to this view: opening it shows the same filters and rows.
    tab.page.goto(tab.base_url + "/?kind=allegation&q=officer")
    expect(page.get_by_label("Kind")).to_have_value("allegation")
    expect(page.get_by_label("Text")).to_have_value("officer")
    tab.assert_clean()


def test_the_table_pages_by_cursor_in_place(tab) -> None:
    page = tab.page
    tab.goto("/")
    page.evaluate(MARKER)
    first = page.locator("#results td[data-label=Title] .title-link").all_inner_texts()
    page.get_by_role("link", name="Next page").click()
    page.wait_for_url(re.compile(r"cursor="))
    expect(page.get_by_role("link", name="First page")).to_be_visible()
    second = page.locator("#results td[data-label=Title] .title-link").all_inner_texts()
    assert second and not set(first) & set(second)
    # Page 2 says where it is, not "Showing 10 of 35".
    expect(page.locator(".results__count")).to_have_text(
        re.compile(rf"Showing 26\u2013{25 + len(second)} of {25 + len(second)} items\.")
    )
    assert page.evaluate(STILL_HERE) == "still here"
    tab.assert_clean()


def test_the_table_refreshes_itself_only_when_the_data_changed(tab, server) -> None:
    page = tab.page
    slug = "gov-cse-national-threat"
    page.clock.install()
    tab.goto("/?kind=commitment")
    page.evaluate("document.getElementById('results').trackerMarker = 'same table'")
    same_table = "document.getElementById('results').trackerMarker"
    card = page.locator(".card", has=page.get_by_role("link", name="Commitments", exact=True))
    pending = card.locator(".outcome__part", has_text="pending").locator("strong")
    pending_before = int(pending.inner_text())

    with page.expect_response(lambda r: "kind=commitment" in r.url) as polled:
        page.clock.run_for(15_500)
    response = polled.value
    assert response.status == 304
    assert response.request.headers["if-none-match"] == page.locator("#results").get_attribute(
        "data-etag"
    )
    assert page.evaluate(same_table) == "same table"

    server.change_status(slug, "in_progress", "Work has started.")
    with page.expect_response(lambda r: "kind=commitment" in r.url) as polled:
        page.clock.run_for(15_500)
    assert polled.value.status == 200
    expect(page.locator(f"#row-{slug} .badge").first).to_have_text("In progress")
    assert page.evaluate(same_table) is None
    # The summary follows the table.
    expect(pending).to_have_text(str(pending_before + 1))
    tab.assert_clean()
