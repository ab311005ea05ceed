"""A report's inputs read from this tracker's database: the same public data that
`tracker report` reads from the JSON API (the change feed, the summary as of a day, the overdue
items, the commitments with a numeric target and their histories)."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from service.events import service as events
from service.events.models import ChangeWindow, EventPublic
from service.items import listing
from service.items.filters import MAX_LIMIT, ItemFilters
from service.items.models import ItemPublic
from service.items.summary_as_of import end_of_day, summary_as_of
from service.reports.models import ReportInputs, ReportWindow, TargetHistory


def window_events(session: Session, *, window: ReportWindow) -> list[EventPublic]:
    """The public events recorded in the window, in id order (the change feed's pages)."""
    span = ChangeWindow(
        since=dt.datetime.combine(window.start, dt.time.min, tzinfo=dt.UTC),
        until=end_of_day(window.end),
    )
    found: list[EventPublic] = []
    after = 0
    while True:
        page = events.feed(session, after=after, limit=1000, window=span)
        found.extend(page.events)
        if not page.has_more or not page.events:
            return found
        after = page.events[-1].id


def all_items(session: Session, *, filters: ItemFilters) -> list[ItemPublic]:
    """Every published item these filters select, page after page."""
    found: list[ItemPublic] = []
    cursor: str | None = None
    while True:
        page = listing.list_page(session, filters=filters, limit=MAX_LIMIT, cursor=cursor)
        found.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return found


def inputs(session: Session, *, window: ReportWindow) -> ReportInputs:
    """Everything a report of `window` is made from."""
    commitments = all_items(session, filters=ItemFilters(kind="commitment"))
    targets = [
        TargetHistory(item=item, history=events.history(session, item_id=item.id))
        for item in commitments
        if item.tracks_progress
    ]
    return ReportInputs(
        window=window,
        events=window_events(session, window=window),
        start=summary_as_of(session, day=window.day_before),
        end=summary_as_of(session, day=window.end),
        overdue=all_items(session, filters=ItemFilters(overdue=True)),
        targets=targets,
    )
