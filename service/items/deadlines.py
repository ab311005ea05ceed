"""The deadlines of a view of the items: how many have one, how many of those are overdue, and
how many commitments have none. "Overdue 0" reads as good news; when nobody recorded a
deadline it is no news at all, and the dashboard says so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from service.items.filters import ItemFilters
from service.items.listing import over_items, search_params, searched, where
from service.items.models import Item


@dataclass(frozen=True)
class Deadlines:
    """Counts over the published items a view selects (its text search included)."""

    with_deadline: int
    overdue: int
    commitments_without: int


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def deadlines(session: Session, *, filters: ItemFilters, today: dt.date) -> Deadlines:
    due_on = col(Item.due_on)
    matches = searched(session, filters)
    counts = over_items(
        sa.select(
            _count(due_on.is_not(None)),
            _count(sa.and_(col(Item.kind) == "commitment", due_on.is_(None))),
        ),
        matches,
    ).where(*where(filters, today))
    with_deadline, without = session.execute(counts, search_params(matches)).one()
    # Overdue as the list's `overdue` filter judges it: one home for the rule.
    overdue_filters = filters.model_copy(update={"overdue": True})
    overdue = over_items(sa.select(sa.func.count()), matches).where(*where(overdue_filters, today))
    counted = session.execute(overdue, search_params(matches)).scalar_one()
    return Deadlines(int(with_deadline), int(counted), int(without))
