"""Editing an item's fields: an edit (an event of type `edit`, or `progress` when only the
progress moves), a correction in public (type `correction`, with its note; see
items.publication), and a new slug. The old wording is kept in the event's `changes`, so that no
earlier word is ever lost."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col

from service.db import compare_and_set, utcnow
from service.errors import FieldError, invalid, precondition_failed, require_version
from service.events import service as events
from service.items import search, vocabulary
from service.items.models import Item, ItemPublic, ItemUpdate
from service.items.service import _actor_id, _source, get, get_row
from service.shapes import json_number
from service.slugs import service as slugs
from service.sources import service as sources

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
    note: str | None = None,
    event_type: str = "edit",
    also: dict[str, Any] | None = None,
    also_changes: dict[str, list[Any]] | None = None,
) -> ItemPublic:
    """Change the given fields. `event_type`, `also` (more columns to set) and `also_changes`
    (what they were and became) are for a correction, which changes the kind and status too."""
    row = get_row(session, ref=ref)
    require_version("item", current=row.version, asked=if_match_version)
    given = data.model_dump(exclude_unset=True)
    note = given.pop("note", None) or note
    values: dict[str, Any] = dict(also or {})
    changes: dict[str, list[Any]] = dict(also_changes or {})

    def change(
        column: str, old: Any, new: Any, shown_old: Any = None, shown_new: Any = None
    ) -> None:
        if old != new:
            values[column] = new
            changes[column] = [
                _jsonable(shown_old if shown_old is not None else old),
                _jsonable(shown_new if shown_new is not None else new),
            ]

    kind = values.get("kind", row.kind)
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
        target = vocabulary.progress_target(kind, quantity.value if quantity else None)
        change("progress_target", row.progress_target, target)
        if target is None and row.progress_value is not None and "progress_value" not in given:
            change("progress_value", row.progress_value, None)
    if "kind" in values and "quantity" not in given:
        # Progress counts only for a commitment with a quantity: a new kind may end it.
        target = vocabulary.progress_target(kind, row.quantity_value)
        change("progress_target", row.progress_target, target)
        if target is None and row.progress_value is not None:
            change("progress_value", row.progress_value, None)
    if {"source", "quote", "quote_start"} & given.keys():
        if given.get("source", "") is None or given.get("quote", "") is None:
            raise invalid(FieldError("quote", "source and quote must not be null"))
        source_slug = given.get("source") or row.source_slug
        source = _source(session, source_slug)
        quote = given.get("quote") or row.quote
        start, end = sources.locate_quote(source.text, quote, start=given.get("quote_start"))
        sources.check_passage(source.text, start, end)
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
    only_progress = set(changes) == {"progress_value"} and event_type == "edit"
    events.append(
        session,
        item_id=row.id,
        version=row.version + 1,
        type="progress" if only_progress else event_type,
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
