"""An item's publication: a draft (editors only) is published, or deleted outright (it was never
public); a published item is corrected in public, with a note, or retracted, with a reason (it
leaves the lists and the counts; its page and history stay). Each is an event of the item's
history (but deleting a draft) and an entry of the audit."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from service.audit import service as audit
from service.db import compare_and_set, connection_of, table_of, utcnow
from service.errors import Conflict, FieldError, invalid, precondition_failed, require_version
from service.events import service as events
from service.events.models import Event
from service.items import edits, search, tally, vocabulary
from service.items import service as items
from service.items.models import (
    PUBLISHED,
    Item,
    ItemCorrection,
    ItemMaskedTitle,
    ItemPublic,
    ItemUpdate,
)
from service.links.models import ItemLink
from service.slugs.models import SlugRedirect
from service.withheld.models import WithheldName


def _refuse_unless(row: Any, publication: str, doing: str) -> None:
    if row.publication != publication:
        raise Conflict(
            f"Only a {publication} item can be {doing}; this one is {row.publication}.",
            extra={"publication": row.publication},
        )


def _next_version(session: Session, row: Any, values: dict[str, Any]) -> None:
    if not compare_and_set(session, Item, row_id=row.id, version=row.version, values=values):
        raise precondition_failed(
            "Someone else changed the item at the same moment.", current_version=row.version + 1
        )


def publish(session: Session, *, ref: str | int, user_id: int | None) -> ItemPublic:
    """A draft becomes public: in the lists, the counts, search and the feeds from now on."""
    row = items.get_row(session, ref=ref, lock=True)
    _refuse_unless(row, "draft", "published")
    now = utcnow()
    _next_version(session, row, {"publication": PUBLISHED, "updated_at": now})
    tally.add(session, [(row.kind, row.status, 1)])
    search.index(session.connection(), [row.id])
    events.append(
        session, item_id=row.id, version=row.version + 1, type="published", user_id=user_id,
        at=now, to_status=row.status,
    )  # fmt: skip
    audit.record(session, action="item_published", subject="item", slug=row.slug,
                 user_id=user_id, at=now)  # fmt: skip
    return items.get(session, ref=row.id)


def retract(session: Session, *, ref: str | int, reason: str, user_id: int | None) -> ItemPublic:
    """A published item that should never have been tracked: it leaves the lists, the counts
    and search; its page stays, saying so and why, and its history stays whole."""
    row = items.get_row(session, ref=ref, lock=True)
    reason = reason.strip()
    if not reason:
        raise invalid(FieldError("reason", "say why it is retracted: the public reads it"))
    _refuse_unless(row, PUBLISHED, "retracted")
    now = utcnow()
    _next_version(session, row, {"publication": "retracted", "updated_at": now})
    tally.add(session, [(row.kind, row.status, -1)])
    search.index(session.connection(), [row.id])
    events.append(
        session, item_id=row.id, version=row.version + 1, type="retracted", user_id=user_id,
        at=now, note=reason,
    )  # fmt: skip
    audit.record(session, action="item_retracted", subject="item", slug=row.slug,
                 user_id=user_id, detail={"reason": reason}, at=now)  # fmt: skip
    return items.get(session, ref=row.id)


def delete_draft(session: Session, *, ref: str | int, user_id: int | None) -> None:
    """A draft deleted outright, with its history and links: it was never public. Nothing
    published can be deleted."""
    row = items.get_row(session, ref=ref, lock=True)
    _refuse_unless(row, "draft", "deleted")
    connection = connection_of(session)
    names = table_of(WithheldName)
    marked = connection.execute(
        sa.select(sa.func.count()).select_from(names).where(names.c.item_id == row.id)
    ).scalar_one()
    if marked:
        # A name withheld on it is withheld everywhere: deleting it would show the name again.
        raise Conflict(
            "Names are withheld on this draft: they are withheld everywhere, so the draft "
            "keeps them. Show them again first if they need not be withheld."
        )
    links = table_of(ItemLink)
    connection.execute(
        sa.delete(links).where(sa.or_(links.c.item_id == row.id, links.c.target_id == row.id))
    )
    redirects = table_of(SlugRedirect)
    connection.execute(
        sa.delete(redirects).where(redirects.c.kind == "item", redirects.c.target_id == row.id)
    )
    connection.execute(sa.delete(table_of(Event)).where(col(Event.item_id) == row.id))
    connection.execute(
        sa.delete(table_of(ItemMaskedTitle)).where(col(ItemMaskedTitle.item_id) == row.id)
    )
    search.forget(connection, [row.id])
    connection.execute(sa.delete(table_of(Item)).where(col(Item.id) == row.id))
    audit.record(session, action="draft_deleted", subject="item", slug=row.slug,
                 user_id=user_id, detail={"title": row.title})  # fmt: skip


def correct(
    session: Session,
    *,
    ref: str | int,
    data: ItemCorrection,
    if_match_version: int,
    user_id: int | None,
) -> ItemPublic:
    """A published item's quote, kind, actor, title or quantity changed in public: an event of
    type `correction`, with its note (which the item's page shows as a dated notice) and the
    old values beside the new ones."""
    row = items.get_row(session, ref=ref, lock=True)
    require_version("item", current=row.version, asked=if_match_version)
    _refuse_unless(row, PUBLISHED, "corrected (a draft is edited)")
    note = data.note.strip()
    if not note:
        raise invalid(FieldError("note", "a correction needs a public note"))
    given = data.model_dump(exclude_unset=True, exclude={"note", "kind", "status"})
    kind_changes: dict[str, list[Any]] = {}
    values: dict[str, Any] = {}
    if data.kind is not None and data.kind != row.kind:
        kind = vocabulary.KIND_BY_CODE.get(data.kind)
        if kind is None:
            raise invalid(FieldError("kind", f"must be one of {', '.join(vocabulary.KIND_CODES)}"))
        status = data.status or kind.initial_status
        if kind.status(status) is None:
            raise invalid(FieldError("status", f"{status!r} is not a status of a {kind.code}"))
        values.update(kind=kind.code, status=status)
        kind_changes = {"kind": [row.kind, kind.code], "status": [row.status, status]}
    update = ItemUpdate.model_validate(given)
    corrected = edits.update(
        session, ref=row.id, data=update, if_match_version=row.version, user_id=user_id,
        note=note, event_type="correction", also=values, also_changes=kind_changes,
    )  # fmt: skip
    if kind_changes:
        tally.add(session, [(row.kind, row.status, -1), (corrected.kind, corrected.status, 1)])
    audit.record(session, action="item_corrected", subject="item", slug=corrected.slug,
                 user_id=user_id, detail={"note": note})  # fmt: skip
    return corrected
