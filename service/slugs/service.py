"""Changing a slug: the new one must be free and hold no withheld name; the old one is kept, so
that its URLs lead to the new one (301), unless it holds a withheld name (404, as if it never
was)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from service import masking
from service.db import connection_of, table_of
from service.errors import FieldError, Moved, invalid
from service.slugs.models import SlugKind, SlugRedirect
from service.withheld.models import WithheldName


def withheld_names(session: Session | sa.Connection) -> masking.Names:
    """The names withheld now, as this transaction reads them."""
    found = connection_of(session).execute(sa.select(col(WithheldName.name))).scalars()
    return masking.names(tuple(sorted(found)))


def check_new(session: Session, *, slug: str, taken: sa.ColumnElement[bool]) -> None:
    """A slug an editor gives: free (`taken` finds the row that holds it, if any), and holding
    no withheld name, and not a number (a number in a URL is an item's id)."""
    if slug.isdigit():
        raise invalid(FieldError("slug", "must hold a letter: a number is read as an id"))
    if session.execute(sa.select(sa.literal(1)).where(taken)).first() is not None:
        raise invalid(FieldError("slug", f"{slug!r} is already taken"))
    if withheld_names(session).found_in(slug):
        raise invalid(FieldError("slug", "it holds a name withheld from the public"))


def record(session: Session, *, kind: SlugKind, old: str, new: str, target_id: int) -> None:
    """The `kind` `target_id` changed its slug from `old` to `new`: `old` now leads to it (and a
    slug given back to it no longer leads anywhere else)."""
    connection = connection_of(session)
    table = table_of(SlugRedirect)
    connection.execute(
        sa.delete(table).where(table.c.kind == kind, table.c.old_slug.in_([old, new]))
    )
    connection.execute(sa.insert(table).values(kind=kind, old_slug=old, target_id=target_id))


def follow(session: Session | sa.Connection, *, kind: SlugKind, slug: str) -> int | None:
    """The id of what had this slug before, or None: also when the slug holds a withheld name.
    Such a slug answers as one that never was (404): a 410, or a redirect, would confirm a
    guessed name to whoever tried it."""
    table = table_of(SlugRedirect)
    target = (
        connection_of(session)
        .execute(sa.select(table.c.target_id).where(table.c.kind == kind, table.c.old_slug == slug))
        .scalar_one_or_none()
    )
    if target is None:
        return None
    if withheld_names(session).found_in(slug):
        return None
    return int(target)


def moved(kind: SlugKind, old: str, new: str) -> Moved:
    return Moved(f"This {kind} is now at {new}.", old_slug=old, slug=new)
