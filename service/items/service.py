"""One item: reading it, creating it, editing it and changing its status (lists, counts and the
summary are in listing.py).

Every change bumps the item's version with a compare-and-set UPDATE and appends exactly one event
in the same transaction, so two editors can never silently overwrite each other.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from service import shapes
from service.actors import service as actors
from service.actors.models import Actor
from service.db import compare_and_set, connection_of, free_slug, table_of, utcnow
from service.errors import (
    FieldError,
    conflict,
    invalid,
    not_found,
    precondition_failed,
    require_version,
)
from service.events import service as events
from service.items import search, tally, vocabulary
from service.items.models import Item, ItemCreate, ItemPublic, ItemUpdate, StatusChange
from service.shapes import BIDI_FORMATTING, json_number, parse_id
from service.slugs import service as slugs
from service.sources import service as sources
from service.sources.models import Source

_Responsible = aliased(Actor, name="responsible")


@lru_cache(maxsize=1)
def select_items() -> sa.Select[Any]:
    """Every column the item JSON needs, in one query with its actor, responsible and source.
    Built once: a Select is immutable, and each `.where()` makes a new one."""
    return (
        sa.select(
            *table_of(Item).c,
            col(Actor.slug).label("actor_slug"),
            col(Actor.name).label("actor_name"),
            col(_Responsible.slug).label("responsible_slug"),
            col(_Responsible.name).label("responsible_name"),
            col(Source.slug).label("source_slug"),
            col(Source.title).label("source_title"),
        )
        .join(Actor, col(Actor.id) == col(Item.actor_id))
        .outerjoin(_Responsible, col(_Responsible.id) == col(Item.responsible_id))
        .join(Source, col(Source.id) == col(Item.source_id))
    )


@lru_cache(maxsize=4)
def _select_by_ref(by_id: bool, lock: bool) -> sa.Select[Any]:
    """The item select for one reference, built once per shape with its values as parameters:
    a statement built anew for each call costs more to key for the compiled-SQL cache than the
    query costs to run."""
    columns = table_of(Item).c
    clause = columns.slug == sa.bindparam("slug")
    if by_id:
        clause = sa.or_(columns.id == sa.bindparam("id"), clause)
    query = select_items().where(clause)
    return query.with_for_update(of=Item) if lock else query


def get_row(session: Session | sa.Connection, *, ref: str | int, lock: bool = False) -> Any:
    """The item's row; `lock` also locks it for this transaction (PostgreSQL: FOR UPDATE)."""
    text = str(ref)
    number = parse_id(text)
    parameters: dict[str, Any] = {"slug": text}
    if number is not None:
        parameters["id"] = number
    # A Core select on the session's connection: rows, not objects, so no ORM bookkeeping.
    connection = connection_of(session)
    row = connection.execute(_select_by_ref(number is not None, lock), parameters).first()
    if row is None:
        # A slug it had before leads to it (the caller's URL is out of date).
        target = slugs.follow(connection, kind="item", slug=text)
        if target is None:
            raise not_found("item", ref)
        moved = connection.execute(_select_by_ref(True, False), {"id": target, "slug": ""}).one()
        raise slugs.moved("item", text, moved.slug)
    return row


def get(session: Session, *, ref: str | int) -> ItemPublic:
    return ItemPublic.from_row(get_row(session, ref=ref)._mapping)


# ---------------------------------------------------------------------------------------------
# Writing


def _actor_id(session: Session, slug: str | None, field_name: str) -> int | None:
    return None if slug is None else _existing_actor_id(session, slug, field_name)


def _existing_actor_id(session: Session, slug: str, field_name: str) -> int:
    actor = actors.get_by_slug_or_none(session, slug=slug)
    if actor is None:
        raise invalid(FieldError(field_name, f"no actor {slug!r}"))
    assert actor.id is not None  # read from its table
    return actor.id


def _source(session: Session, slug: str) -> Source:
    source = sources.get_by_slug_or_none(session, slug=slug)
    if source is None:
        raise invalid(FieldError("source", f"no source {slug!r}"))
    return source


def _check_evidence_url(url: str | None) -> None:
    if url is not None and url != "" and not re.match(r"^https?://[^\s/]+\S*$", url):
        raise invalid(FieldError("evidence_url", "must be an http or https URL"))
    if url and BIDI_FORMATTING.search(url):
        raise invalid(
            FieldError("evidence_url", "must not contain a bidirectional formatting character")
        )


def create(
    session: Session,
    *,
    data: ItemCreate,
    user_id: int | None,
    note: str | None = None,
    at: dt.datetime | None = None,
) -> ItemPublic:
    kind = vocabulary.KIND_BY_CODE.get(data.kind)
    if kind is None:
        raise invalid(FieldError("kind", f"must be one of {', '.join(vocabulary.KIND_CODES)}"))
    status = data.status or kind.initial_status
    if kind.status(status) is None:
        raise invalid(
            FieldError("status", f"{status!r} is not a status of a {kind.code}"),
        )
    actor_id = _existing_actor_id(session, data.actor, "actor")
    responsible_id = _actor_id(session, data.responsible, "responsible")
    source = _source(session, data.source)
    assert source.id is not None  # read from its table
    start, end = sources.locate_quote(source.text, data.quote, start=data.quote_start)
    if data.progress_value is not None and data.quantity is None:
        raise invalid(FieldError("progress_value", "an item without a quantity has no progress"))
    if data.slug is not None:
        slugs.check_new(session, slug=data.slug, taken=col(Item.slug) == data.slug)
        slug = data.slug
    else:
        # Made from the title as the public reads it: a slug never holds a withheld name.
        shown = slugs.withheld_names(session).text(data.title)
        slug = free_slug(session, table_of(Item).c.slug, shapes.slugify(shown))
    now = at or utcnow()
    item = Item(
        slug=slug,
        kind=kind.code,
        title=data.title,
        description=data.description,
        status=status,
        actor_id=actor_id,
        responsible_id=responsible_id,
        source_id=source.id,
        quote=data.quote,
        quote_start=start,
        quote_end=end,
        quantity_value=data.quantity.value if data.quantity else None,
        quantity_unit=data.quantity.unit if data.quantity else None,
        progress_target=vocabulary.progress_target(
            kind.code, data.quantity.value if data.quantity else None
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
    assert item.id is not None  # given by the flush
    tally.add(session, [(kind.code, status, 1)])
    search.index(session.connection(), [item.id])
    events.append(
        session,
        item_id=item.id,
        version=1,
        type="created",
        user_id=user_id,
        at=now,
        to_status=status,
        note=note,
        progress_value=data.progress_value,
    )
    return get(session, ref=item.id)


_CAS_ATTEMPTS = 5


def record_status_change(
    session: Session, *, ref: str | int, change: StatusChange, user_id: int | None
) -> ItemPublic:
    # Every statement of the change on the one connection, looked up once.
    connection = session.connection()
    row = get_row(connection, ref=ref)
    kind = vocabulary.KIND_BY_CODE[row.kind]
    errors = []
    if kind.status(change.status) is None:
        errors.append(FieldError("status", f"{change.status!r} is not a status of a {kind.code}"))
    note = change.note.strip()
    if not note:
        errors.append(FieldError("note", "a status change needs a note"))
    if change.progress_value is not None and row.progress_target is None:
        errors.append(FieldError("progress_value", "this item has no quantity to make progress on"))
    # "Today" is the tracker's day, in UTC, as every date it records.
    if change.occurred_on is not None and change.occurred_on > utcnow().date():
        errors.append(FieldError("occurred_on", "a change cannot have happened after today"))
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
        if compare_and_set(connection, Item, row_id=row.id, version=row.version, values=values):
            break
        row = get_row(connection, ref=row.id, lock=True)
    else:
        raise conflict(
            "Someone else changed the item at the same moment. Reload it and try again.",
            current_version=row.version,
        )
    if change.status != row.status:
        tally.add(connection, [(row.kind, row.status, -1), (row.kind, change.status, 1)])
    events.append(
        connection,
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
        occurred_on=change.occurred_on,
    )
    # Only the item's own columns changed: no need to read it back.
    return ItemPublic.from_row({**row._mapping, **values, "version": row.version + 1})


_EDITABLE = ("title", "description", "made_on", "due_on", "progress_value")
# The columns whose change the search index must follow.
_INDEXED = frozenset({"title", "description", "quote", "actor_id", "responsible_id"})


def change_slug(
    session: Session, *, ref: str | int, slug: str, user_id: int | None, checked: bool = False
) -> ItemPublic:
    """Give an item a new slug (an edit of its own, in its history); the old one is kept so that
    its URLs lead to the new one. `checked`: the caller made the slug free and clean."""
    row = get_row(session, ref=ref, lock=True)
    if slug == row.slug:
        return ItemPublic.from_row(row._mapping)
    if not checked:
        slugs.check_new(session, slug=slug, taken=col(Item.slug) == slug)
    now = utcnow()
    values = {"slug": slug, "updated_at": now}
    if not compare_and_set(session, Item, row_id=row.id, version=row.version, values=values):
        raise precondition_failed(
            "Someone else changed the item at the same moment.", current_version=row.version + 1
        )
    slugs.record(session, kind="item", old=row.slug, new=slug, target_id=row.id)
    events.append(
        session, item_id=row.id, version=row.version + 1, type="edit", user_id=user_id, at=now,
        changes={"slug": [row.slug, slug]},
    )  # fmt: skip
    return get(session, ref=row.id)


def update(
    session: Session,
    *,
    ref: str | int,
    data: ItemUpdate,
    if_match_version: int,
    user_id: int | None,
) -> ItemPublic:
    row = get_row(session, ref=ref)
    require_version("item", current=row.version, asked=if_match_version)
    given = data.model_dump(exclude_unset=True)
    note = given.pop("note", None)
    values: dict[str, Any] = {}
    changes: dict[str, list[Any]] = {}

    def change(
        column: str, old: Any, new: Any, shown_old: Any = None, shown_new: Any = None
    ) -> None:
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
    if "slug" in given:
        if given["slug"] is None:
            raise invalid(FieldError("slug", "must not be null"))
        if given["slug"] != row.slug:
            slugs.check_new(session, slug=given["slug"], taken=col(Item.slug) == given["slug"])
            change("slug", row.slug, given["slug"])
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
        target = vocabulary.progress_target(row.kind, quantity.value if quantity else None)
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
        return ItemPublic.from_row(row._mapping)
    now = utcnow()
    values["updated_at"] = now
    if not compare_and_set(session, Item, row_id=row.id, version=row.version, values=values):
        current = get_row(session, ref=row.id)
        raise precondition_failed(
            "Someone else changed the item at the same moment.", current_version=current.version
        )
    if "slug" in values:
        slugs.record(session, kind="item", old=row.slug, new=values["slug"], target_id=row.id)
    if _INDEXED & values.keys():
        search.index(session.connection(), [row.id])
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
        return json_number(value)
    return value
