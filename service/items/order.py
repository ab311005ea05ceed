"""The orders of the list and its keyset pages: what each order sorts by (a title as the public
reads it), the condition that picks the rows after a cursor, and the cursor itself."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

import orjson
import sqlalchemy as sa

from service.db import table_of
from service.errors import FieldError, invalid
from service.items import search
from service.items.models import Item


# A cursor is base64url(JSON [sort, key, id]): the sort key and id of the last item of a page.
# The key of `relevance` is the rank of the search (a float, which JSON carries exactly; the
# index holds what the public reads, so the rank says nothing of a withheld name); of `title`,
# the title as the public reads it (`masked`: the titles that hold a withheld name).
def encode_cursor(sort: str, row: Any, masked: dict[int, str] | None = None) -> str:
    key: Any
    if sort == "relevance":
        key = row.search_rank
    elif sort in ("updated_at", "-updated_at"):
        key = row.updated_at.isoformat()
    elif sort == "title":
        key = (masked or {}).get(row.id, row.title)
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


# The columns the orders read, as Core columns (typed as such, where the model's attributes are
# typed as their values).
_COLUMNS = table_of(Item).c
_id, _title, _updated_at, _due_on = (
    _COLUMNS.id, _COLUMNS.title, _COLUMNS.updated_at, _COLUMNS.due_on,
)  # fmt: skip


def title_order(masked: dict[int, str] | None) -> sa.ColumnElement[str]:
    """What a list sorted by title orders by: the title as the public reads it. A title that
    holds a withheld name is ordered by its masked words, never by the name."""
    if not masked:
        title: sa.ColumnElement[str] = _title
        return title
    return sa.case(masked, value=_id, else_=_title)


def order_and_after(
    sort: str,
    after: tuple[Any, Any] | None,
    matches: search.Matches | None = None,
    masked: dict[int, str] | None = None,
) -> tuple[list[sa.ColumnElement[Any]], sa.ColumnElement[bool] | None]:
    # Values become parameters of the columns' types; a prebuilt statement passes its own
    # (typed) parameters, which must be compared as they are.
    bound: Any = after
    if after is not None and isinstance(after[1], sa.BindParameter):
        bound = sa.tuple_(*after)
    order: list[sa.ColumnElement[Any]]
    cond: sa.ColumnElement[bool] | None
    if sort == "relevance":
        # Best first (the lowest rank), ties by id.
        assert matches is not None, "relevance is the order of a search"
        order = [matches.rank.asc(), _id.asc()]
        cond = sa.tuple_(matches.rank, _id) > bound if after else None
    elif sort == "-updated_at":
        order = [_updated_at.desc(), _id.desc()]
        cond = sa.tuple_(_updated_at, _id) < bound if after else None
    elif sort == "updated_at":
        order = [_updated_at.asc(), _id.asc()]
        cond = sa.tuple_(_updated_at, _id) > bound if after else None
    elif sort == "title":
        title = title_order(masked)
        order = [title.asc(), _id.asc()]
        cond = sa.tuple_(title, _id) > bound if after else None
    else:
        # Items without a due date come last, in id order. NULLS LAST rather than ordering by
        # `due_on IS NULL` first: an index on (due_on, id) serves it on both databases.
        order = [_due_on.asc().nulls_last(), _id.asc()]
        cond = None
        if after:
            key, last_id = after
            if key is None:
                cond = sa.and_(_due_on.is_(None), _id > last_id)
            else:
                cond = sa.or_(sa.tuple_(_due_on, _id) > bound, _due_on.is_(None))
    return order, cond
