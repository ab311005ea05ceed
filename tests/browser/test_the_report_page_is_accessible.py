"""The report page passes axe-core's WCAG 2 A and AA rules at a laptop's size and a phone's,
with a report and with the window's errors beside its fields; on a phone nothing is wider than
the screen."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import Tab, _open

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture(params=["desktop", "phone"])
def reader(request: pytest.FixtureRequest, browser: Any, server: Any) -> Iterator[Tab]:
    yield from _open(browser, server, **(DESKTOP if request.param == "desktop" else PHONE))


def test_the_report_page_is_accessible(reader: Tab) -> None:
    # The seed is recorded when it is loaded: this week's report lists it as new items.
    reader.goto("/report")
    assert reader.page.locator("#report-title").is_visible()
    assert reader.page.locator("svg.report__chart").count() == 1
    assert reader.page.locator("#report-new + ul li").count() > 0
    assert_accessible(reader.page)
    wider = reader.page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert wider <= 0
    reader.assert_clean()


def test_the_report_pages_errors_are_accessible(reader: Tab) -> None:
    response = reader.goto("/report?from=2026-02-30&to=2020-01-01")
    assert response.status == 422
    assert "must be a date" in reader.page.locator("#f-from-error").inner_text()
    assert_accessible(reader.page)
    reader.assert_clean(expected_statuses=(422,))
