"""A deadline in a sentence, as the day it ends: "by 31 March 2027", "by March 2027", "by the end of
March", "by the end of the year", "within six months", "in the next 28 days", "Due date: 31
October 2026", a table's "Target date" column. What is to start on a day ("from 1 April",
"starting in July") falls due that day or in that month. A date without its year, or a span of
time, counts from the source's date, and is not guessed when the source has none. The words it
came from go with it, so that an editor sees why a form says so."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
MONTHS |= {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "twenty-one": 21, "twenty-four": 24, "twenty-eight": 28,
    "thirty": 30, "thirty-six": 36, "forty": 40, "forty-two": 42, "forty-eight": 48,
    "fifty": 50, "sixty": 60, "ninety": 90,
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_NUMBER = r"(?P<count>\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")\b"
_WEEKDAY = "|".join(name.lower() for name in calendar.day_name)
# A requirement's own deadline line ("Due date: 31 October 2026", "Timescale: by March 2027").
_LABEL = r"(?:due(?:\s+date|\s+by)?|deadline|target\s+date|completion\s+date|timescale)\s*:\s*"
_BY = (
    r"\b(?:by|before|ahead\s+of|no\s+later\s+than|not\s+later\s+than|until(?:\s+at\s+least)?)"
    r"\s+"
)
_BY_DAY = rf"(?:\b(?:by|before|no later than|until)\s+(?:(?:{_WEEKDAY})\s+)?|\b{_LABEL})"
_END_OF = r"(?:the\s+)?end\s+of\s+"
_PATTERNS = (
    # by 31 March 2027, by 31st March, by March 31, 2027
    re.compile(
        rf"{_BY_DAY}(?:the\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
        rf"(?:\s+of)?\s+{_MONTH}(?:,?\s+(?P<year>\d{{4}}))?\b",
        re.I,
    ),
    re.compile(
        rf"{_BY_DAY}{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
        r"(?:,?\s+(?P<year>\d{4}))?\b",
        re.I,
    ),
    # by the end of March (2027), by March 2027, by next April, by April next year
    re.compile(
        rf"(?:{_BY}|\b{_LABEL})(?:{_END_OF}|(?P<mid>(?:the\s+)?mid(?:dle\s+of\s+|-|\s+)))?"
        rf"(?P<next>next\s+)?{_MONTH}"
        r"(?:\s+(?P<year>\d{4})|(?P<next_year>\s+next\s+year))?\b",
        re.I,
    ),
    # by the end of the year / of this month / of next year / of the financial year / of 2027
    re.compile(
        rf"{_BY}{_END_OF}(?:(?P<which>the|this|next)\s+"
        r"(?P<period>financial\s+year|year|month)|(?P<year>\d{4}))\b(?![-\u2013/]\d)",
        re.I,
    ),
    # by 2027-28, by the end of 2027/28: a financial year, to 31 March
    re.compile(
        rf"{_BY}(?:{_END_OF})?(?:the\s+)?(?P<fy_start>20\d\d)[-\u2013/](?:20)?(?P<fy_end>\d\d)\b",
        re.I,
    ),
    # by 2030
    re.compile(rf"{_BY}(?P<year>20\d\d)\b(?![-\u2013/]\d)", re.I),
    # within six months, in the next 28 days, within a year, in six weeks' time, within 14 days
    # of this report (but not "within 18 months of its start": that counts from something else)
    re.compile(
        rf"\b(?:within(?:\s+the\s+next)?|(?:in|over)\s+the\s+(?:next|coming)|(?P<in>in))\s+{_NUMBER}"
        r"\s+(?P<working>working\s+)?(?P<unit>hours?|days?|weeks?|fortnights?|months?|years?)\b"
        r"(?P<time>['\u2019]?\s+time\b)?"
        r"(?P<of>\s+of\s+(?!(?:the\s+date\s+of\s+|receipt\s+of\s+|receiving\s+|(?:the\s+)?"
        r"publication\s+of\s+)?(?:this|the|my|our|its)\s+(?:final\s+)?"
        r"(?:decision|judge?ment|ruling|order|report|letter|notice)\b|this\b|today\b"
        r"|publication\b))?",
        re.I,
    ),
    # within the next week, over the coming year: one of them; to be reviewed after 12 months
    re.compile(
        r"\b(?:within|in|over|during)\s+the\s+(?:next|coming)\s+(?P<count>)"
        r"(?P<unit>week|fortnight|month|year)\b",
        re.I,
    ),
    re.compile(
        rf"\bafter\s+{_NUMBER}\s+(?P<unit>days|weeks|months|years)\b(?!\s+of\b)(?P<future>)",
        re.I,
    ),
    # by Friday, from Monday: the next such day after the source's date
    re.compile(
        rf"(?:{_BY}|\bfrom\s+)(?:(?:midday|noon|midnight|\d{{1,2}}(?:[.:]\d\d)?\s*(?:am|pm))\s+on\s+)?"
        rf"(?:this\s+|next\s+)?(?P<weekday>{_WEEKDAY})\b",
        re.I,
    ),
    # on Friday: only in a future clause, even in a promise ("handed down on Tuesday")
    re.compile(
        rf"\bon\s+(?:this\s+|next\s+)?(?P<weekday>{_WEEKDAY})\b(?P<future>)(?P<strict>)", re.I
    ),
    # by the summer, by spring 2027, by the end of the autumn, in the summer of 2028, this spring
    # (its last day); before the winter (the day before it starts)
    re.compile(
        r"(?:\b(?P<before>before|ahead\s+of|from)\s+|\b(?:by|no\s+later\s+than|until|in|during)\s+"
        rf"(?P<end>{_END_OF})?|(?=this\s|next\s))(?:the\s+|this\s+|next\s+)?"
        r"(?P<season>spring|summer|autumn|winter)(?:\s+(?:of\s+)?(?P<year>\d{4}))?\b"
        r"(?!\s+(?:recess|holidays?|term|break|months|fair))(?P<future>)",
        re.I,
    ),
    # by Christmas
    re.compile(rf"{_BY}(?P<christmas>christmas)\b", re.I),
    # by 6pm, by tonight, by the end of the day, by tomorrow: the source's day, or the next
    re.compile(
        rf"{_BY}(?:\d{{1,2}}(?:[.:]\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{{1,2}}:\d\d\b|tonight"
        r"|midnight"
        r"|(?:the\s+)?end\s+of\s+(?:the\s+)?day|close\s+of\s+play|(?P<tomorrow>tomorrow))"
        r"(?P<today>)",
        re.I,
    ),
    re.compile(
        r"\b(?:tonight|with\s+immediate\s+effect)\b(?P<today>)(?P<future>)(?P<strict>)", re.I
    ),
    # this week, by the end of next week: its Friday
    re.compile(
        rf"(?:{_BY}(?:{_END_OF})?)?\b(?P<which>this|next)\s+week\b(?P<week>)(?P<future>)(?P<strict>)",
        re.I,
    ),
    # next March: the next such month
    re.compile(rf"\b(?P<next>next)\s+{_MONTH}\b(?P<future>)", re.I),
    # what will be done on 1 April 2027, in July, in March 2027, next year, later this year
    re.compile(
        rf"\bon\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+)?(?P<day>\d{{1,2}})"
        rf"(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}(?:,?\s+(?P<year>\d{{4}}))?\b(?P<future>)",
        re.I,
    ),
    re.compile(
        r"\b(?:(?:starting|beginning)\s+)?in\s+(?:early\s+|mid-|late\s+)?"
        rf"{_MONTH}(?:\s+(?P<year>\d{{4}}))?\b(?P<future>)",
        re.I,
    ),
    # what is to start on a day: from 1 April 2027, from April, starting from January 2027
    re.compile(
        r"\b(?:(?:starting|beginning|with\s+effect)\s+)?from\s+(?:(?P<day>\d{1,2})(?:st|nd|rd|th)?"
        rf"(?:\s+of)?\s+)?{_MONTH}(?:\s+(?P<year>\d{{4}}))?\b(?!\s+(?:to|until)\s+\d)"
        r"(?P<future>)(?P<first>)",
        re.I,
    ),
    # in 2027, starting in 2027 (about what is to come): that year's last day
    re.compile(
        r"\b(?:starting\s+|beginning\s+)?(?:in|during)\s+(?P<year>20\d\d)\b"
        r"(?![-\u2013/]\d)(?P<future>)",
        re.I,
    ),
    re.compile(
        r"\b(?:(?P<next_year>next)|(?:later\s+)?this)\s+(?P<period>year|month)\b(?P<future>)"
        r"(?P<strict>)",
        re.I,
    ),
    # in the next financial year (to its last day), from the start of the next financial year
    # (its first day)
    re.compile(
        r"\b(?:(?:in|during)\s+|(?P<fy_from>from\s+(?:the\s+)?(?:start|beginning)\s+of\s+)"
        r"|(?P<fy_before>before\s+))?(?:the\s+)?(?P<which>next|coming|this|current)"
        r"\s+(?P<period>financial\s+year)\b(?P<future>)",
        re.I,
    ),
    # in the new year: its first month
    re.compile(r"\bin\s+the\s+new\s+year\b(?P<new_year>)(?P<future>)", re.I),
    # to the Cabinet's October meeting, at the January 2027 meeting: that month
    re.compile(
        r"\b(?:to|at|by|before|until)\s+the\s+(?:[\w-]+(?:'s|\u2019s)\s+|next\s+)?"
        rf"{_MONTH}(?:\s+(?P<year>\d{{4}}))?\s+(?:\w+\s+)?meeting\b(?P<future>)",
        re.I,
    ),
)
# A claim about what is to come, for a date that would otherwise only say when something was.
FUTURE = re.compile(
    r"\b(?:will|would|shall|to\s+be|(?:intends?|plans?|aims?|expects?|going"
    r"|(?:is|are)(?:\s+(?:now|also|still|already))?\s+(?:set|due)|expected|scheduled"
    r"|undert(?:ook|akes?|aken)|agree[sd]?)"
    r"\s+to|should|must|pledged|promised|committed)\b",
    re.I,
)
# Where the clause holding a date begins: its future tense must be in that clause.
CLAUSE = re.compile(
    r",\s*(?:which|who|when|where|after|since|as)\b|;|\b(?:after|since|when)\b", re.I
)


def _future(sentence: str, at: int) -> bool:
    """Whether the clause that holds sentence[at] speaks of what is to come."""
    starts = [m.end() for m in CLAUSE.finditer(sentence, 0, at)]
    return FUTURE.search(sentence, starts[-1] if starts else 0, at) is not None


def _main_clause(sentence: str, at: int) -> bool:
    """Whether sentence[at] is in the sentence's first clause (not "..., which rose in April")."""
    return CLAUSE.search(sentence, 0, at) is None


# The last month of each season, as the tracker counts them (spring ends in May).
SEASON_ENDS = {"spring": 5, "summer": 8, "autumn": 11, "winter": 2}


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


# A first term's deadline: "within our first 100 days", "by the end of my first year in office".
FIRST_TERM = re.compile(
    r"\b(?:within|in|during|by\s+the\s+end\s+of|before\s+the\s+end\s+of)\s+(?:our|my|their|its)"
    rf"\s+first\s+(?:{_NUMBER}\s+)?(?P<unit>days?|weeks?|months?|years?)\b"
    r"(?:\s+in\s+(?:office|power|charge))?",
    re.I,
)
# Or counted from the start of the term in so many words: "within six months of taking office",
# "within a month of the election".
TERM_START = re.compile(
    rf"\bwithin\s+{_NUMBER}\s+(?P<unit>days?|weeks?|months?|years?)\s+of\s+(?:(?:taking|entering)"
    r"\s+office|(?:the|being|our|my|their)\s+(?:election|elected)|being\s+elected|coming\s+(?:in)?to"
    r"\s+(?:power|office)|polling\s+day)\b",
    re.I,
)


# Polling day itself: "before polling day", "ahead of the election".
POLLING = re.compile(
    r"\b(?:before|by|ahead\s+of)\s+(?:polling\s+day|the\s+(?:election|poll)\b(?!\s+of\b))", re.I
)


def counts_from_term(sentence: str) -> bool:
    """Whether the sentence states a deadline counted from polling day or the start of a term."""
    return any(p.search(sentence) is not None for p in (FIRST_TERM, TERM_START, POLLING))


# The day a manifesto's term would start: "Polling day: Thursday 4 May 2028", "the elections on
# Thursday 7 May".
POLLING_DAY = re.compile(
    r"\b(?:polling\s+day|election\s+day|elections?|vote)\b[^.\n]{0,40}?(?:\bon\s+|\bis\s+|:\s*)"
    rf"(?:(?:{_WEEKDAY})\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+(?P<year>\d{{4}}))?\b",
    re.I,
)


def polling_day(text: str, written_on: dt.date | None) -> dt.date | None:
    """The election day a text names, from which a first term's deadlines count, or None."""
    match = POLLING_DAY.search(text)
    if match is None:
        return None
    found = match.groupdict()
    if not found.get("year") and written_on is None:
        return None
    return _due(found, written_on)


def find(
    sentence: str,
    *,
    written_on: dt.date | None,
    term_from: dt.date | None = None,
    to_come: bool = False,
) -> Deadline | None:
    """The first deadline the sentence states, or None (also when it would need the source's
    date and the source has none). `term_from`: the election day a first term's deadlines
    ("within our first 100 days", "within six months of taking office") count from, if the text
    names one. `to_come`: the sentence is known to speak of what is to
    come (a promise or a proposal, an item of a list that promises), so a date in it ("in spring
    2027", "starting in July") is when it is due, though the clause has no future tense of its
    own, unless it is in a clause of its own ("..., which closed in January"); a date before the
    source's is still not a deadline."""
    if term_from is not None:
        for term in (FIRST_TERM, TERM_START):
            first = term.search(sentence)
            if first is not None:
                raw = (first.group("count") or "one").lower()
                due = _due({"count": raw, "unit": first.group("unit")}, term_from)
                if due is not None:
                    return Deadline(due, first.group(0).strip())
        polling = POLLING.search(sentence)
        if polling is not None:
            return Deadline(term_from, polling.group(0).strip())
    for pattern in _PATTERNS:
        for match in pattern.finditer(sentence):
            found = match.groupdict()
            if found.get("of") or (found.get("in") and not found.get("time")):
                continue  # "within 18 months of its start"; "in two years" without "time"
            if (found.get("unit") or "").lower().startswith("hour") and not re.search(
                r"\bnext\b", match.group(0), re.I
            ):
                continue  # "seen by a GP within 48 hours" is a standard, not a day
            if (
                found.get("future") is not None
                and not (
                    to_come
                    and found.get("strict") is None
                    and _main_clause(sentence, match.start())
                )
                and not _future(sentence, match.start())
                and not (found.get("first") is not None and found.get("year"))
            ):
                continue  # "she was told in February", "the library, which closed in January"
            if found.get("today") is not None:
                if written_on is None:
                    continue
                days = 1 if found.get("tomorrow") else 0
                return Deadline(written_on + dt.timedelta(days=days), match.group(0).strip())
            due = _due(found, written_on)
            if (
                due is not None
                and found.get("future") is not None
                and written_on
                and due < written_on
            ):
                continue  # "it closed in March 2025"
            if due is not None:
                return Deadline(due, match.group(0).strip())
    return None


def _named_day(found: dict[str, str | None], written_on: dt.date | None) -> dt.date | None:
    """A weekday, a season or Christmas Day: the next one after the source's date, or the season
    of the year named ("by spring 2027"). "By the summer" and "in the summer" are its last day,
    "before the winter" the day before it starts, "from next spring" its first day."""
    weekday, season = (found.get("weekday") or "").lower(), (found.get("season") or "").lower()
    year = int(found["year"] or 0) if found.get("year") else None
    # The last month of the season, or of the one before it.
    ends = SEASON_ENDS.get(season, 0)
    before = (found.get("before") or "").lower()
    month = (ends - 4) % 12 + 1 if before else ends
    starts = dt.timedelta(days=1 if before == "from" else 0)
    if season and year is not None:
        return _month_end(year + (1 if season == "winter" and month < 6 else 0), month) + starts
    if written_on is None:
        return None
    if weekday:
        ahead = (list(calendar.day_name).index(weekday.title()) - written_on.weekday()) % 7
        return written_on + dt.timedelta(days=ahead or 7)
    if season:
        end = _month_end(written_on.year, month)
        if end < written_on:
            end = _month_end(written_on.year + 1, month)
        return end + starts
    christmas = dt.date(written_on.year, 12, 25)
    return christmas if christmas >= written_on else dt.date(written_on.year + 1, 12, 25)


def _working_days_on(day: dt.date, count: int) -> dt.date:
    """The day `count` working days (Monday to Friday) after `day`."""
    while count > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _period_end(period: str, which: str, written_on: dt.date | None) -> dt.date | None:
    """The end of the year, of next month, of the financial year (to 31 March), from the
    source's date."""
    if written_on is None:
        return None
    ahead = 1 if which == "next" else 0
    if period == "month":
        month = _add_months(written_on.replace(day=1), ahead)
        return _month_end(month.year, month.month)
    if period == "year":
        return dt.date(written_on.year + ahead, 12, 31)
    ends = written_on.year + (1 if written_on.month > 3 else 0) + ahead
    return dt.date(ends, 3, 31)


def _due(found: dict[str, str | None], written_on: dt.date | None) -> dt.date | None:
    year = int(found["year"] or 0) if found.get("year") else None
    if found.get("unit"):
        if written_on is None:
            return None
        raw = (found.get("count") or "").lower()
        count = int(raw) if raw.isdigit() else NUMBERS.get(raw, 0)
        unit = (found["unit"] or "").lower().rstrip("s")
        count = count or 1  # "within the next week"
        if unit == "hour":
            return written_on + dt.timedelta(days=-(-count // 24))
        if unit == "day" and found.get("working"):
            return _working_days_on(written_on, count)
        if unit == "day":
            return written_on + dt.timedelta(days=count)
        if unit == "fortnight":
            return written_on + dt.timedelta(weeks=2 * count)
        if unit == "week":
            return written_on + dt.timedelta(weeks=count)
        return _add_months(written_on, count * (12 if unit == "year" else 1))
    if found.get("weekday") or found.get("season") or found.get("christmas"):
        return _named_day(found, written_on)
    if found.get("week") is not None:
        if written_on is None:
            return None
        friday = written_on + dt.timedelta(days=(4 - written_on.weekday()) % 7)
        return friday + dt.timedelta(weeks=1 if (found.get("which") or "").lower() == "next" else 0)
    if found.get("new_year") is not None:
        return None if written_on is None else dt.date(written_on.year + 1, 1, 31)
    if found.get("fy_start"):
        return dt.date(int(found["fy_start"] or 0) // 100 * 100 + int(found["fy_end"] or 0), 3, 31)
    period = re.sub(r"\s+", " ", (found.get("period") or "").lower())
    if period:
        which = "next" if found.get("next_year") else (found.get("which") or "").lower()
        if found.get("fy_before") and which in ("next", "coming"):
            which = "this"  # before the next financial year: by the end of this one
        ends = _period_end(period, "next" if which == "coming" else which, written_on)
        if ends is not None and found.get("fy_from"):
            return dt.date(ends.year - 1, 4, 1)  # the financial year's first day
        return ends
    month_name = (found.get("month") or "").lower()
    if not month_name:  # the end of the year, or of a year named
        if year is None and written_on is None:
            return None
        return dt.date(year or (written_on.year if written_on else 0), 12, 31)
    month = MONTHS[month_name]
    if year is None:
        if written_on is None:
            return None
        # The next such month from the source's date (by March, written in May: next March;
        # "by next March" or "by March next year", written in March: the March after).
        if found.get("next_year"):
            year = written_on.year + 1
        elif found.get("next"):
            year = written_on.year + (1 if month <= written_on.month else 0)
        else:
            year = written_on.year + (1 if month < written_on.month else 0)
    try:
        if found.get("day"):
            return dt.date(year, month, int(found["day"] or 0))
        if found.get("mid") is not None:
            return dt.date(year, month, 15)
        if found.get("first") is not None:  # "from April": the day it starts
            return dt.date(year, month, 1)
        return _month_end(year, month)
    except ValueError:
        return None


# A table's column of deadlines ("Action | Lead | Target date").
_DUE_COLUMN = re.compile(
    r"(?:due(?:\s+date|\s+by)?|date\s+due|deadline|target(?:\s+date)?|by(?:\s+when)?"
    r"|completion\s+date|timescale)",
    re.I,
)


# ... and of what is to be done.
_ACTION_COLUMN = re.compile(
    r"(?:agreed\s+)?actions?|pledges?|commitments?|promises?|what\s+we\s+will\s+do", re.I
)
_ACTIONS_TITLE = re.compile(r"\bactions?\b", re.I)


def _table_row(text: str, start: int, end: int) -> tuple[str, list[str], list[str]] | None:
    """The table row holding text[start:end]: the line just above its table (its title, if
    any), the cells of its table's first line when that line heads its columns ("Action | Lead |
    Target date"), and its own cells; None when it is no table's row."""
    row_start = text.rfind("\n", 0, start) + 1
    row_end = text.find("\n", end)
    row = text[row_start : len(text) if row_end == -1 else row_end]
    if "|" not in row:
        return None
    first = row_start  # the first line of the run of lines with cells
    while first > 0:
        above = text.rfind("\n", 0, first - 1) + 1
        if "|" not in text[above : first - 1]:
            break
        first = above
    title = text[text.rfind("\n", 0, first - 1) + 1 : first - 1] if first > 0 else ""
    first_end = text.find("\n", first)
    first_line = text[first : len(text) if first_end == -1 else first_end]
    cells = [cell.strip() for cell in first_line.split("|")]
    if not any(_DUE_COLUMN.fullmatch(c) or _ACTION_COLUMN.fullmatch(c) for c in cells):
        cells = []  # a table without a line of headings
    elif first == row_start:
        return None  # the row is the table's headings
    return title, cells, row.split("|")


def action_table_row(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a row of a table of actions: its headings name the action and
    when it is due ("Action | Lead | Target date"), or its title names actions ("ACTION LOG")."""
    table = _table_row(text, start, end)
    if table is None:
        return False
    title, headings, _ = table
    return (
        any(_ACTION_COLUMN.fullmatch(h) for h in headings)
        and any(_DUE_COLUMN.fullmatch(h) for h in headings)
    ) or _ACTIONS_TITLE.search(title) is not None


def table_due(text: str, start: int, end: int, *, written_on: dt.date | None) -> Deadline | None:
    """The deadline of a table row holding text[start:end] ("Ban on personal messaging groups |
    Chief Fire Officer | 1 November 2026"), read from its cell under a heading of deadlines in
    the table's first line ("Action | Lead | Target date"), or None."""
    table = _table_row(text, start, end)
    if table is None:
        return None
    _, headings, cells = table
    for column, heading in enumerate(headings):
        if column < len(cells) and _DUE_COLUMN.fullmatch(heading):
            cell = cells[column].strip()
            deadline = find(f"Due: {cell}", written_on=written_on) if cell else None
            if deadline is not None:
                return Deadline(deadline.due_on, cell)
    return None
