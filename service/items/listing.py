"""Many items: the list filters, keyset pages and their cursors, counts, and the summary."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import operator
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session

from service import urls
from service.actors.models import Actor
from service.errors import FieldError, invalid
from service.events import service as events
from service.items import search, tally, vocabulary
from service.items import service as items
from service.items.models import (
    DEFAULT_SORT,
    MAX_LIMIT,
    SORTS,
    Item,
    ItemFilters,
    ItemList,
    ItemPublic,
    ItemTally,
    KindSummary,
    Summary,
    is_overdue,
)
from service.shapes import json_number
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


def where(filters: ItemFilters, today: dt.date | None = None) -> list[sa.ColumnElement[bool]]:
    """Every filter but the text search (`q`), which `searched()` joins in."""
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


def withheld_guard(session: Session, filters: ItemFilters) -> list[sa.ColumnElement[bool]]:
    """A search must not find an item by a withheld name (it would tell which item holds it).
    The index holds the text as written, so when a word of `q` could match a word of a withheld
    name, the items that hold such a name match only if their text with every withheld name
    replaced still holds every word; other items are left to the index. Nothing is added when
    no word of `q` comes near a withheld name."""
    terms = search.words(filters.q)
    if not terms:
        return []
    names = withheld.masker(session).names
    hidden = {word for name in names for word in search.words(name)}
    if not any(word.startswith(term) for term in terms for word in hidden):
        return []
    columns = (Item.title, Item.description, Item.quote)
    holds_a_name = sa.or_(*(column.contains(name) for column in columns for name in names))
    shown = sa.func.lower(
        sa.func.coalesce(_shown(Item.title, names), "")
        + " "
        + sa.func.coalesce(_shown(Item.description, names), "")
        + " "
        + sa.func.coalesce(_shown(Item.quote, names), "")
    )
    still_matches = sa.and_(*(shown.contains(term, autoescape=True) for term in terms))
    return [sa.or_(sa.not_(holds_a_name), still_matches)]


def _shown(column: Any, names: tuple[str, ...]) -> Any:
    """The column as the public reads it: each withheld name replaced."""
    for name in names:
        column = sa.func.replace(column, name, PLACEHOLDER)
    return column


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


def _over_items(query: sa.Select[Any], matches: search.Matches | None) -> sa.Select[Any]:
    """`query` over the items table, joined to the search's matches when searching."""
    query = query.select_from(Item)
    if matches is None:
        return query
    return query.join(matches.subquery, matches.item_id == Item.id)


def _params(matches: search.Matches | None) -> dict[str, Any]:
    return matches.params if matches is not None else {}


# A cursor is base64url(JSON [sort, key, id]): the sort key and id of the last item of a page.
# The key of `relevance` is the rank of the search (a float, which JSON carries exactly).
def encode_cursor(sort: str, row: Any) -> str:
    key: Any
    if sort == "relevance":
        key = row.search_rank
    elif sort in ("updated_at", "-updated_at"):
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
        elif sort == "relevance":
            if not isinstance(key, int | float) or isinstance(key, bool):
                raise ValueError
            key = float(key)
        elif not isinstance(key, str):
            raise ValueError
    except (ValueError, TypeError):
        raise bad from None
    return key, last_id


def _order_and_after(
    sort: str, after: tuple[Any, int] | None, matches: search.Matches | None = None
) -> tuple[list[sa.ColumnElement[Any]], sa.ColumnElement[bool] | None]:
    # Values become parameters of the columns' types; a prebuilt statement passes its own
    # (typed) parameters, which must be compared as they are.
    bound: Any = after
    if after is not None and isinstance(after[1], sa.BindParameter):
        bound = sa.tuple_(*after)
    if sort == "relevance":
        # Best first (the lowest rank), ties by id.
        assert matches is not None, "relevance is the order of a search"
        order = [matches.rank.asc(), Item.id.asc()]
        cond = sa.tuple_(matches.rank, Item.id) > bound if after else None
    elif sort == "-updated_at":
        order = [Item.updated_at.desc(), Item.id.desc()]
        cond = sa.tuple_(Item.updated_at, Item.id) < bound if after else None
    elif sort == "updated_at":
        order = [Item.updated_at.asc(), Item.id.asc()]
        cond = sa.tuple_(Item.updated_at, Item.id) > bound if after else None
    elif sort == "title":
        order = [Item.title.asc(), Item.id.asc()]
        cond = sa.tuple_(Item.title, Item.id) > bound if after else None
    else:
        # Items without a due date come last, in id order. NULLS LAST rather than ordering by
        # `due_on IS NULL` first: an index on (due_on, id) serves it on both databases.
        order = [Item.due_on.asc().nulls_last(), Item.id.asc()]
        cond = None
        if after:
            key, last_id = after
            if key is None:
                cond = sa.and_(Item.due_on.is_(None), Item.id > last_id)
            else:
                cond = sa.or_(sa.tuple_(Item.due_on, Item.id) > bound, Item.due_on.is_(None))
    return order, cond


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
    if filters.only_kind_and_status:
        rows, total = _plain_page(connection, filters, sort, after, limit)
    else:
        clauses = where(filters, today) + withheld_guard(session, filters)
        matches = searched(
            session, filters, sort=sort, after=after, limit=limit + 1, clauses=clauses
        )
        order, after_clause = _order_and_after(sort, after, matches)
        query = _select(matches).where(*clauses)
        if after_clause is not None:
            query = query.where(after_clause)
        rows = connection.execute(query.order_by(*order).limit(limit + 1), _params(matches)).all()
        total = count_matching(
            session, filters=filters, clauses=clauses, matches=searched(session, filters)
        )
    has_more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, encode_cursor(sort, rows[-1]) if has_more else None, total, today)


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


def list_json(
    session: Session,
    *,
    filters: ItemFilters,
    sort: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> bytes:
    """`page_rows` as the JSON of `ItemList`, the same bytes as the model would give, made
    straight from the rows: no model per item, one orjson call."""
    page = page_rows(session, filters=filters, sort=sort, limit=limit, cursor=cursor)
    return orjson.dumps(
        {
            "items": [item_json(row, page.today) for row in page.rows],
            "next_cursor": page.next_cursor,
            "total": page.total,
        }
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
    query = items.select_items()
    if kind:
        query = query.where(Item.kind == sa.bindparam(_KIND, type_=sa.String()))
        total = total.where(ItemTally.kind == sa.bindparam(_KIND, type_=sa.String()))
    if status:
        statuses = sa.bindparam(_STATUSES, type_=sa.String(), expanding=True)
        query = query.where(Item.status.in_(statuses))
        total = total.where(ItemTally.status.in_(statuses))
    bound: tuple[Any, int] | None = None
    if after is not None:
        key_type = Item.__table__.c[_SORT_COLUMN.get(sort, "due_on")].type
        key = sa.bindparam(_AFTER_KEY, type_=key_type) if after == "key" else None
        bound = (key, sa.bindparam(_AFTER_ID, type_=sa.Integer()))  # type: ignore[assignment]
    order, after_clause = _order_and_after(sort, bound)
    if after_clause is not None:
        query = query.where(after_clause)
    return (
        query.add_columns(total.scalar_subquery().label("list_total"))
        .order_by(*order)
        .limit(sa.bindparam(_LIMIT, type_=sa.Integer()))
    )


# The columns `item_json` reads, in the order it unpacks them.
_JSON_COLUMNS = (
    "id", "slug", "kind", "title", "description", "status", "actor_slug", "actor_name",
    "responsible_slug", "responsible_name", "quantity_value", "quantity_unit", "progress_value",
    "progress_target", "source_slug", "source_title", "quote", "quote_start", "quote_end",
    "made_on", "due_on", "created_at", "updated_at", "version", "reply_count",
)  # fmt: skip


@lru_cache(maxsize=1)
def _json_columns() -> Callable[[Any], tuple[Any, ...]]:
    """Picks `_JSON_COLUMNS` out of a row of the items query (by position: found once)."""
    names = list(items.select_items().selected_columns.keys())
    return operator.itemgetter(*(names.index(name) for name in _JSON_COLUMNS))


@lru_cache(maxsize=256)
def _status_fields(kind: str, status: str) -> tuple[str, str, str]:
    found = vocabulary.status_of(kind, status)
    return found.label, found.phase, found.outcome


def item_json(row: Any, today: dt.date) -> dict[str, Any]:
    """A row of the items query as `ItemPublic` serialises it: the same keys in the same order,
    the same values (orjson writes dates and aware datetimes as `isoformat()` does).
    tests/items/test_list_json.py compares the two over every kind of row."""
    (
        id_, slug, kind, title, description, status, actor_slug, actor_name, responsible_slug,
        responsible_name, quantity_value, unit, value, target, source_slug, source_title, quote,
        quote_start, quote_end, made_on, due_on, created_at, updated_at, version, reply_count,
    ) = _json_columns()(row)  # fmt: skip
    label, phase, outcome = _status_fields(kind, status)
    return {
        "id": id_,
        "slug": slug,
        "kind": kind,
        "title": title,
        "description": description,
        "status": status,
        "status_label": label,
        "phase": phase,
        "outcome": outcome,
        "actor": {"slug": actor_slug, "name": actor_name},
        "responsible": (
            {"slug": responsible_slug, "name": responsible_name} if responsible_slug else None
        ),
        "quantity": (
            {"value": json_number(quantity_value), "unit": unit} if unit is not None else None
        ),
        # Progress is shown only once somebody has recorded it: an unknown value is not zero.
        "progress": (
            {
                "value": json_number(value),
                "target": json_number(target),
                "percent": round(min(value / target, 1.0) * 100, 1),
            }
            if target is not None and value is not None
            else None
        ),
        "source": {"slug": source_slug, "title": source_title},
        "quote": quote,
        "quote_start": quote_start,
        "quote_end": quote_end,
        "made_on": made_on,
        "due_on": due_on,
        "overdue": is_overdue(status, due_on, today),
        "created_at": created_at,
        "updated_at": updated_at,
        "version": version,
        "reply_count": reply_count,
        "links": {"self": urls.item_api(slug), "html": urls.item(slug)},
    }


def rows_before(session: Session, *, filters: ItemFilters, sort: str, cursor: str) -> int:
    """How many matching items come before a page's cursor, so that page 2 can say "26 to 35 of
    35": one count over the same keyset condition, never an OFFSET."""
    after = decode_cursor(cursor, sort)
    matches = searched(session, filters)
    _, after_clause = _order_and_after(sort, after, matches)
    if after_clause is None:
        return 0
    query = _over_items(sa.select(sa.func.count()), matches).where(
        *where(filters), *withheld_guard(session, filters), sa.not_(after_clause)
    )
    return session.execute(query, _params(matches)).scalar_one()


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
        return session.execute(query, params).scalar_one()
    query = _over_items(sa.select(sa.func.count()), matches).where(*clauses)
    return session.execute(query, _params(matches)).scalar_one()


def iter_all(
    session: Session, *, filters: ItemFilters, sort: str | None = None, batch: int = 500
) -> Iterator[Any]:
    """Every matching item, fetched page by page with the keyset (constant memory)."""
    sort = effective_sort(filters, sort)
    check(filters)
    clauses = where(filters) + withheld_guard(session, filters)
    after = None
    while True:
        matches = searched(session, filters, sort=sort, after=after, limit=batch, clauses=clauses)
        order, after_clause = _order_and_after(sort, after, matches)
        query = _select(matches).where(*clauses)
        if after_clause is not None:
            query = query.where(after_clause)
        rows = session.execute(query.order_by(*order).limit(batch), _params(matches)).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]
        after = decode_cursor(encode_cursor(sort, last), sort)


def overdue_count(session: Session, *, filters: ItemFilters, today: dt.date) -> int:
    """How many of the items these filters select (their text search aside) are overdue."""
    overdue_filters = filters.model_copy(update={"overdue": True})
    return session.execute(
        sa.select(sa.func.count()).select_from(Item).where(*where(overdue_filters, today))
    ).scalar_one()


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
        matches = searched(session, filters)
        query = _over_items(sa.select(Item.kind, Item.status, sa.func.count()), matches).where(
            *where(filters, today), *withheld_guard(session, filters)
        )
        counts = list(session.execute(query.group_by(Item.kind, Item.status), _params(matches)))
    for kind, status, count in counts:
        entry = kinds[kind]
        found = vocabulary.status_of(kind, status)
        entry.total += count
        entry.by_status[status] += count
        entry.by_phase[found.phase] += count
        entry.by_outcome[found.outcome] += count
    if overdue is None:
        overdue = overdue_count(session, filters=filters, today=today)
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
        last_change_at=last_change_at or events.last_change_at(session),
    )
