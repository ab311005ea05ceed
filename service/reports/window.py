"""A report's window from what a reader asked for (`from`, `to`, or `since` such as "7d"):
checked once here, for the page, its twins and `tracker report`."""

from __future__ import annotations

import datetime as dt
import re

from service.errors import FieldError, invalid
from service.reports.models import DEFAULT_DAYS, MAX_DAYS, ReportWindow

_SINCE = re.compile(r"^\s*(\d{1,3})\s*d\s*$")


def _day(value: str | None, name: str, errors: list[FieldError]) -> dt.date | None:
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        errors.append(FieldError(name, "must be a date, as 2026-01-31"))
        return None


def window_of(start: str | None, end: str | None, *, today: dt.date | None = None) -> ReportWindow:
    """The window from `start` to `end` (ISO dates, UTC days, both included). Without `end`,
    today; without `start`, the 7 days that end with `end`. Neither may be after today, `start`
    not after `end`, and the window not longer than a year."""
    today = today or dt.datetime.now(dt.UTC).date()
    errors: list[FieldError] = []
    first, last = _day(start, "from", errors), _day(end, "to", errors)
    if errors:
        raise invalid(*errors)
    last = last or today
    first = first or last - dt.timedelta(days=DEFAULT_DAYS - 1)
    for day, name in ((first, "from"), (last, "to")):
        if day > today:
            errors.append(FieldError(name, f"must not be after today ({today.isoformat()}, UTC)"))
    if first > last:
        if not any(e.field == "from" for e in errors):
            errors.append(FieldError("from", "must not be after `to`"))
    elif (last - first).days + 1 > MAX_DAYS:
        errors.append(FieldError("to", f"the window is at most {MAX_DAYS} days"))
    if errors:
        raise invalid(*errors)
    return ReportWindow(start=first, end=last)


def window_since(since: str, *, today: dt.date | None = None) -> ReportWindow:
    """The last N days, today included, from "7d"."""
    today = today or dt.datetime.now(dt.UTC).date()
    matched = _SINCE.match(since)
    if matched is None or not 1 <= int(matched.group(1)) <= MAX_DAYS:
        raise invalid(FieldError("since", f"must be a number of days, as 7d (1 to {MAX_DAYS})"))
    days = int(matched.group(1))
    return window_of((today - dt.timedelta(days=days - 1)).isoformat(), today.isoformat(),
                     today=today)  # fmt: skip
