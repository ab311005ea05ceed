"""The dashboard answers a reader's question, on a desktop (1366x900) and a phone (390x844): after
a search, opened as a link or typed with htmx, the first result is above the fold and the panels
that no filter narrows have stepped aside; choosing a kind narrows the status list at once,
without a reload (and after "Filter" without JavaScript); the search box is a skip link away;
and the filtered page passes axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Tab, _open

pytestmark = pytest.mark.browser

SCREENS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
# Set on the page's window: still there after an htmx swap, gone after a reload.
MARKER = "window.__stillHere = 'still here'"
STILL_HERE = "window.__stillHere"


@pytest.fixture(params=list(SCREENS))
def screen(request: pytest.FixtureRequest, browser: Any, server: Any) -> Iterator[Tab]:
    yield from _open(browser, server, **SCREENS[request.param])


def first_row_is_above_the_fold(tab: Tab) -> None:
    page = tab.page
    row = page.locator("#results tbody tr").first
    expect(row).to_be_visible()
    box = row.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and 0 <= box["y"] < height, f"first result at {box}, fold at {height}"


def test_a_search_opened_as_a_link_shows_its_results_first(screen) -> None:
    page = screen.page
    screen.goto("/?q=ipcc")
    first_row_is_above_the_fold(screen)
    # The headlines ignore the search: they step aside. The summary follows it, after the results.
    expect(page.locator(".headlines")).to_have_count(0)
    expect(page.locator("#lead")).to_be_empty()
    expect(page.locator("#follow #summary-heading")).to_contain_text("in this view")
    results_top = page.locator("#results").bounding_box()["y"]
    assert page.locator("#summary").bounding_box()["y"] > results_top
    screen.assert_clean()


def test_a_search_typed_with_htmx_brings_its_results_up(screen) -> None:
    page = screen.page
    screen.goto("/")
    page.evaluate(MARKER)
    expect(page.locator(".headlines")).to_have_count(1)
    page.get_by_label("Text").fill("ipcc")
    page.wait_for_url(re.compile(r"/\?q=ipcc$"))
    expect(page.locator(".results__count")).to_have_text(re.compile(r"\d+ items\."))
    expect(page.locator(".headlines")).to_have_count(0)
    expect(page.locator("#follow #summary")).to_have_count(1)
    expect(page.locator("#summary")).to_have_count(1)
    first_row_is_above_the_fold(screen)
    assert page.evaluate(STILL_HERE) == "still here"
    # Emptying the box brings the front page's panels back, before the results.
    page.get_by_label("Text").fill("")
    expect(page.locator("#lead .headlines")).to_have_count(1)
    expect(page.locator("#lead #summary")).to_have_count(1)
    expect(page.locator("#follow")).to_be_empty()
    assert page.evaluate(STILL_HERE) == "still here"
    screen.assert_clean()


def status_options(tab: Tab) -> list[str]:
    return list(tab.page.locator("#filter-status option").all_inner_texts())


def test_choosing_a_kind_narrows_the_statuses_without_a_reload(screen) -> None:
    page = screen.page
    screen.goto("/")
    page.evaluate(MARKER)
    every = status_options(screen)
    assert {"Pledged", "Reported", "Proposed"} <= set(every)
    # htmx pushes each view's URL (a same-document navigation); a reload would load the page.
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))

    page.get_by_label("Kind").select_option("allegation")
    expect(page.locator("#filter-status option", has_text="Pledged")).to_have_count(0)
    allegations = status_options(screen)
    assert allegations == [
        "Any status", "Reported", "Under investigation", "Upheld", "Not upheld", "Withdrawn",
    ]  # fmt: skip
    expect(page.locator("#filter-status optgroup")).to_have_attribute("label", "Allegations")

    page.get_by_label("Kind").select_option("proposal")
    expect(page.locator("#filter-status option", has_text="Reported")).to_have_count(0)
    assert "Proposed" in status_options(screen)
    # The narrowed list filters: a proposal's status picks proposals.
    page.get_by_label("Status").select_option("consultation")
    page.wait_for_url(re.compile(r"kind=proposal&status=consultation$"))
    expect(page.locator("#results .badge").first).to_have_text("In consultation")

    page.get_by_label("Kind").select_option("")
    expect(page.locator("#filter-status option", has_text="Pledged")).to_have_count(1)
    assert page.evaluate(STILL_HERE) == "still here"
    assert loads == [], f"the page was loaded again: {loads}"
    screen.assert_clean()


def test_the_search_box_is_a_skip_link_away(screen) -> None:
    page = screen.page
    screen.goto("/")
    for _ in range(2):
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to search"
    expect(page.locator(".skip-link:focus")).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Text")).to_be_focused()
    expect(page.get_by_label("Text")).to_be_in_viewport()
    page.keyboard.type("ipcc")
    page.wait_for_url(re.compile(r"/\?q=ipcc$"))
    first_row_is_above_the_fold(screen)
    screen.assert_clean()


def test_the_placeholder_shows_whole_on_the_screen(screen) -> None:
    box = screen.page.get_by_label("Text")
    screen.goto("/")
    # The text fits the box: what the placeholder says is not cut off.
    fits = box.evaluate(
        """input => {
          const probe = document.createElement("span");
          const style = getComputedStyle(input);
          probe.style.font = style.font;
          probe.style.whiteSpace = "pre";
          probe.textContent = input.placeholder;
          document.body.appendChild(probe);
          const room = input.clientWidth - parseFloat(style.paddingLeft)
            - parseFloat(style.paddingRight);
          const wide = probe.getBoundingClientRect().width;
          probe.remove();
          return [wide, room];
        }"""
    )
    wide, room = fits
    assert wide <= room, f"placeholder {wide}px in a box of {room}px"


@pytest.mark.parametrize("path", ["/?q=ipcc", "/?kind=allegation&actor=south-yorkshire-police"])
def test_the_filtered_dashboard_is_accessible(screen, path) -> None:
    response = screen.goto(path)
    assert response.status == 200
    assert_accessible(screen.page)
    screen.assert_clean()


def test_a_filter_typed_with_htmx_stays_accessible(screen) -> None:
    page = screen.page
    screen.goto("/")
    page.get_by_label("Kind").select_option("allegation")
    page.wait_for_url(re.compile(r"kind=allegation$"))
    expect(page.locator("#follow #summary")).to_have_count(1)
    assert_accessible(page)
    screen.assert_clean()


def test_without_javascript_a_filter_answers_first_too(browser, server) -> None:
    for tab in _open(browser, server, java_script_enabled=False, **SCREENS["phone"]):
        page = tab.page
        tab.goto("/")
        page.get_by_label("Kind").select_option("allegation")
        with page.expect_navigation():
            page.get_by_role("button", name="Filter").click()
        assert "kind=allegation" in page.url
        first_row_is_above_the_fold(tab)
        expect(page.locator(".headlines")).to_have_count(0)
        # The reloaded form lists the allegations' statuses alone.
        expect(page.locator("#filter-status optgroup")).to_have_attribute("label", "Allegations")
        expect(page.locator("#filter-status option", has_text="Pledged")).to_have_count(0)
        tab.assert_clean()
