"""Many items to one status at once, in Chromium: an editor filters the list, chooses every item
that matches (or ticks rows), sees only the statuses that fit the kinds chosen, writes one note
and applies; the table and the summary swap in place and each item's history has the note. An
item changed by someone else meanwhile is named and not overwritten. Without JavaScript the same
change is a plain form and a redirect. The form passes axe and reads well on a phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Server, Tab, _open, start_server
from tests.support.accounts import EDITOR, PASSWORD

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
MARKER = "window.trackerMarker = 'still here'"
STILL_HERE = "window.trackerMarker"


@pytest.fixture(scope="module")
def own_server(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own: these tests change many items at once, which the other browser
    tests' seed items must not see."""
    with start_server(tmp_path_factory.mktemp("bulk")) as started:
        yield started


@pytest.fixture
def editor(browser: Any, own_server: Server) -> Iterator[Tab]:
    for tab in _open(browser, own_server, viewport={"width": 1280, "height": 800}):
        tab.sign_in()
        yield tab


@pytest.fixture
def editor_without_js(browser: Any, own_server: Server) -> Iterator[Tab]:
    yield from _open(browser, own_server, java_script_enabled=False)


@pytest.fixture
def editor_on_a_phone(browser: Any, own_server: Server) -> Iterator[Tab]:
    for tab in _open(browser, own_server, **PHONE):
        tab.sign_in()
        yield tab


def enabled_statuses(page: Any) -> list[tuple[str, str]]:
    """(kind, status) of each option of the bulk status list that can be chosen."""
    return [
        tuple(pair)
        for pair in page.locator("#bulk-status optgroup option:not([disabled])").evaluate_all(
            "os => os.map(o => [o.parentElement.dataset.kind, o.value])"
        )
    ]


def badges(page: Any) -> list[str]:
    return page.locator("#results tbody .cell-status .badge").all_inner_texts()


def test_an_editor_changes_every_item_that_matches_a_filter(editor, own_server) -> None:
    page = editor.page
    editor.goto("/")
    page.evaluate(MARKER)
    page.locator("#filter-kind").select_option("proposal")
    page.wait_for_url(re.compile(r"kind=proposal"))
    expect(page.locator("#results tbody tr")).to_have_count(9)
    with own_server.api() as api:
        proposals = api.get("/api/v1/items", params={"kind": "proposal"}).json()["items"]
    assert len(proposals) == 9

    bulk = page.locator("details.bulk")
    expect(bulk).to_have_attribute("open", "")
    page.get_by_label("All 9 items that match this filter").check()
    expect(page.locator("#results input[name=item]:checked")).to_have_count(9)
    expect(page.locator("#bulk-count")).to_have_text("All 9 items that match this filter.")
    # The status list is that kind's alone.
    assert enabled_statuses(page) == [
        ("proposal", s) for s in ("proposed", "consultation", "enacted", "rejected", "withdrawn")
    ]
    expect(page.locator("#bulk-status optgroup")).to_have_count(1)
    expect(page.locator("#bulk-status-hint")).to_have_text("Statuses of proposals.")

    page.get_by_label("New status").select_option("enacted")
    page.get_by_label(re.compile("^Note")).fill("Adopted in the council's new plan.")
    page.get_by_role("button", name="Apply").click()

    done = page.locator("#bulk-done")
    expect(done).to_have_text("9 changed to Enacted.")
    expect(page.locator("#announce")).to_have_text("9 changed to Enacted.")
    assert badges(page) == ["Enacted"] * 9
    expect(page.locator("#results input[name=item]:checked")).to_have_count(0)
    # The summary follows, and the latest changes reload themselves.
    expect(page.locator("#follow .card--proposal .outcome__legend")).to_contain_text("9 enacted")
    expect(page.locator("#latest .changes li").first).to_contain_text("to Enacted")
    assert page.evaluate(STILL_HERE) == "still here"
    assert page.url.endswith("/?kind=proposal")

    first = proposals[0]
    page.locator(f"#row-{first['slug']} .title-link").click()
    newest = page.locator(".events li").first
    expect(newest.locator(".event__what")).to_contain_text("→ to Enacted")
    expect(newest.locator(".event__note")).to_have_text("Adopted in the council's new plan.")
    item = own_server.item(first["slug"])
    assert item["status"] == "enacted"
    assert (item["history"][-1]["note"], item["history"][-1]["by"]) == (
        "Adopted in the council's new plan.", EDITOR
    )  # fmt: skip
    editor.assert_clean()


def test_rows_of_two_kinds_leave_only_the_statuses_they_share(editor) -> None:
    page = editor.page
    editor.goto("/?actor=south-yorkshire-police")
    commitment = page.locator("#results tr[data-kind=commitment] input[name=item]").first
    allegation = page.locator("#results tr[data-kind=allegation] input[name=item]").first
    # By keyboard: a row's box is reached and ticked with the space bar.
    commitment.focus()
    page.keyboard.press("Space")
    expect(commitment).to_be_checked()
    expect(page.locator("#bulk-count")).to_have_text("1 item chosen.")
    assert {kind for kind, _ in enabled_statuses(page)} == {"commitment"}
    assert len(enabled_statuses(page)) == 7

    allegation.check()
    expect(page.locator("#bulk-count")).to_have_text("2 items chosen.")
    assert enabled_statuses(page) == [("commitment", "withdrawn"), ("allegation", "withdrawn")]
    expect(page.locator("#bulk-status-hint")).to_have_text(
        "Only the statuses that commitments and allegations share."
    )
    expect(page.locator("#bulk-page")).to_have_js_property("indeterminate", True)

    # A choice that no longer fits is dropped: back to commitments alone, "Delivered", then
    # an allegation again.
    allegation.uncheck()
    page.get_by_label("New status").select_option("delivered")
    allegation.check()
    expect(page.get_by_label("New status")).to_have_value("")

    # Rows whose kinds share no status at all: the list says so. (A kind the vocabulary does
    # not know stands for one whose statuses are all its own.)
    allegation.evaluate("box => { box.dataset.kind = 'petition'; }")
    allegation.uncheck()
    allegation.check()
    assert enabled_statuses(page) == []
    expect(page.locator("#bulk-status option[data-placeholder]")).to_have_text(
        "No status fits every item chosen"
    )
    expect(page.locator("#bulk-status-hint")).to_contain_text("choose items of one kind")
    editor.assert_clean()


def test_an_item_changed_meanwhile_is_named_and_not_overwritten(editor, own_server) -> None:
    page = editor.page
    editor.goto("/?kind=commitment&actor=uk-government")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(4)
    slugs = [s.removeprefix("row-") for s in rows.evaluate_all("rs => rs.map(r => r.id)")]
    pledged = [s for s in slugs if own_server.item(s)["status"] == "pledged"][:2]
    for slug in pledged:
        page.locator(f"#pick-{slug}").check()
    page.get_by_label("New status").select_option("broken")
    page.get_by_label(re.compile("^Note")).fill("The money was never allocated.")
    # Someone else changes one of them meanwhile, through the API.
    own_server.change_status(pledged[1], "in_progress", "Funding agreed after all.")

    page.get_by_role("button", name="Apply").click()
    stale = page.locator("#bulk-stale")
    expect(stale).to_contain_text("1 item changed since you loaded the page:")
    expect(stale).to_contain_text("Nothing was changed. Review it and apply again.")
    expect(stale.get_by_role("link")).to_have_attribute("href", f"/items/{pledged[1]}")
    expect(page.locator(f"#row-{pledged[1]} .cell-status .badge")).to_have_text("In progress")
    expect(page.locator(f"#row-{pledged[0]} .cell-status .badge")).to_have_text("Pledged")
    assert [own_server.item(s)["status"] for s in pledged] == ["pledged", "in_progress"]
    assert own_server.item(pledged[1])["history"][-1]["note"] == "Funding agreed after all."
    # The ticks and the note are kept, so the editor can review and apply again.
    for slug in pledged:
        expect(page.locator(f"#pick-{slug}")).to_be_checked()
    expect(page.get_by_label(re.compile("^Note"))).to_have_value("The money was never allocated.")

    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#bulk-done")).to_have_text("2 changed to Broken.")
    assert [own_server.item(s)["status"] for s in pledged] == ["broken", "broken"]
    editor.assert_clean(expected_statuses=(409,))


def test_without_javascript_the_same_change_is_a_plain_form(editor_without_js, own_server):
    tab = editor_without_js
    page = tab.page
    tab.goto("/login")
    page.get_by_label("Username").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    tab.goto("/?kind=allegation&actor=south-yorkshire-police")
    expect(page.locator("#results tbody tr")).to_have_count(9)

    # Folded until opened; every allegation status offered (the filter has one kind).
    page.locator("details.bulk > summary").click()
    page.get_by_label("All 9 items that match this filter").check()
    page.get_by_label("New status").select_option("upheld")
    # A missing note: the list comes back with the message beside the field, choices kept.
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    expect(page.locator("#bulk-note-error")).to_contain_text("Write a note")
    expect(page.get_by_label("All 9 items that match this filter")).to_be_checked()
    expect(page.get_by_label("New status")).to_have_value("upheld")
    with own_server.api() as api:
        listed = api.get("/api/v1/items", params={"kind": "allegation"}).json()["items"]
    assert "upheld" not in {i["status"] for i in listed}

    page.get_by_label(re.compile("^Note")).fill("Upheld by the independent inquiry.")
    page.get_by_label(re.compile("^Evidence URL")).fill("https://example.org/inquiry-report")
    page.get_by_label(re.compile("^Happened on")).fill("2016-06-30")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Apply").click()
    assert navigation.value.request.redirected_from.method == "POST"
    assert page.url.endswith("/?kind=allegation&actor=south-yorkshire-police")
    expect(page.locator("#bulk-done")).to_have_text("9 changed to Upheld.")
    assert badges(page) == ["Upheld"] * 9
    slug = page.locator("#results tbody tr").first.get_attribute("id").removeprefix("row-")
    newest = own_server.item(slug)["history"][-1]
    assert (newest["note"], newest["evidence_url"], newest["occurred_on"]) == (
        "Upheld by the independent inquiry.", "https://example.org/inquiry-report", "2016-06-30"
    )  # fmt: skip
    tab.assert_clean(expected_statuses=(422,))


def test_the_form_passes_axe_with_and_without_messages(editor) -> None:
    page = editor.page
    editor.goto("/?kind=commitment")
    page.locator("#results input[name=item]").nth(0).check()
    page.locator("#results input[name=item]").nth(1).check()
    assert_accessible(page)
    page.get_by_label("New status").select_option("stalled")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#bulk-note-error")).to_be_visible()
    expect(page.get_by_label(re.compile("^Note"))).to_be_focused()
    assert_accessible(page)
    editor.assert_clean(expected_statuses=(422,))


def test_on_a_phone_the_form_is_folded_above_the_table_and_nothing_is_cut_off(
    editor_on_a_phone,
) -> None:
    tab = editor_on_a_phone
    page = tab.page
    tab.goto("/?kind=commitment")
    bulk = page.locator("details.bulk")
    expect(bulk).not_to_have_attribute("open", "")
    table = page.locator("#results table.items")
    assert bulk.bounding_box()["y"] < table.bounding_box()["y"]
    # Ticking a row opens it.
    page.locator("#results input[name=item]").first.check()
    expect(bulk).to_have_attribute("open", "")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    for control in ("#bulk-status", "#bulk-note", "#bulk-evidence_url", "#bulk-occurred_on"):
        box = page.locator(control).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, control
    # A row's box sits beside its title, big enough to tap.
    row = page.locator("#results tbody tr").first
    pick, title = row.locator("td.cell-select").bounding_box(), row.locator(".title-link")
    assert abs(pick["y"] - title.bounding_box()["y"]) < 24
    assert row.locator("input[name=item]").bounding_box()["width"] >= 20
    assert_accessible(page)
    tab.assert_clean()
