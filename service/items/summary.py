"""The summary of many items: counts by kind, status, phase and outcome, the overdue count, the
share of commitments delivered and the last change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from service.events import service as events
from service.items import tally, vocabulary
from service.items.filters import ItemFilters
from service.items.listing import over_items, search_params, searched, where
from service.items.models import Item, KindSummary, Summary


def overdue_count(session: Session, *, filters: ItemFilters, today: dt.date) -> int:
    """How many of the items these filters select (their text search aside) are overdue."""
    overdue_filters = filters.model_copy(update={"overdue": True})
    counted: int = session.execute(
        sa.select(sa.func.count()).select_from(Item).where(*where(overdue_filters, today))
    ).scalar_one()
    return counted


def summary(
    session: Session,
    *,
    filters: ItemFilters | None = None,
    overdue: int | None = None,
    last_change_at: dt.datetime | None = None,
) -> Summary:
    """Counts by kind, status, phase and outcome; overdue count; commitments delivered share.
    Without filters the counts come from the tally; with them (the dashboard's filtered view),
    from the matching items. `overdue` and `last_change_at`, when the caller knows them already
    (`overdue_count`, `events.last_change_at`), are not read again."""
    filters = filters or ItemFilters()
    today = dt.datetime.now(dt.UTC).date()
    counts: list[Any]
    if filters.is_empty:
        counts = list(tally.counts(session))
    else:
        matches = searched(session, filters)
        kind, status = col(Item.kind), col(Item.status)
        query = over_items(sa.select(kind, status, sa.func.count()), matches).where(
            *where(filters, today)
        )
        counts = list(session.execute(query.group_by(kind, status), search_params(matches)))
    if overdue is None:
        overdue = overdue_count(session, filters=filters, today=today)
    return of_counts(
        counts, overdue=overdue, last_change_at=last_change_at or events.last_change_at(session)
    )


def of_counts(
    counts: Iterable[tuple[str, str, int]], *, overdue: int, last_change_at: dt.datetime | None
) -> Summary:
    """The summary of these (kind, status, count) rows."""
    kinds = {
        kind.code: KindSummary(
            label=kind.plural,
            total=0,
            by_phase=dict.fromkeys(vocabulary.PHASES, 0),
            by_status={s.code: 0 for s in kind.statuses},
            by_outcome=dict.fromkeys(vocabulary.OUTCOMES, 0),
        )
        for kind in vocabulary.KINDS
    }
    for kind, status, count in counts:
        entry = kinds[kind]
        found = vocabulary.status_of(kind, status)
        entry.total += count
        entry.by_status[status] += count
        entry.by_phase[found.phase] += count
        entry.by_outcome[found.outcome] += count
    commitments = kinds["commitment"]
    return Summary(
        total=sum(k.total for k in kinds.values()),
        kinds=kinds,
        overdue=overdue,
        commitments_delivered_share=(
            round(commitments.by_status["delivered"] / commitments.total, 4)
            if commitments.total
            else None
        ),
        last_change_at=last_change_at,
    )
