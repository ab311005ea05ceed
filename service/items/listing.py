"""Many items: the list filters, keyset pages and their cursors, counts, and the summary."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterator
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session

from service.actors.models import Actor
from service.errors import FieldError, invalid
from service.events import service as events
from service.items import service as items
from service.items import tally, vocabulary
from service.items.models import (
    DEFAULT_SORT,
    MAX_LIMIT,
    SORTS,
    Item,
    ItemFilters,
    ItemList,
    ItemPublic,
    KindSummary,
    Summary,
)
from service.sources.models import Source
from service.withheld import service as withheld
from service.withheld.models import PLACEHOLDER


def check(filters: ItemFilters) -> None:
    """The one rule that crosses fields: a status filter must fit the chosen kind."""
    if filters.kind is None:
        return
    allowed = {s.code for s in vocabulary.KIND_BY_CODE[filters.kind].statuses}
    wrong = [status for status in filters.status if status not in allowed]
    if wrong:
        raise invalid(
            *(FieldError("status", f"{s!r} is not a status of a {filters.kind}") for s in wrong)
        )


def _searchable(session: Session | None, filters: ItemFilters) -> tuple[str, ...]:
    """The withheld names, when a text search needs them (see `where`)."""
    if session is None or not filters.q:
        return ()
    return withheld.masker(session).names


def _shown(column: Any, withheld_names: tuple[str, ...]) -> Any:
    """The column as the public reads it: each withheld name replaced, so that a search for a
    withheld name finds nothing (it would tell which item holds it)."""
    for name in withheld_names:
        column = sa.func.replace(column, name, PLACEHOLDER)
    return column


def where(
    filters: ItemFilters,
    today: dt.date | None = None,
    withheld_names: tuple[str, ...] = (),
) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = []
    if filters.kind:
        clauses.append(Item.kind == filters.kind)
    if filters.status:
        clauses.append(Item.status.in_(filters.status))
    if filters.actor:
        clauses.append(
            Item.actor_id
            == sa.select(Actor.id).where(Actor.slug == filters.actor).scalar_subquery()
        )
    if filters.responsible:
        clauses.append(
            Item.responsible_id
            == sa.select(Actor.id).where(Actor.slug == filters.responsible).scalar_subquery()
        )
    if filters.outcome:
        pairs = vocabulary.statuses_with_outcome(filters.outcome)
        clauses.append(sa.or_(*(sa.and_(Item.kind == k, Item.status == s) for k, s in pairs)))
    if filters.source:
        clauses.append(
            Item.source_id
            == sa.select(Source.id).where(Source.slug == filters.source).scalar_subquery()
        )
    if filters.q:
        pattern = "%" + _escape_like(filters.q) + "%"
        # A reader looking for "ofsted" means the items that name Ofsted as an actor too.
        named = sa.select(Actor.id).where(Actor.name.ilike(pattern, escape="\\"))
        clauses.append(
            sa.or_(
                _shown(Item.title, withheld_names).ilike(pattern, escape="\\"),
                _shown(Item.description, withheld_names).ilike(pattern, escape="\\"),
                _shown(Item.quote, withheld_names).ilike(pattern, escape="\\"),
                Item.actor_id.in_(named),
                Item.responsible_id.in_(named),
            )
        )
    if filters.overdue is not None:
        today = today or dt.datetime.now(dt.UTC).date()
        overdue = sa.and_(
            Item.due_on.is_not(None),
            Item.due_on < today,
            Item.status.not_in(sorted(vocabulary.RESOLVED_STATUSES)),
        )
        clauses.append(overdue if filters.overdue else sa.not_(overdue))
    if filters.updated_since is not None:
        clauses.append(Item.updated_at >= filters.updated_since)
    return clauses


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# A cursor is base64url(JSON [sort, key, id]): the sort key and id of the last item of a page.
def encode_cursor(sort: str, row: Any) -> str:
    key: Any
    if sort in ("updated_at", "-updated_at"):
        key = row.updated_at.isoformat()
    elif sort == "title":
        key = row.title
    else:
        key = row.due_on.isoformat() if row.due_on else None
    return base64.urlsafe_b64encode(orjson.dumps([sort, key, row.id])).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    bad = invalid(FieldError("cursor", "not a cursor given by this list (or for another sort)"))
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        cursor_sort, key, last_id = orjson.loads(raw)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise bad from None
    if cursor_sort != sort or not isinstance(last_id, int) or isinstance(last_id, bool):
        raise bad
    try:
        if sort in ("updated_at", "-updated_at"):
            key = dt.datetime.fromisoformat(key)
            if key.tzinfo is None:
                raise ValueError
        elif sort == "due_on":
            key = dt.date.fromisoformat(key) if key is not None else None
        elif not isinstance(key, str):
            raise ValueError
    except (ValueError, TypeError):
        raise bad from None
    return key, last_id


def _order_and_after(
    sort: str, after: tuple[Any, int] | None
) -> tuple[list[sa.ColumnElement[Any]], sa.ColumnElement[bool] | None]:
    if sort == "-updated_at":
        order = [Item.updated_at.desc(), Item.id.desc()]
        cond = sa.tuple_(Item.updated_at, Item.id) < after if after else None
    elif sort == "updated_at":
        order = [Item.updated_at.asc(), Item.id.asc()]
        cond = sa.tuple_(Item.updated_at, Item.id) > after if after else None
    elif sort == "title":
        order = [Item.title.asc(), Item.id.asc()]
        cond = sa.tuple_(Item.title, Item.id) > after if after else None
    else:
        # Items without a due date come last, in id order.
        order = [Item.due_on.is_(None).asc(), Item.due_on.asc(), Item.id.asc()]
        cond = None
        if after:
            key, last_id = after
            if key is None:
                cond = sa.and_(Item.due_on.is_(None), Item.id > last_id)
            else:
                cond = sa.or_(
                    sa.tuple_(Item.due_on, Item.id) > (key, last_id), Item.due_on.is_(None)
                )
    return order, cond


def list_page(
    session: Session,
    *,
    filters: ItemFilters,
    sort: str = DEFAULT_SORT,
    limit: int = 50,
    cursor: str | None = None,
) -> ItemList:
    if sort not in SORTS:
        raise invalid(FieldError("sort", f"must be one of {', '.join(SORTS)}"))
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid(FieldError("limit", f"must be between 1 and {MAX_LIMIT}"))
    check(filters)
    after = decode_cursor(cursor, sort) if cursor else None
    today = dt.datetime.now(dt.UTC).date()
    clauses = where(filters, today, _searchable(session, filters))
    order, after_clause = _order_and_after(sort, after)
    query = items.select_items().where(*clauses)
    if after_clause is not None:
        query = query.where(after_clause)
    rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    total = count_matching(session, filters=filters, clauses=clauses)
    return ItemList.model_construct(
        items=[ItemPublic.from_row(r._mapping, today=today) for r in rows],
        next_cursor=encode_cursor(sort, rows[-1]) if has_more else None,
        total=total,
    )


def rows_before(session: Session, *, filters: ItemFilters, sort: str, cursor: str) -> int:
    """How many matching items come before a page's cursor, so that page 2 can say "26 to 35 of
    35": one count over the same keyset condition, never an OFFSET."""
    after = decode_cursor(cursor, sort)
    _, after_clause = _order_and_after(sort, after)
    if after_clause is None:
        return 0
    return session.execute(
        sa.select(sa.func.count()).select_from(Item).where(*where(filters), sa.not_(after_clause))
    ).scalar_one()


def with_targets(session: Session, *, limit: int) -> list[ItemPublic]:
    """Commitments with a numeric target (62 staff, £1.2m), the ones a reader checks first:
    unresolved before resolved, then by title."""
    today = dt.datetime.now(dt.UTC).date()
    query = (
        items.select_items()
        .where(Item.kind == "commitment", Item.progress_target.is_not(None))
        .order_by(Item.status.in_(sorted(vocabulary.RESOLVED_STATUSES)).asc(), Item.title, Item.id)
        .limit(limit)
    )
    return [ItemPublic.from_row(r._mapping, today=today) for r in session.execute(query)]


def count_matching(
    session: Session, *, filters: ItemFilters, clauses: list[sa.ColumnElement[bool]]
) -> int:
    """How many items match: from the tally when only kind and status filter, else counted."""
    if filters.only_kind_and_status:
        return tally.total(session, kind=filters.kind, statuses=filters.status)
    return session.execute(
        sa.select(sa.func.count()).select_from(Item).where(*clauses)
    ).scalar_one()


def iter_all(
    session: Session, *, filters: ItemFilters, sort: str = DEFAULT_SORT, batch: int = 500
) -> Iterator[Any]:
    """Every matching item, fetched page by page with the keyset (constant memory)."""
    check(filters)
    clauses = where(filters, withheld_names=_searchable(session, filters))
    after = None
    while True:
        order, after_clause = _order_and_after(sort, after)
        query = items.select_items().where(*clauses)
        if after_clause is not None:
            query = query.where(after_clause)
        rows = session.execute(query.order_by(*order).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]
        after = decode_cursor(encode_cursor(sort, last), sort)


def summary(session: Session, *, filters: ItemFilters | None = None) -> Summary:
    """Counts by kind, status, phase and outcome; overdue count; commitments delivered share.
    Without filters the counts come from the tally; with them (the dashboard's filtered view),
    from the matching items."""
    filters = filters or ItemFilters()
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
    today = dt.datetime.now(dt.UTC).date()
    counts: list[Any]
    if filters.is_empty:
        counts = list(tally.counts(session))
    else:
        counts = list(
            session.execute(
                sa.select(Item.kind, Item.status, sa.func.count())
                .where(*where(filters, today))
                .group_by(Item.kind, Item.status)
            ).all()
        )
    for kind, status, count in counts:
        entry = kinds[kind]
        found = vocabulary.status_of(kind, status)
        entry.total += count
        entry.by_status[status] += count
        entry.by_phase[found.phase] += count
        entry.by_outcome[found.outcome] += count
    overdue_filters = filters.model_copy(update={"overdue": True})
    overdue = session.execute(
        sa.select(sa.func.count()).select_from(Item).where(*where(overdue_filters, today))
    ).scalar_one()
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
        last_change_at=events.last_change_at(session),
    )
