"""Changing the status of many items at once: one status, one note, all or nothing.

Every item named is read first (on PostgreSQL locked, in the order of their ids, so that two
such changes never wait on each other in a circle), and every problem is found before anything
is written: a reference that names no item, a status that is not one of an item's kind (422,
each named by its place in the list), a retracted item, an item changed since the editor read
it (409, listing them). Only then is each change made, by `items.record_status_change`, with the
version just read as the one expected: one version bump, one `status` event with the note and
the tally kept, per item, in the order given (the tally rows they move are taken first, in key
order). An item already in the status is left as it is: no event, no version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from pydantic import ConfigDict, field_validator
from pydantic import Field as PField
from sqlmodel import Session, col

from service.db import connection_of, table_of, utcnow
from service.errors import Conflict, FieldError, Invalid, invalid
from service.items import service as items
from service.items import tally, vocabulary
from service.items.models import PUBLISHED, Item, ItemPublic, StatusChange
from service.items.vocabulary import StatusName
from service.shapes import InputModel, UrlText, parse_id
from service.slugs import service as slugs

MAX_ITEMS = 2000


class BulkTarget(InputModel):
    """One item of a bulk change, and the version the editor saw of it."""

    model_config = ConfigDict(extra="forbid")

    ref: str = PField(min_length=1, max_length=120, description="The item's id or slug.")
    version: int | None = PField(
        default=None,
        ge=1,
        description="The version the editor saw: if the item is at another, nothing changes "
        "(409, with the items that changed since).",
    )


class BulkStatusChange(InputModel):
    """Many items to one status, with one note (and evidence) for all of them."""

    model_config = ConfigDict(extra="forbid")

    items: list[BulkTarget] = PField(
        min_length=1, max_length=MAX_ITEMS, description="The items, each once (id or slug)."
    )
    status: StatusName = PField(min_length=1, max_length=40)
    note: str = PField(max_length=20000)
    evidence_url: UrlText | None = None
    occurred_on: dt.date | None = PField(
        default=None,
        description="When the change happened in the world, if known (not after today); "
        "each event also records when it was entered.",
    )

    @field_validator("note")
    @classmethod
    def _note_is_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a status change needs a note")
        return value

    @field_validator("items")
    @classmethod
    def _each_ref_once(cls, value: list[BulkTarget]) -> list[BulkTarget]:
        repeated = _repeated_refs(value)
        if repeated:
            raise ValueError(
                "; ".join(f"items[{i}].ref repeats items[{first}].ref" for i, first in repeated)
            )
        return value


@dataclass
class BulkResult:
    status: str
    # Each in the order the change named them.
    changed: list[ItemPublic] = field(default_factory=list)
    unchanged: list[ItemPublic] = field(default_factory=list)


def _repeated_refs(targets: Sequence[BulkTarget]) -> list[tuple[int, int]]:
    """(index, index of its first occurrence) of each ref given again."""
    first: dict[str, int] = {}
    repeated = []
    for i, target in enumerate(targets):
        if target.ref in first:
            repeated.append((i, first[target.ref]))
        else:
            first.setdefault(target.ref, i)
    return repeated


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in ("a", "e", "i", "o", "u") else f"a {word}"


def _resolve(connection: sa.Connection, refs: Sequence[str]) -> list[int | None]:
    """The id each ref names (an id, a slug, or a slug the item had before), or None."""
    columns = table_of(Item).c
    numbers = {n for n in map(parse_id, refs) if n is not None}
    rows = connection.execute(
        sa.select(columns.id, columns.slug).where(
            sa.or_(columns.id.in_(sorted(numbers)), columns.slug.in_(sorted(set(refs))))
        )
    ).all()
    by_id = {row.id for row in rows}
    by_slug = {row.slug: row.id for row in rows}
    found: list[int | None] = []
    for ref in refs:
        number = parse_id(ref)
        if number is not None and number in by_id:
            found.append(number)
        elif ref in by_slug:
            found.append(by_slug[ref])
        else:
            found.append(slugs.follow(connection, kind="item", slug=ref))
    return found


def _read_locked(connection: sa.Connection, ids: Sequence[int]) -> dict[int, Any]:
    """The items' rows, locked for this transaction on PostgreSQL, in the order of their ids."""
    query = (
        items.select_items()
        .where(col(Item.id).in_(sorted(set(ids))))
        .order_by(col(Item.id))
        .with_for_update(of=Item)
    )
    return {row.id: row for row in connection.execute(query)}


def _lock_tally(connection: sa.Connection, keys: set[tuple[str, str]]) -> None:
    """Take the tally rows these changes will move (made, at zero, when new), one by one in key
    order as `tally.add` takes its own, before the first change: a single status change that
    moves the same rows the other way round then waits for this one, instead of each holding
    a row the other needs. SQLite has one writer at a time: nothing to take."""
    if not keys or connection.dialect.name != "postgresql":
        return
    # An upsert that adds nothing: it locks the row, or makes it and holds it.
    nothing = [{"kind": kind, "status": status, "count": 0} for kind, status in sorted(keys)]
    connection.execute(tally._upsert(connection.dialect.name), nothing)


def _change_errors(change: BulkStatusChange) -> list[FieldError]:
    """What is wrong with the change whatever the items (the rules of a single change)."""
    errors = []
    if change.status not in vocabulary.STATUS_CODES:
        errors.append(FieldError("status", f"must be one of {', '.join(vocabulary.STATUS_CODES)}"))
    if not change.note.strip():
        errors.append(FieldError("note", "a status change needs a note"))
    # "Today" is the tracker's day, in UTC, as every date it records.
    if change.occurred_on is not None and change.occurred_on > utcnow().date():
        errors.append(FieldError("occurred_on", "a change cannot have happened after today"))
    try:
        items._check_evidence_url(change.evidence_url)
    except Invalid as exc:
        errors.extend(exc.errors)
    return errors


def change_statuses(
    session: Session, *, change: BulkStatusChange, user_id: int | None
) -> BulkResult:
    """Move every item of `change` to its status, in the session's transaction: all of them, or
    (Invalid, Conflict) none. The caller commits (db.write_session)."""
    connection = connection_of(session)
    errors = _change_errors(change)
    known_status = change.status in vocabulary.STATUS_CODES
    ids = _resolve(connection, [target.ref for target in change.items])
    rows = _read_locked(connection, [i for i in ids if i is not None])
    first_of: dict[int, int] = {}
    targets: list[tuple[BulkTarget, Any]] = []
    for i, (target, item_id) in enumerate(zip(change.items, ids, strict=True)):
        ref = target.ref
        row = rows.get(item_id) if item_id is not None else None
        if row is None:
            errors.append(FieldError(f"items[{i}].ref", f"no item {ref!r}"))
            continue
        if row.id in first_of:
            errors.append(
                FieldError(f"items[{i}].ref", f"the same item as items[{first_of[row.id]}]")
            )
            continue
        first_of[row.id] = i
        targets.append((target, row))
        kind = vocabulary.KIND_BY_CODE[row.kind]
        if known_status and kind.status(change.status) is None:
            errors.append(
                FieldError(f"items[{i}]", f"{change.status!r} is not a status of {_a(kind.code)}")
            )
    if errors:
        raise invalid(*errors)
    _check_current(targets)
    moving = [row for _, row in targets if row.status != change.status]
    _lock_tally(
        connection,
        {(row.kind, s) for row in moving if row.publication == PUBLISHED
         for s in (row.status, change.status)},
    )  # fmt: skip
    result = BulkResult(status=change.status)
    for _, row in targets:
        if row.status == change.status:
            result.unchanged.append(ItemPublic.from_row(row._mapping))
            continue
        single = StatusChange(
            status=change.status,
            note=change.note,
            evidence_url=change.evidence_url,
            occurred_on=change.occurred_on,
            # The version just read (and locked): a change in between is a conflict.
            expected_version=row.version,
        )
        result.changed.append(
            items.record_status_change(session, ref=row.id, change=single, user_id=user_id)
        )
    return result


def _check_current(targets: Sequence[tuple[BulkTarget, Any]]) -> None:
    """A Conflict naming every retracted item, and every item at another version than the one
    the editor saw."""
    retracted = [
        {"ref": target.ref, "slug": row.slug}
        for target, row in targets
        if row.publication == "retracted"
    ]
    stale = [
        {"ref": target.ref, "slug": row.slug, "version": target.version,
         "current_version": row.version}
        for target, row in targets
        if target.version is not None and target.version != row.version
    ]  # fmt: skip
    if not retracted and not stale:
        return
    said = []
    extra: dict[str, Any] = {}
    if stale:
        said.append(
            f"{_count(len(stale))} changed since you read {_them(len(stale))}: "
            f"reload {_them(len(stale))} and try again."
        )
        extra["stale"] = stale
    if retracted:
        said.append(
            f"{_count(len(retracted))} {'is' if len(retracted) == 1 else 'are'} retracted: "
            "no longer tracked, so the status does not change."
        )
        extra["retracted"] = retracted
    raise Conflict(" ".join(said) + " Nothing was changed.", extra=extra)


def _count(n: int) -> str:
    return "1 item" if n == 1 else f"{n} items"


def _them(n: int) -> str:
    return "it" if n == 1 else "them"
