"""Items: reading, listing (keyset pages), creating, editing and changing status.

Every change bumps the item's version with a compare-and-set UPDATE and appends exactly one event
in the same transaction, so two editors can never silently overwrite each other.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from service.actors import service as actors
from service.actors.models import Actor
from service.db import utcnow
from service.errors import (
    FieldError,
    conflict,
    invalid,
    not_found,
    precondition_failed,
)
from service.events import service as events
from service.items import tally, vocabulary
from service.items.models import Item, ItemCreate, ItemUpdate, StatusChange
from service.sources import service as sources
from service.sources.models import Source

SORTS = ("updated_at", "-updated_at", "title", "due_on")
DEFAULT_SORT = "-updated_at"
MAX_LIMIT = 200
# Ids are 32-bit integers on every database the tracker runs on.
MAX_ID = 2**31 - 1

_Responsible = aliased(Actor, name="responsible")


@lru_cache(maxsize=1)
def _select_items() -> sa.Select[Any]:
    """Every column the item JSON needs, in one query with its actor, responsible and source.
    Built once: a Select is immutable, and each `.where()` makes a new one."""
    return (
        sa.select(
            *Item.__table__.c,  # type: ignore[attr-defined]
            Actor.slug.label("actor_slug"),
            Actor.name.label("actor_name"),
            _Responsible.slug.label("responsible_slug"),
            _Responsible.name.label("responsible_name"),
            Source.slug.label("source_slug"),
            Source.title.label("source_title"),
        )
        .join(Actor, Actor.id == Item.actor_id)
        .outerjoin(_Responsible, _Responsible.id == Item.responsible_id)
        .join(Source, Source.id == Item.source_id)
    )


def _number(value: float | None) -> float | int | None:
    # 62.0 is shown as 62; a whole number too large for a 64-bit JSON integer stays a float.
    if value is not None and float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def is_overdue(status: str, due_on: dt.date | None, today: dt.date | None = None) -> bool:
    if due_on is None or status in vocabulary.RESOLVED_STATUSES:
        return False
    return due_on < (today or dt.datetime.now(dt.UTC).date())


def as_json(row: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """The item's JSON from a row of `_select_items()` (its mapping: keyed access is fast)."""
    status = vocabulary.status_of(row["kind"], row["status"])
    progress = None
    # Progress is shown only once somebody has recorded it: an unknown value is not zero.
    if row["progress_target"] is not None and row["progress_value"] is not None:
        value = row["progress_value"]
        progress = {
            "value": _number(value),
            "target": _number(row["progress_target"]),
            "percent": round(min(value / row["progress_target"], 1.0) * 100, 1),
        }
    return {
        "id": row["id"],
        "slug": row["slug"],
        "kind": row["kind"],
        "title": row["title"],
        "description": row["description"],
        "status": row["status"],
        "status_label": status.label,
        "phase": status.phase,
        "actor": {"slug": row["actor_slug"], "name": row["actor_name"]},
        "responsible": (
            {"slug": row["responsible_slug"], "name": row["responsible_name"]}
            if row["responsible_slug"]
            else None
        ),
        "quantity": (
            {"value": _number(row["quantity_value"]), "unit": row["quantity_unit"]}
            if row["quantity_unit"] is not None
            else None
        ),
        "progress": progress,
        "source": {"slug": row["source_slug"], "title": row["source_title"]},
        "quote": row["quote"],
        "quote_start": row["quote_start"],
        "quote_end": row["quote_end"],
        "made_on": row["made_on"].isoformat() if row["made_on"] else None,
        "due_on": row["due_on"].isoformat() if row["due_on"] else None,
        "overdue": is_overdue(row["status"], row["due_on"], today),
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
        "version": row["version"],
        "links": {"self": f"/api/v1/items/{row['slug']}", "html": f"/items/{row['slug']}"},
    }


def _ref_clause(ref: str | int) -> sa.ColumnElement[bool]:
    text = str(ref)
    if text.isdigit() and int(text) <= MAX_ID:
        return sa.or_(Item.id == int(text), Item.slug == text)
    return Item.slug == text


def get_row(session: Session, *, ref: str | int, lock: bool = False) -> Any:
    """The item's row; `lock` also locks it for this transaction (PostgreSQL: FOR UPDATE)."""
    query = _select_items().where(_ref_clause(ref))
    if lock:
        query = query.with_for_update(of=Item)
    row = session.execute(query).first()
    if row is None:
        raise not_found("item", ref)
    return row


def get(session: Session, *, ref: str | int) -> dict[str, Any]:
    return as_json(get_row(session, ref=ref)._mapping)


# ---------------------------------------------------------------------------------------------
# Listing


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
    query = _select_items().where(*where)
    if after_clause is not None:
        query = query.where(after_clause)
    rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    total = count_matching(session, filters=filters, where=where)
    return {
        "items": [as_json(r._mapping, today=today) for r in rows],
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


def iter_all(session: Session, *, filters: ItemFilters, sort: str = DEFAULT_SORT, batch: int = 500):
    """Every matching item, fetched page by page with the keyset (constant memory)."""
    filters.validate()
    today = dt.datetime.now(dt.UTC).date()
    where = filters.where(today)
    after = None
    while True:
        order, after_clause = _order_and_after(sort, after)
        query = _select_items().where(*where)
        if after_clause is not None:
            query = query.where(after_clause)
        rows = session.execute(query.order_by(*order).limit(batch)).all()
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1]
        after = decode_cursor(encode_cursor(sort, last), sort)


# ---------------------------------------------------------------------------------------------
# Writing


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or "item"


def _unique_slug(session: Session, base: str) -> str:
    taken = set(
        session.execute(
            sa.select(Item.slug).where(sa.or_(Item.slug == base, Item.slug.like(base + "-%")))
        ).scalars()
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _actor_id(session: Session, slug: str | None, field_name: str) -> int | None:
    if slug is None:
        return None
    actor = actors.get_by_slug_or_none(session, slug=slug)
    if actor is None:
        raise invalid(FieldError(field_name, f"no actor {slug!r}"))
    return actor.id


def _source(session: Session, slug: str) -> Source:
    source = sources.get_by_slug_or_none(session, slug=slug)
    if source is None:
        raise invalid(FieldError("source", f"no source {slug!r}"))
    return source


def _check_evidence_url(url: str | None) -> None:
    if url is not None and url != "" and not re.match(r"^https?://[^\s/]+\S*$", url):
        raise invalid(FieldError("evidence_url", "must be an http or https URL"))


def create(
    session: Session,
    *,
    data: ItemCreate,
    user_id: int | None,
    note: str | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    kind = vocabulary.KIND_BY_CODE.get(data.kind)
    if kind is None:
        raise invalid(FieldError("kind", f"must be one of {', '.join(vocabulary.KIND_CODES)}"))
    status = data.status or kind.initial_status
    if kind.status(status) is None:
        raise invalid(
            FieldError("status", f"{status!r} is not a status of a {kind.code}"),
        )
    actor_id = _actor_id(session, data.actor, "actor")
    responsible_id = _actor_id(session, data.responsible, "responsible")
    source = _source(session, data.source)
    start, end = sources.locate_quote(source.text, data.quote, start=data.quote_start)
    if data.progress_value is not None and data.quantity is None:
        raise invalid(FieldError("progress_value", "an item without a quantity has no progress"))
    if data.slug is not None:
        exists = session.execute(sa.select(Item.id).where(Item.slug == data.slug)).first()
        if exists:
            raise invalid(FieldError("slug", f"{data.slug!r} is already taken"))
        slug = data.slug
    else:
        slug = _unique_slug(session, slugify(data.title))
    now = at or utcnow()
    item = Item(
        slug=slug,
        kind=kind.code,
        title=data.title,
        description=data.description,
        status=status,
        actor_id=actor_id,  # type: ignore[arg-type]
        responsible_id=responsible_id,
        source_id=source.id,  # type: ignore[arg-type]
        quote=data.quote,
        quote_start=start,
        quote_end=end,
        quantity_value=data.quantity.value if data.quantity else None,
        quantity_unit=data.quantity.unit if data.quantity else None,
        progress_target=(
            data.quantity.value
            if data.quantity and kind.code == "commitment" and data.quantity.value > 0
            else None
        ),
        progress_value=data.progress_value,
        made_on=data.made_on,
        due_on=data.due_on,
        created_at=now,
        updated_at=now,
        version=1,
    )
    session.add(item)
    session.flush()
    tally.add(session, [(kind.code, status, 1)])
    events.append(
        session,
        item_id=item.id,  # type: ignore[arg-type]
        version=1,
        type="created",
        user_id=user_id,
        at=now,
        to_status=status,
        note=note,
        progress_value=data.progress_value,
    )
    return get(session, ref=item.id)  # type: ignore[arg-type]


def _compare_and_set(
    session: Session, *, item_id: int, version: int, values: dict[str, Any]
) -> bool:
    result = session.execute(
        sa.update(Item)
        .where(Item.id == item_id, Item.version == version)
        .values(**values, version=version + 1)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


_CAS_ATTEMPTS = 5


def record_status_change(
    session: Session, *, ref: str | int, change: StatusChange, user_id: int | None
) -> dict[str, Any]:
    row = get_row(session, ref=ref)
    kind = vocabulary.KIND_BY_CODE[row.kind]
    errors = []
    if kind.status(change.status) is None:
        errors.append(FieldError("status", f"{change.status!r} is not a status of a {kind.code}"))
    note = change.note.strip()
    if not note:
        errors.append(FieldError("note", "a status change needs a note"))
    if change.progress_value is not None and row.progress_target is None:
        errors.append(FieldError("progress_value", "this item has no quantity to make progress on"))
    if errors:
        raise invalid(*errors)
    _check_evidence_url(change.evidence_url)
    if change.expected_version is not None and change.expected_version != row.version:
        raise conflict(
            f"The item is at version {row.version}, not {change.expected_version}: "
            "someone else changed it. Reload it and try again.",
            current_version=row.version,
        )
    now = utcnow()
    values: dict[str, Any] = {"status": change.status, "updated_at": now}
    if change.progress_value is not None:
        values["progress_value"] = change.progress_value
    # Without expected_version the editor asked for no version check, so losing a race to a
    # concurrent writer (possible on PostgreSQL) means: read the item again and apply on top.
    # The second read locks the row, so that no third writer can slip in before the retry.
    attempts = 1 if change.expected_version is not None else _CAS_ATTEMPTS
    for _ in range(attempts):
        if _compare_and_set(session, item_id=row.id, version=row.version, values=values):
            break
        row = get_row(session, ref=row.id, lock=True)
    else:
        raise conflict(
            "Someone else changed the item at the same moment. Reload it and try again.",
            current_version=row.version,
        )
    if change.status != row.status:
        tally.add(session, [(row.kind, row.status, -1), (row.kind, change.status, 1)])
    events.append(
        session,
        item_id=row.id,
        version=row.version + 1,
        type="status",
        user_id=user_id,
        at=now,
        from_status=row.status,
        to_status=change.status,
        note=note,
        evidence_url=change.evidence_url or None,
        evidence_quote=change.evidence_quote or None,
        progress_value=change.progress_value,
    )
    # Only the item's own columns changed: no need to read it back.
    return as_json({**row._mapping, **values, "version": row.version + 1})


_EDITABLE = ("title", "description", "made_on", "due_on", "progress_value")


def update(
    session: Session,
    *,
    ref: str | int,
    data: ItemUpdate,
    if_match_version: int,
    user_id: int | None,
) -> dict[str, Any]:
    row = get_row(session, ref=ref)
    if if_match_version != row.version:
        raise precondition_failed(
            f"The item is at version {row.version}, not {if_match_version}.",
            current_version=row.version,
        )
    given = data.model_dump(exclude_unset=True)
    note = given.pop("note", None)
    values: dict[str, Any] = {}
    changes: dict[str, list[Any]] = {}

    def change(column: str, old: Any, new: Any, shown_old: Any = None, shown_new: Any = None):
        if old != new:
            values[column] = new
            changes[column] = [
                _jsonable(shown_old if shown_old is not None else old),
                _jsonable(shown_new if shown_new is not None else new),
            ]

    for name in _EDITABLE:
        if name in given:
            if name == "title" and given[name] is None:
                raise invalid(FieldError("title", "must not be null"))
            change(name, getattr(row, name), given[name])
    if "progress_value" in values and row.progress_target is None:
        raise invalid(FieldError("progress_value", "this item has no quantity to make progress on"))
    if "actor" in given:
        if given["actor"] is None:
            raise invalid(FieldError("actor", "must not be null"))
        new_id = _actor_id(session, given["actor"], "actor")
        change("actor_id", row.actor_id, new_id, row.actor_slug, given["actor"])
    if "responsible" in given:
        new_id = _actor_id(session, given["responsible"], "responsible")
        change(
            "responsible_id", row.responsible_id, new_id, row.responsible_slug, given["responsible"]
        )
    if "quantity" in given:
        quantity = data.quantity
        change("quantity_value", row.quantity_value, quantity.value if quantity else None)
        change("quantity_unit", row.quantity_unit, quantity.unit if quantity else None)
        target = (
            quantity.value if quantity and row.kind == "commitment" and quantity.value > 0 else None
        )
        change("progress_target", row.progress_target, target)
        if target is None and row.progress_value is not None and "progress_value" not in given:
            change("progress_value", row.progress_value, None)
    if {"source", "quote", "quote_start"} & given.keys():
        if given.get("source", "") is None or given.get("quote", "") is None:
            raise invalid(FieldError("quote", "source and quote must not be null"))
        source_slug = given.get("source") or row.source_slug
        source = _source(session, source_slug)
        quote = given.get("quote") or row.quote
        start, end = sources.locate_quote(source.text, quote, start=given.get("quote_start"))
        change("source_id", row.source_id, source.id, row.source_slug, source_slug)
        change("quote", row.quote, quote)
        change("quote_start", row.quote_start, start)
        change("quote_end", row.quote_end, end)
    if not values:
        return as_json(row._mapping)
    now = utcnow()
    values["updated_at"] = now
    if not _compare_and_set(session, item_id=row.id, version=row.version, values=values):
        current = get_row(session, ref=row.id)
        raise precondition_failed(
            "Someone else changed the item at the same moment.", current_version=current.version
        )
    only_progress = set(changes) == {"progress_value"}
    events.append(
        session,
        item_id=row.id,
        version=row.version + 1,
        type="progress" if only_progress else "edit",
        user_id=user_id,
        at=now,
        note=note.strip() if note and note.strip() else None,
        progress_value=values.get("progress_value"),
        changes=changes,
    )
    return get(session, ref=row.id)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float):
        return _number(value)
    return value


# ---------------------------------------------------------------------------------------------
# Summary


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
