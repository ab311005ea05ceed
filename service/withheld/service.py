"""Withholding names: marking words of an item's record as a private person's name, and the
Masker that replaces every withheld name in what the public is shown.

A name is withheld everywhere once marked: a name hidden on one item and printed on another (or
on the source page) would not be hidden. Stored texts keep their words and their bytes; only
what is shown to the public changes, so quote offsets stay verifiable by editors."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import escape
from sqlmodel import Session

from service.db import utcnow
from service.errors import Conflict, FieldError, NotFound, invalid
from service.events.models import Event
from service.items import service as items
from service.sources.models import Source
from service.withheld.models import (
    FORBIDDEN_CHARACTERS,
    PLACEHOLDER,
    WithheldCreate,
    WithheldName,
    WithheldPublic,
)


@dataclass(frozen=True)
class Masker:
    """Replaces withheld names, longest first (so that "Jane Doe" goes before "Jane")."""

    names: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.names)

    def found_in(self, value: str) -> bool:
        return any(name in value for name in self.names)

    def text(self, value: str) -> str:
        for name in self.names:
            value = value.replace(name, PLACEHOLDER)
        return value

    def utf8(self, data: bytes) -> bytes:
        """In JSON, CSV or XML bytes: a name holds nothing these formats escape, so it is
        written as it is."""
        for name in self.names:
            data = data.replace(name.encode(), PLACEHOLDER.encode())
        return data

    def html(self, page: str) -> str:
        """In HTML: names as the template escaped them (an apostrophe is &#39;)."""
        placeholder = str(escape(PLACEHOLDER))
        for name in self.names:
            page = page.replace(str(escape(name)), placeholder)
        return page


# The masker read in a session's current transaction: one snapshot holds one set of names, so a
# request that masks its search, its summary and its page reads them once.
_MEMO = "withheld.masker"


def masker(session: Session) -> Masker:
    memo = session.info.get(_MEMO)
    if memo is not None and memo[0] is session.get_transaction():
        return memo[1]
    names = session.execute(sa.select(WithheldName.name)).scalars()
    found = Masker(tuple(sorted(names, key=lambda name: (-len(name), name))))
    session.info[_MEMO] = (session.get_transaction(), found)
    return found


def use_masker(session: Session, known: Masker) -> None:
    """The names of this session's snapshot are known already (kept from an earlier request
    at the same data version): `masker(session)` answers them without reading them again."""
    session.info[_MEMO] = (session.get_transaction(), known)


def _forget_masker(session: Session) -> None:
    """After a name is added or removed in this session: the next masker reads them again."""
    session.info.pop(_MEMO, None)


def _found_in_record(session: Session, row: object, name: str) -> bool:
    texts = [getattr(row, "title", ""), getattr(row, "description", None) or ""]
    texts.append(getattr(row, "quote", ""))
    if any(name in text for text in texts):
        return True
    item_id = row.id
    in_events = session.execute(
        sa.select(Event.id)
        .where(Event.item_id == item_id)
        .where(
            sa.or_(
                Event.note.contains(name, autoescape=True),
                Event.evidence_quote.contains(name, autoescape=True),
            )
        )
        .limit(1)
    ).first()
    if in_events:
        return True
    source_text = session.execute(
        sa.select(Source.text).where(Source.id == row.source_id)
    ).scalar_one()
    return name in source_text


def create(
    session: Session, *, ref: str | int, data: WithheldCreate, user_id: int | None
) -> WithheldPublic:
    row = items.get_row(session, ref=ref)
    name = data.name.strip()
    if len(name) < 2:
        raise invalid(FieldError("name", "give at least two characters"))
    bad = sorted({c for c in name if c in FORBIDDEN_CHARACTERS})
    if bad:
        raise invalid(FieldError("name", f"a name cannot hold {' '.join(bad)}"))
    if not _found_in_record(session, row, name):
        raise invalid(
            FieldError("name", "not found in this item, its history or its source, as written")
        )
    exists = session.execute(sa.select(WithheldName.id).where(WithheldName.name == name)).first()
    if exists:
        raise Conflict("That name is already withheld.")
    withheld = WithheldName(name=name, item_id=row.id, user_id=user_id, created_at=utcnow())
    session.add(withheld)
    session.flush()
    _forget_masker(session)
    assert withheld.id is not None
    return WithheldPublic(
        id=withheld.id, name=name, item_slug=row.slug, created_at=withheld.created_at
    )


def of_item(session: Session, *, item_id: int) -> list[WithheldPublic]:
    """The names marked on this item (for its editors' page)."""
    rows = session.execute(
        sa.select(WithheldName).where(WithheldName.item_id == item_id).order_by(WithheldName.id)
    ).scalars()
    slug = items.get_row(session, ref=item_id).slug
    return [
        WithheldPublic(id=w.id or 0, name=w.name, item_slug=slug, created_at=w.created_at)
        for w in rows
    ]


def delete(session: Session, *, ref: str | int, withheld_id: int) -> None:
    row = items.get_row(session, ref=ref)
    result = session.execute(
        sa.delete(WithheldName).where(
            WithheldName.id == withheld_id, WithheldName.item_id == row.id
        )
    )
    _forget_masker(session)
    if result.rowcount != 1:
        raise NotFound(f"No withheld name {withheld_id} on {row.slug}.")
