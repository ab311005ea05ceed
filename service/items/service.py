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
from sqlmodel import Session, col

from service import shapes
from service.actors import service as actors
from service.actors.models import Actor
from service.db import compare_and_set, connection_of, free_slug, shared_alias, table_of, utcnow
from service.errors import (
    Conflict,
    FieldError,
    conflict,
    invalid,
    not_found,
)
from service.events import service as events
from service.items import search, tally, vocabulary
from service.items.models import PUBLISHED, Item, ItemCreate, ItemPublic, StatusChange
from service.shapes import BIDI_FORMATTING, parse_id
from service.slugs import service as slugs
from service.sources import service as sources
from service.sources import suggestions
from service.sources.models import Source

_Responsible = shared_alias(Actor, "responsible")


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
    index: bool = True,
) -> ItemPublic:
    """Create an item. `index=False`: the caller writes the search index of many new items at
    once (search.index), in the same transaction."""
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
    sources.check_passage(source.text, start, end)
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
        publication=data.publication,
    )
    session.add(item)
    session.flush()
    assert item.id is not None  # given by the flush
    suggestions.record_tracked(session, item=item, actor=data.actor,
                               responsible=data.responsible, user_id=user_id)  # fmt: skip
    if data.publication == PUBLISHED:
        # A draft counts nowhere, and is found by no search, until it is published.
        tally.add(session, [(kind.code, status, 1)])
        if index:
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


def check_status_change(row: Any, change: StatusChange) -> str:
    """What refuses the change of this item's row (Invalid, or Conflict when it is retracted or
    at another version than expected); its note, stripped. Nothing is read or written."""
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
    if row.publication == "retracted":
        raise Conflict(
            "This item is retracted: it is no longer tracked, so its status does not change.",
            extra={"publication": row.publication},
        )
    _check_evidence_url(change.evidence_url)
    if change.expected_version is not None and change.expected_version != row.version:
        raise conflict(
            f"The item is at version {row.version}, not {change.expected_version}: "
            "someone else changed it. Reload it and try again.",
            current_version=row.version,
        )
    return note


def record_status_change(
    session: Session, *, ref: str | int, change: StatusChange, user_id: int | None
) -> ItemPublic:
    # Every statement of the change on the one connection, looked up once.
    connection = session.connection()
    row = get_row(connection, ref=ref)
    note = check_status_change(row, change)
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
    if change.status != row.status and row.publication == PUBLISHED:
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
