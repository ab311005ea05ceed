"""A deadline in a sentence, as the day it ends: "by 31 March 2027", "by March 2027", "by the end of
March", "by the end of the year", "within six months", "in the next 28 days". A date without its
year, or a span of time, counts from the source's date, and is not guessed when the source has
none. The words it came from go with it, so that an editor sees why a form says so."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18,
    "twenty": 20, "thirty": 30,
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_NUMBER = r"(?P<count>\d{1,3}|" + "|".join(NUMBERS) + r")"
_PATTERNS = (
    # by 31 March 2027, by 31st March, by March 31, 2027
    re.compile(
        r"\b(?:by|before|no later than|until)\s+(?:the\s+)?(?P<day>\d{1,2})(?:st|nd|rd|th)?"
        rf"(?:\s+of)?\s+{_MONTH}(?:,?\s+(?P<year>\d{{4}}))?\b",
        re.I,
    ),
    re.compile(
        rf"\b(?:by|before|no later than|until)\s+{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
        r"(?:,?\s+(?P<year>\d{4}))?\b",
        re.I,
    ),
    # by the end of March (2027), by March 2027
    re.compile(
        rf"\b(?:by|before)\s+(?:the\s+end\s+of\s+)?{_MONTH}(?:\s+(?P<year>\d{{4}}))?\b", re.I
    ),
    # by the end of the year / of 2027
    re.compile(r"\bby\s+the\s+end\s+of\s+(?:the\s+year|(?P<year>\d{4}))\b", re.I),
    # within six months, in the next 28 days, within a year
    re.compile(
        rf"\b(?:within|in\s+the\s+next)\s+{_NUMBER}\s+(?P<unit>days?|weeks?|months?|years?)\b",
        re.I,
    ),
)


@dataclass(frozen=True)
class Deadline:
    due_on: dt.date
    words: str  # as the sentence writes them


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def find(sentence: str, *, written_on: dt.date | None) -> Deadline | None:
    """The first deadline the sentence states, or None (also when it would need the source's
    date and the source has none)."""
    for pattern in _PATTERNS:
        match = pattern.search(sentence)
        if match is None:
            continue
        due = _due(match.groupdict(), written_on)
        if due is not None:
            return Deadline(due, match.group(0))
    return None


def _due(found: dict[str, str | None], written_on: dt.date | None) -> dt.date | None:
    year = int(found["year"] or 0) if found.get("year") else None
    if found.get("unit"):
        if written_on is None:
            return None
        raw = (found.get("count") or "").lower()
        count = int(raw) if raw.isdigit() else NUMBERS.get(raw, 0)
        unit = (found["unit"] or "").lower().rstrip("s")
        if unit == "day":
            return written_on + dt.timedelta(days=count)
        if unit == "week":
            return written_on + dt.timedelta(weeks=count)
        return _add_months(written_on, count * (12 if unit == "year" else 1))
    month_name = (found.get("month") or "").lower()
    if not month_name:  # the end of the year, or of a year named
        if year is None and written_on is None:
            return None
        return dt.date(year or (written_on.year if written_on else 0), 12, 31)
    month = MONTHS[month_name]
    if year is None:
        if written_on is None:
            return None
        # The next such month from the source's date (by March, written in May: next March).
        year = written_on.year + (1 if month < written_on.month else 0)
    try:
        if found.get("day"):
            return dt.date(year, month, int(found["day"] or 0))
        return _month_end(year, month)
    except ValueError:
        return None
