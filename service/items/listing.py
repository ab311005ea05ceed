"""Many items: the list filters, keyset pages and their cursors, counts, and the summary."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVarTuple

import sqlalchemy as sa
from sqlmodel import Session, col

from service.actors.models import Actor
from service.db import table_of
from service.errors import FieldError, invalid
from service.items import search, tally, vocabulary
from service.items import service as items
from service.items.filters import DEFAULT_SORT, MAX_LIMIT, SORTS, ItemFilters
from service.items.models import (
    ITEM_COLUMNS,
    PUBLISHED,
    Item,
    ItemList,
    ItemListValues,
    ItemPublic,
    ItemTally,
    item_values,
)
from service.items.order import decode_cursor, encode_cursor, order_and_after, title_order
from service.sources.models import Source

Ts = TypeVarTuple("Ts")


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


def where(filters: ItemFilters, today: dt.date | None = None) -> list[sa.ColumnElement[bool]]:
    """Every filter but the text search (`q`), which `searched()` joins in."""
    clauses: list[sa.ColumnElement[bool]] = [
        col(Item.publication) == (filters.publication or PUBLISHED)
    ]
    if filters.kind:
        clauses.append(col(Item.kind) == filters.kind)
    if filters.status:
        clauses.append(col(Item.status).in_(filters.status))
    if filters.actor:
        clauses.append(
            col(Item.actor_id)
            == sa.select(col(Actor.id)).where(col(Actor.slug) == filters.actor).scalar_subquery()
        )
    if filters.responsible:
        clauses.append(
            col(Item.responsible_id)
            == sa.select(col(Actor.id))
            .where(col(Actor.slug) == filters.responsible)
            .scalar_subquery()
        )
    if filters.outcome:
        pairs = vocabulary.statuses_with_outcome(filters.outcome)
        clauses.append(
            sa.or_(*(sa.and_(col(Item.kind) == k, col(Item.status) == s) for k, s in pairs))
        )
    if filters.source:
        clauses.append(
            col(Item.source_id)
            == sa.select(col(Source.id)).where(col(Source.slug) == filters.source).scalar_subquery()
        )
    if filters.overdue is not None:
        today = today or dt.datetime.now(dt.UTC).date()
        overdue = sa.and_(
            col(Item.due_on).is_not(None),
            col(Item.due_on) < today,
            col(Item.status).not_in(sorted(vocabulary.RESOLVED_STATUSES)),
        )
        clauses.append(overdue if filters.overdue else sa.not_(overdue))
    if filters.updated_since is not None:
        clauses.append(col(Item.updated_at) >= filters.updated_since)
    return clauses


def searched(
    session: Session,
    filters: ItemFilters,
    *,
    sort: str | None = None,
    after: tuple[Any, int] | None = None,
    limit: int | None = None,
    clauses: list[sa.ColumnElement[bool]] | None = None,
) -> search.Matches | None:
    """The items matching `q` with their rank, or None when `q` has no word to search for.
    A page in relevance order that no other filter narrows is chosen in the index alone."""
    terms = search.words(filters.q)
    if not terms:
        return None
    dialect = session.get_bind().dialect.name
    if sort == "relevance" and not clauses and limit is not None:
        return search.matches(dialect, terms, after=after, limit=limit)
    return search.matches(dialect, terms)


def effective_sort(filters: ItemFilters, sort: str | None) -> str:
    """The order of a list: the one asked for; without one, the best matches first when
    searching, else the latest changed first. `relevance` without a search is the default."""
    if sort is not None and sort not in SORTS:
        raise invalid(FieldError("sort", f"must be one of {', '.join(SORTS)}"))
    searching = bool(search.words(filters.q))
    if sort is None:
        return "relevance" if searching else DEFAULT_SORT
    if sort == "relevance" and not searching:
        return DEFAULT_SORT
    return sort


def _select(matches: search.Matches | None) -> sa.Select[Any]:
    """The items query, joined to the search's matches (and their rank) when searching."""
    if matches is None:
        return items.select_items()
    return _joined(matches.subquery)


@lru_cache(maxsize=16)
def _joined(subquery: sa.Subquery) -> sa.Select[Any]:
    return (
        items.select_items()
        .add_columns(subquery.c.rank.label("search_rank"))
        .join(subquery, subquery.c.item_id == Item.id)
    )


def over_items(query: sa.Select[*Ts], matches: search.Matches | None) -> sa.Select[*Ts]:
    """`query` over the items table, joined to the search's matches when searching."""
    query = query.select_from(Item)
    if matches is None:
        return query
    return query.join(matches.subquery, matches.item_id == Item.id)


def search_params(matches: search.Matches | None) -> dict[str, Any]:
    return matches.params if matches is not None else {}


@dataclass(frozen=True)
class Page:
    """A page's rows (Core rows of the items query), whether more follow, the total that
    match, and the day `overdue` is judged on."""

    rows: Sequence[Any]
    next_cursor: str | None
    total: int
    today: dt.date


def page_rows(
    session: Session,
    *,
    filters: ItemFilters,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """A page of the items that match the filters (and the words of `q`), in the order asked
    for (see `effective_sort`), after the cursor; with the total that match."""
    sort = effective_sort(filters, sort)
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid(FieldError("limit", f"must be between 1 and {MAX_LIMIT}"))
    check(filters)
    after = decode_cursor(cursor, sort) if cursor else None
    today = dt.datetime.now(dt.UTC).date()
    # Rows, not ORM objects: a Core select on the session's connection.
    connection = session.connection()
    masked = search.masked_titles(connection) if sort == "title" else {}
    if filters.only_kind_and_status and not masked:
        rows, total = _plain_page(connection, filters, sort, after, limit)
    else:
        clauses = where(filters, today)
        matches = searched(
            session, filters, sort=sort, after=after, limit=limit + 1, clauses=clauses
        )
        order, after_clause = order_and_after(sort, after, matches, masked)
        query = _select(matches).where(*clauses)
        if after_clause is not None:
            query = query.where(after_clause)
        rows = connection.execute(
            query.order_by(*order).limit(limit + 1), search_params(matches)
        ).all()
        total = count_matching(
            session, filters=filters, clauses=clauses, matches=searched(session, filters)
        )
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(sort, rows[-1], masked) if has_more else None, total, today)


def list_page(
    session: Session,
    *,
    filters: ItemFilters,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> ItemList:
    """`page_rows` as the public model (for pages, which render the items)."""
    page = page_rows(session, filters=filters, sort=sort, limit=limit, cursor=cursor)
    return ItemList.model_construct(
        items=[ItemPublic.from_row(r._mapping, today=page.today) for r in page.rows],
        next_cursor=page.next_cursor,
        total=page.total,
    )


def list_values(
    session: Session,
    *,
    filters: ItemFilters,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> ItemListValues:
    """`page_rows` as plain values, what the API's list writes: no model per item."""
    page = page_rows(session, filters=filters, sort=sort, limit=limit, cursor=cursor)
    pick = _item_columns()
    return ItemListValues(
        [item_values(pick(row), page.today) for row in page.rows], page.next_cursor, page.total
    )


# A list that nothing but kind and status filter (the API's usual list) is one statement per
# shape (sort, which filters, which cursor), built once; the values are parameters. Its total
# comes from the tally in the same statement, as a column (an uncorrelated subquery, computed
# once per statement).
_KIND, _STATUSES, _AFTER_KEY, _AFTER_ID, _LIMIT = (
    "list_kind", "list_statuses", "list_after_key", "list_after_id", "list_limit",
)  # fmt: skip
_SORT_COLUMN = {"updated_at": "updated_at", "-updated_at": "updated_at", "title": "title"}


def _plain_page(
    connection: sa.Connection,
    filters: ItemFilters,
    sort: str,
    after: tuple[Any, int] | None,
    limit: int,
) -> tuple[Sequence[Any], int]:
    after_shape = None if after is None else "null" if after[0] is None else "key"
    statement = _plain_statement(sort, bool(filters.kind), bool(filters.status), after_shape)
    params: dict[str, Any] = {_LIMIT: limit + 1}
    if filters.kind:
        params[_KIND] = filters.kind
    if filters.status:
        params[_STATUSES] = list(filters.status)
    if after is not None:
        params[_AFTER_ID] = after[1]
        if after[0] is not None:
            params[_AFTER_KEY] = after[0]
    rows = connection.execute(statement, params).all()
    if rows:
        return rows, int(rows[0].list_total)
    # Past the last page the statement gives no row to carry the total.
    return rows, tally.total(connection, kind=filters.kind, statuses=filters.status)


@lru_cache(maxsize=64)
def _plain_statement(sort: str, kind: bool, status: bool, after: str | None) -> sa.Select[Any]:
    total = sa.select(sa.func.coalesce(sa.func.sum(ItemTally.count), 0))
    # The tally counts the published items (nearly all of them: the order's index still serves).
    query = items.select_items().where(col(Item.publication) == sa.literal_column("'published'"))
    if kind:
        query = query.where(col(Item.kind) == sa.bindparam(_KIND, type_=sa.String()))
        total = total.where(col(ItemTally.kind) == sa.bindparam(_KIND, type_=sa.String()))
    if status:
        statuses = sa.bindparam(_STATUSES, type_=sa.String(), expanding=True)
        query = query.where(col(Item.status).in_(statuses))
        total = total.where(col(ItemTally.status).in_(statuses))
    bound: tuple[Any, Any] | None = None
    if after is not None:
        key_type = table_of(Item).c[_SORT_COLUMN.get(sort, "due_on")].type
        key = sa.bindparam(_AFTER_KEY, type_=key_type) if after == "key" else None
        bound = (key, sa.bindparam(_AFTER_ID, type_=sa.Integer()))
    order, after_clause = order_and_after(sort, bound)
    if after_clause is not None:
        query = query.where(after_clause)
    return (
        query.add_columns(total.scalar_subquery().label("list_total"))
        .order_by(*order)
        .limit(sa.bindparam(_LIMIT, type_=sa.Integer()))
    )


@lru_cache(maxsize=1)
def _item_columns() -> Callable[[Any], tuple[Any, ...]]:
    """Picks `ITEM_COLUMNS` out of a row of the items query (by position: found once)."""
    names = list(items.select_items().selected_columns.keys())
    return operator.itemgetter(*(names.index(name) for name in ITEM_COLUMNS))


def rows_before(session: Session, *, filters: ItemFilters, sort: str, cursor: str) -> int:
    """How many matching items come before a page's cursor, so that page 2 can say "26 to 35 of
    35": one count over the same keyset condition, never an OFFSET."""
    after = decode_cursor(cursor, sort)
    matches = searched(session, filters)
    masked = search.masked_titles(session.connection()) if sort == "title" else {}
    _, after_clause = order_and_after(sort, after, matches, masked)
    if after_clause is None:
        return 0
    query = over_items(sa.select(sa.func.count()), matches).where(
        *where(filters), sa.not_(after_clause)
    )
    before: int = session.execute(query, search_params(matches)).scalar_one()
    return before


def with_targets(session: Session, *, limit: int) -> list[ItemPublic]:
    """Commitments with a numeric target (62 staff, £1.2m), the ones a reader checks first:
    unresolved before resolved, then by title."""
    today = dt.datetime.now(dt.UTC).date()
    title = title_order(search.masked_titles(session.connection()))
    query = (
        items.select_items()
        .where(
            col(Item.kind) == "commitment",
            col(Item.progress_target).is_not(None),
            col(Item.publication) == PUBLISHED,
        )
        .order_by(
            col(Item.status).in_(sorted(vocabulary.RESOLVED_STATUSES)).asc(), title, col(Item.id)
        )
        .limit(limit)
    )
    # A row's mapping is read by column name, as `from_row` reads it (its stub types the keys
    # as names or columns, which a `Mapping[str, Any]` parameter does not take).
    return [ItemPublic.from_row(r._mapping, today=today) for r in session.execute(query)]


def count_matching(
    session: Session,
    *,
    filters: ItemFilters,
    clauses: list[sa.ColumnElement[bool]],
    matches: search.Matches | None = None,
) -> int:
    """How many items match: from the tally when only kind and status filter, from the search
    index alone when only `q` does, else counted."""
    if filters.only_kind_and_status:
        return tally.total(session, kind=filters.kind, statuses=filters.status)
    if matches is not None and not clauses:
        query, params = search.count(session.get_bind().dialect.name, search.words(filters.q))
        found: int = session.execute(query, params).scalar_one()
        return found
    query = over_items(sa.select(sa.func.count()), matches).where(*clauses)
    counted: int = session.execute(query, search_params(matches)).scalar_one()
    return counted


def iter_all(
    session: Session, *, filters: ItemFilters, sort: str | None = None, batch: int = 500
) -> Iterator[Any]:
    """Every matching item, fetched page by page with the keyset (constant memory)."""
    sort = effective_sort(filters, sort)
    check(filters)
    clauses = where(filters)
    masked = search.masked_titles(session.connection()) if sort == "title" else {}
    after = None
    while True:
        matches = searched(session, filters, sort=sort, after=after, limit=batch, clauses=clauses)
        order, after_clause = order_and_after(sort, after, matches, masked)
        query = _select(matches).where(*clauses)
        if after_clause is not None:
            query = query.where(after_clause)
        rows = session.execute(query.order_by(*order).limit(batch), search_params(matches)).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]
        after = decode_cursor(encode_cursor(sort, last, masked), sort)
