"""Many items: the list filters, keyset pages and their cursors, counts, and the summary."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session

from service.actors.models import Actor
from service.errors import FieldError, invalid
from service.events import service as events
from service.items import service as items
from service.items import tally, vocabulary
from service.items.models import Item
from service.sources.models import Source

SORTS = ("updated_at", "-updated_at", "title", "due_on")
DEFAULT_SORT = "-updated_at"
MAX_LIMIT = 200


@dataclass
class ItemFilters:
    kind: str | None = None
    statuses: list[str] = field(default_factory=list)
    actor: str | None = None
    source: str | None = None
    q: str | None = None
    overdue: bool | None = None
    updated_since: dt.datetime | None = None

    @property
    def only_kind_and_status(self) -> bool:
        return not (self.actor or self.source or self.q or self.overdue is not None) and (
            self.updated_since is None
        )

    def validate(self) -> None:
        errors = []
        if self.kind is not None and self.kind not in vocabulary.KIND_BY_CODE:
            errors.append(FieldError("kind", f"must be one of {', '.join(vocabulary.KIND_CODES)}"))
        allowed = (
            {s.code for s in vocabulary.KIND_BY_CODE[self.kind].statuses}
            if self.kind in vocabulary.KIND_BY_CODE
            else set(vocabulary.STATUS_CODES)
        )
        for status in self.statuses:
            if status not in allowed:
                errors.append(FieldError("status", f"unknown status {status!r}"))
        if self.updated_since is not None:
            if self.updated_since.tzinfo is None:
                self.updated_since = self.updated_since.replace(tzinfo=dt.UTC)
            try:  # 0001-01-01T00:00+14:00 is a valid ISO 8601 time before year 1 in UTC
                self.updated_since = self.updated_since.astimezone(dt.UTC)
            except OverflowError:
                errors.append(FieldError("updated_since", "out of range"))
        if errors:
            raise invalid(*errors)

    def where(self, today: dt.date | None = None) -> list[sa.ColumnElement[bool]]:
        clauses: list[sa.ColumnElement[bool]] = []
        if self.kind:
            clauses.append(Item.kind == self.kind)
        if self.statuses:
            clauses.append(Item.status.in_(self.statuses))
        if self.actor:
            clauses.append(
                Item.actor_id
                == sa.select(Actor.id).where(Actor.slug == self.actor).scalar_subquery()
            )
        if self.source:
            clauses.append(
                Item.source_id
                == sa.select(Source.id).where(Source.slug == self.source).scalar_subquery()
            )
        if self.q:
            pattern = "%" + _escape_like(self.q) + "%"
            clauses.append(
                sa.or_(
                    Item.title.ilike(pattern, escape="\\"),
                    Item.description.ilike(pattern, escape="\\"),
                    Item.quote.ilike(pattern, escape="\\"),
                )
            )
        if self.overdue is not None:
            today = today or dt.datetime.now(dt.UTC).date()
            overdue = sa.and_(
                Item.due_on.is_not(None),
                Item.due_on < today,
                Item.status.not_in(sorted(vocabulary.RESOLVED_STATUSES)),
            )
            clauses.append(overdue if self.overdue else sa.not_(overdue))
        if self.updated_since is not None:
            clauses.append(Item.updated_at >= self.updated_since)
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
) -> dict[str, Any]:
    if sort not in SORTS:
        raise invalid(FieldError("sort", f"must be one of {', '.join(SORTS)}"))
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid(FieldError("limit", f"must be between 1 and {MAX_LIMIT}"))
    filters.validate()
    after = decode_cursor(cursor, sort) if cursor else None
    today = dt.datetime.now(dt.UTC).date()
    where = filters.where(today)
    order, after_clause = _order_and_after(sort, after)
    query = items.select_items().where(*where)
    if after_clause is not None:
        query = query.where(after_clause)
    rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    total = count_matching(session, filters=filters, where=where)
    return {
        "items": [items.as_json(r._mapping, today=today) for r in rows],
        "next_cursor": encode_cursor(sort, rows[-1]) if has_more else None,
        "total": total,
    }


def count_matching(
    session: Session, *, filters: ItemFilters, where: list[sa.ColumnElement[bool]]
) -> int:
    """How many items match: from the tally when only kind and status filter, else counted."""
    if filters.only_kind_and_status:
        return tally.total(session, kind=filters.kind, statuses=filters.statuses)
    return session.execute(sa.select(sa.func.count()).select_from(Item).where(*where)).scalar_one()


def iter_all(
    session: Session, *, filters: ItemFilters, sort: str = DEFAULT_SORT, batch: int = 500
) -> Iterator[Any]:
    """Every matching item, fetched page by page with the keyset (constant memory)."""
    filters.validate()
    today = dt.datetime.now(dt.UTC).date()
    where = filters.where(today)
    after = None
    while True:
        order, after_clause = _order_and_after(sort, after)
        query = items.select_items().where(*where)
        if after_clause is not None:
            query = query.where(after_clause)
        rows = session.execute(query.order_by(*order).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]
        after = decode_cursor(encode_cursor(sort, last), sort)


def summary(session: Session) -> dict[str, Any]:
    """Counts by kind, status and phase; overdue count; commitments delivered share."""
    today = dt.datetime.now(dt.UTC).date()
    counts = tally.counts(session)
    kinds: dict[str, Any] = {
        kind.code: {
            "label": kind.plural,
            "total": 0,
            "by_phase": dict.fromkeys(vocabulary.PHASES, 0),
            "by_status": {s.code: 0 for s in kind.statuses},
        }
        for kind in vocabulary.KINDS
    }
    for kind, status, count in counts:
        entry = kinds[kind]
        entry["total"] += count
        entry["by_status"][status] += count
        entry["by_phase"][vocabulary.status_of(kind, status).phase] += count
    overdue = session.execute(
        sa.select(sa.func.count()).select_from(Item).where(*ItemFilters(overdue=True).where(today))
    ).scalar_one()
    commitments = kinds["commitment"]
    last = events.last_change_at(session)
    return {
        "total": sum(k["total"] for k in kinds.values()),
        "kinds": kinds,
        "overdue": overdue,
        "commitments_delivered_share": (
            round(commitments["by_status"]["delivered"] / commitments["total"], 4)
            if commitments["total"]
            else None
        ),
        "last_change_at": last.isoformat() if last else None,
    }
