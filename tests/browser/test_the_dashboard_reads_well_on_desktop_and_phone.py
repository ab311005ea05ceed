"""The dashboard in Chromium, at desktop and phone sizes: outcomes that look
different, a compact phone page with nothing cut off, a quiet editors' table whose inline form
confirms and closes with Escape, navigation by keyboard, filters that explain themselves, and a
focus ring that is not the error red."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Tab, _open, start_server

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
# The phone page's height for the seed data, in CSS pixels (it was 10,894).
PHONE_HEIGHT_LIMIT = 7000


@pytest.fixture
def phone(browser: Any, server: Any) -> Iterator[Tab]:
    yield from _open(browser, server, **PHONE)


@pytest.fixture(scope="module")
def seed_only(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server of its own holding the seed data alone: the shared one gains the items other
    browser tests add, and the phone page's height is a figure of the seed data."""
    with start_server(tmp_path_factory.mktemp("seed-only")) as started:
        yield started


@pytest.fixture
def phone_seed_only(browser: Any, seed_only: Any) -> Iterator[Tab]:
    yield from _open(browser, seed_only, **PHONE)


@pytest.fixture
def desktop(browser: Any, server: Any) -> Iterator[Tab]:
    yield from _open(browser, server, **DESKTOP)


def background(locator: Any) -> str:
    return locator.evaluate("e => getComputedStyle(e).backgroundColor")


def test_outcomes_look_different_and_say_their_words(desktop) -> None:
    page = desktop.page
    desktop.goto("/?kind=commitment")
    delivered = page.locator(".badge", has_text="Delivered").first
    pledged = page.locator(".badge", has_text="Pledged").first
    in_progress = page.locator(".badge", has_text="In progress").first
    colours = {background(delivered), background(pledged), background(in_progress)}
    assert len(colours) == 3
    card = page.locator("#summary .card--commitment")
    expect(card.locator(".outcome__legend")).to_contain_text("delivered")
    expect(card.locator(".outcome__legend")).to_contain_text("broken")
    expect(card.locator("svg.outcome__bar rect").first).to_be_visible()
    desktop.assert_clean()


@pytest.mark.parametrize(
    "path", ["/", "/actors/south-yorkshire-police", "/items/gov-cse-national-threat"]
)
def test_phone_pages_are_compact_and_nothing_is_cut_off(phone_seed_only, path) -> None:
    phone = phone_seed_only
    page = phone.page
    phone.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} scrolls sideways ({width}px)"
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('main *')].filter(e => {
            const r = e.getBoundingClientRect();
            const shown = r.width > 0 && !e.closest('thead, .visually-hidden');
            return shown && (r.right > 391 || r.left < -1);
        }).map(e => e.tagName + '.' + e.className).slice(0, 5)"""
    )
    assert overflowing == []
    if path == "/":
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < PHONE_HEIGHT_LIMIT, height
        # A row without a target has no empty "Progress" line.
        empty = page.locator("#results td.cell--empty").first
        expect(empty).to_be_hidden()
    phone.assert_clean()


def test_the_editors_table_is_quiet_confirms_and_closes_with_escape(desktop, server) -> None:
    slug = "pcc-take-up-new-cse-funding"
    page = desktop.page
    desktop.sign_in()
    desktop.goto("/?kind=commitment")
    row = page.locator(f"#row-{slug}")
    title = row.locator("td.cell-title")
    assert title.evaluate("e => e.getBoundingClientRect().width") >= 250
    change = row.get_by_role("link", name=re.compile("Change status"))
    # Quiet buttons: not 25 solid primary ones.
    assert background(change) != background(page.get_by_role("button", name="Filter"))

    change.click()
    expect(row.get_by_label("New status")).to_be_focused()
    page.keyboard.press("Escape")
    expect(row.locator("form")).to_have_count(0)
    expect(change).to_be_focused()

    change.click()
    row.get_by_label("New status").select_option("in_progress")
    row.get_by_label(re.compile("Note")).fill("Bid submitted.")
    row.get_by_role("button", name="Save status").click()
    expect(row.locator(".saved")).to_have_text("Saved")
    expect(row.locator(".badge").first).to_have_text("In progress")
    assert server.item(slug)["status"] == "in_progress"
    desktop.assert_clean()


def test_columns_sort_and_meter_counts_filter_by_keyboard(desktop) -> None:
    page = desktop.page
    desktop.goto("/")
    sort = page.locator("#results thead a.sort", has_text="Title")
    sort.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=title"))
    titles = page.locator("#results .title-link").all_inner_texts()
    assert titles == sorted(titles, key=str.casefold) or titles == sorted(titles)
    expect(page.locator("#results thead th[aria-sort=ascending]")).to_contain_text("Title")

    desktop.goto("/")
    open_allegations = page.locator("#summary .card--allegation .outcome__legend a").last
    open_allegations.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(
        re.compile(r"kind=allegation.*outcome=pending|outcome=pending.*kind=allegation")
    )
    kinds = {k.strip().lower() for k in page.locator("#results .kind").all_inner_texts()}
    assert kinds == {"allegation"}
    desktop.assert_clean()


def test_a_status_then_another_kind_explains_instead_of_emptying(desktop) -> None:
    page = desktop.page
    desktop.goto("/")
    page.get_by_label("Status").select_option("pledged")
    page.wait_for_url(re.compile(r"status=pledged"))
    page.get_by_label("Kind").select_option("allegation")
    page.wait_for_url(re.compile(r"kind=allegation"))
    expect(page.locator("#results .notice")).to_have_text(
        "“Pledged” is a status of commitments, not of allegations, so it was left out."
    )
    expect(page.locator("#results tbody tr").first).to_be_visible()
    desktop.assert_clean()


def test_the_focus_ring_is_not_the_error_red(desktop) -> None:
    page = desktop.page
    desktop.goto("/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    colour = focused.evaluate("e => getComputedStyle(e).outlineColor")
    assert colour == "rgb(11, 87, 208)"
    desktop.assert_clean()


def test_item_pages_never_show_a_record_time_as_a_news_date(desktop) -> None:
    page = desktop.page
    desktop.goto("/items/pcc-62-additional-cse-staff")
    facts = page.locator(".item__facts")
    expect(facts).to_contain_text("Source published")
    expect(facts).not_to_contain_text("Updated")
    expect(page.locator(".events .event__meta").last).to_contain_text("Date not stated")
    desktop.assert_clean()
