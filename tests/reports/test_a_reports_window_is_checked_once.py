"""A report's window from what was asked: the defaults (the last 7 days, today included), one end
given, `--since 7d`, and each way a window can be wrong, named by its field."""

from __future__ import annotations

import datetime as dt

import pytest

from service.errors import Invalid
from service.reports.models import ReportWindow
from service.reports.window import window_of, window_since

TODAY = dt.date(2026, 12, 3)


def _fields(error: pytest.ExceptionInfo[Invalid]) -> list[tuple[str, str]]:
    return [(e.field, e.message) for e in error.value.errors]


def test_the_defaults_are_the_last_seven_days() -> None:
    week = ReportWindow(start=dt.date(2026, 11, 27), end=TODAY)
    assert window_of(None, None, today=TODAY) == week
    assert window_of("", " ", today=TODAY) == week
    assert window_since("7d", today=TODAY) == week
    assert week.days == 7 and week.day_before == dt.date(2026, 11, 26)


def test_one_end_given() -> None:
    assert window_of("2026-11-01", None, today=TODAY) == ReportWindow(
        start=dt.date(2026, 11, 1), end=TODAY
    )
    assert window_of(None, "2026-06-30", today=TODAY) == ReportWindow(
        start=dt.date(2026, 6, 24), end=dt.date(2026, 6, 30)
    )
    assert window_since("1d", today=TODAY) == ReportWindow(start=TODAY, end=TODAY)


def test_a_year_at_most_and_nothing_after_today() -> None:
    assert window_of("2025-12-03", "2026-12-03", today=TODAY).days == 366
    with pytest.raises(Invalid) as longer:
        window_of("2025-12-02", "2026-12-03", today=TODAY)
    assert _fields(longer) == [("to", "the window is at most 366 days")]
    with pytest.raises(Invalid) as later:
        window_of("2026-12-04", None, today=TODAY)
    assert _fields(later) == [("from", "must not be after today (2026-12-03, UTC)")]
    with pytest.raises(Invalid) as reversed_window:
        window_of("2026-12-02", "2026-12-01", today=TODAY)
    assert _fields(reversed_window) == [("from", "must not be after `to`")]


@pytest.mark.parametrize("since", ["7", "d", "0d", "367d", "a week", "-1d"])
def test_since_is_a_number_of_days(since: str) -> None:
    with pytest.raises(Invalid) as refused:
        window_since(since, today=TODAY)
    assert _fields(refused) == [("since", "must be a number of days, as 7d (1 to 366)")]


def test_bad_dates_are_named_both() -> None:
    with pytest.raises(Invalid) as refused:
        window_of("2026-02-30", "tomorrow", today=TODAY)
    assert _fields(refused) == [
        ("from", "must be a date, as 2026-01-31"),
        ("to", "must be a date, as 2026-01-31"),
    ]
