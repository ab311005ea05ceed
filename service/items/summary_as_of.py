"""The summary as it stood at the end of a past day (UTC), from the history: each item's
kind, status, due date and publication now, with the events recorded after that day undone,
newest first (a status change back to its `from_status`, a correction's or an edit's `changes`
back to their old values, a publication back to a draft, a retraction back to published, a
creation to nothing). An item counts if it was published then; drafts never do."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import BeforeValidator, WithJsonSchema
from sqlmodel import Session, col

from service.errors import FieldError, invalid
from service.events.models import Event
from service.items import vocabulary
from service.items.models import PUBLISHED, Item, Summary
from service.items.summary import of_counts

# The events that change what the summary counts.
_COUNTED_TYPES = ("created", "status", "published", "retracted", "correction", "edit")

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    """A day written as ISO 8601 (2026-01-31), and nothing else (not 0, not a time)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not _ISO_DAY.fullmatch(value):
        raise ValueError("must be a date, as 2026-01-31")
    return dt.date.fromisoformat(value)


# A day as a query parameter: ISO 8601 only.
IsoDay = Annotated[
    dt.date, BeforeValidator(_iso_day), WithJsonSchema({"type": "string", "format": "date"})
]


@dataclass(slots=True)
class _Standing:
    kind: str
    status: str
    due_on: dt.date | None
    publication: str
    existed: bool = True


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in UTC: what was recorded by then counts."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


def check_day(day: dt.date, *, name: str = "as_of", today: dt.date | None = None) -> None:
    """A day the history can answer for: not after today (UTC), which has no history yet."""
    today = today or dt.datetime.now(dt.UTC).date()
    if day > today:
        raise invalid(FieldError(name, f"must not be after today ({today.isoformat()}, UTC)"))


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _undo(standing: _Standing, event: Any) -> None:
    changes: dict[str, Any] = event.changes or {}
    if event.type == "created":
        standing.existed = False
    elif event.type == "status" and event.from_status is not None:
        standing.status = event.from_status
    elif event.type == "published":
        standing.publication = "draft"
    elif event.type == "retracted":
        standing.publication = PUBLISHED
    for name in ("kind", "status", "due_on"):
        change = changes.get(name)
        if event.type in ("correction", "edit") and isinstance(change, list) and len(change) == 2:
            setattr(standing, name, _day(change[0]) if name == "due_on" else change[0])


def summary_as_of(session: Session, *, day: dt.date) -> Summary:
    """The counts by kind, status, phase and outcome, the overdue count (judged on `day`) and
    the last public change, as they stood at the end of `day` (UTC)."""
    check_day(day)
    end = end_of_day(day)
    rows = session.execute(
        sa.select(
            col(Item.id), col(Item.kind), col(Item.status), col(Item.due_on),
            col(Item.publication),
        ).where(col(Item.publication) != "draft")
    ).all()  # fmt: skip
    standing = {r.id: _Standing(r.kind, r.status, r.due_on, r.publication) for r in rows}
    later = session.execute(
        sa.select(col(Event.item_id), col(Event.type), col(Event.from_status), col(Event.changes))
        .where(col(Event.at) > end, col(Event.type).in_(_COUNTED_TYPES))
        .order_by(col(Event.id).desc())
    ).all()
    for event in later:
        found = standing.get(event.item_id)
        if found is not None:
            _undo(found, event)
    counts: dict[tuple[str, str], int] = {}
    overdue = 0
    for item in standing.values():
        if not item.existed or item.publication != PUBLISHED:
            continue
        counts[(item.kind, item.status)] = counts.get((item.kind, item.status), 0) + 1
        resolved = item.status in vocabulary.RESOLVED_STATUSES
        if item.due_on is not None and item.due_on < day and not resolved:
            overdue += 1
    # As `events.last_change_at`: the newest public event's time, of those recorded by then.
    last_change_at: dt.datetime | None = session.execute(
        sa.select(col(Event.at))
        .join(Item, col(Item.id) == col(Event.item_id))
        .where(col(Item.publication) != "draft", col(Event.at) <= end)
        .order_by(col(Event.id).desc())
        .limit(1)
    ).scalar_one_or_none()
    return of_counts(
        [(kind, status, n) for (kind, status), n in counts.items()],
        overdue=overdue,
        last_change_at=last_change_at,
    )
