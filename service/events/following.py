"""Following one thing: the latest public events of one item, of one actor, or of the items of a
kind, a status and an actor (the feeds a reader subscribes to instead of the whole tracker)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlmodel import Session, col

from service.actors import service as actors
from service.errors import FieldError, invalid
from service.events.models import Event, EventPublic

# The events query and the rule that drafts are for editors only live with the history; the
# feeds here narrow that same query.
from service.events.service import PUBLIC_EVENTS, select_events
from service.items import vocabulary
from service.items.models import Item

# How many events a feed holds: the newest.
FEED_SIZE = 50


@dataclass(frozen=True)
class FeedFilters:
    """A filtered feed's choice, checked: the kind and status codes, and the actor's id with its
    slug and name (for the feed's title)."""

    kind: str | None = None
    status: str | None = None
    actor_id: int | None = None
    actor_slug: str | None = None
    actor_name: str | None = None

    @property
    def narrowed(self) -> bool:
        return any((self.kind, self.status, self.actor_id))


def feed_filters(
    session: Session, *, kind: str | None, status: str | None, actor: str | None
) -> FeedFilters:
    """The filters as asked, each checked: an unknown kind, status or actor is an error naming
    it (a feed that silently ignored one would look like the one asked for while it is not).
    An empty kind or status is such an error too, as the list's filters have it: the feed's own
    links leave out a filter not chosen."""
    errors: list[FieldError] = []
    if kind is not None and kind not in vocabulary.KIND_BY_CODE:
        known = ", ".join(vocabulary.KIND_CODES)
        errors.append(FieldError("kind", f"no kind {kind!r}: one of {known}"))
    if status is not None:
        kinds = [kind] if kind in vocabulary.KIND_BY_CODE else list(vocabulary.KIND_CODES)
        if not any(vocabulary.KIND_BY_CODE[k].status(status) for k in kinds):
            where = f"of a {kind}" if kind in vocabulary.KIND_BY_CODE else "of any kind"
            errors.append(FieldError("status", f"no status {status!r} {where}"))
    found = actors.get_by_slug_or_none(session, slug=actor) if actor else None
    if actor and found is None:
        errors.append(FieldError("actor", f"no actor {actor!r}"))
    if errors:
        raise invalid(*errors)
    return FeedFilters(
        kind=kind or None,
        status=status or None,
        actor_id=found.id if found else None,
        actor_slug=found.slug if found else None,
        actor_name=found.name if found else None,
    )


def _newest(session: Session, *clauses: sa.ColumnElement[bool]) -> list[EventPublic]:
    newest_first = col(Event.id).desc()
    query = select_events().where(PUBLIC_EVENTS, *clauses).order_by(newest_first).limit(FEED_SIZE)
    return [EventPublic.from_row(row._mapping) for row in session.execute(query).all()]


def of_item(session: Session, *, item_id: int) -> list[EventPublic]:
    """The item's newest events (its page's timeline, newest first)."""
    return _newest(session, col(Event.item_id) == item_id)


def _of_actor(actor_id: int) -> sa.ColumnElement[bool]:
    # Its own items, those it answers for, and its replies to others'.
    return sa.or_(
        col(Item.actor_id) == actor_id,
        col(Item.responsible_id) == actor_id,
        col(Event.actor_id) == actor_id,
    )


def of_actor(session: Session, *, actor_id: int) -> list[EventPublic]:
    """The newest events of the items the actor promised, is accused of, proposes or answers
    for, and its replies."""
    return _newest(session, _of_actor(actor_id))


def filtered(session: Session, *, filters: FeedFilters) -> list[EventPublic]:
    """The newest events of the items of that kind, at that status now, of that actor."""
    clauses: list[sa.ColumnElement[bool]] = []
    if filters.kind:
        clauses.append(col(Item.kind) == filters.kind)
    if filters.status:
        clauses.append(col(Item.status) == filters.status)
    if filters.actor_id is not None:  # as the dashboard's filter: the actor of the items
        clauses.append(col(Item.actor_id) == filters.actor_id)
    return _newest(session, *clauses)


def describe(filters: FeedFilters) -> str:
    """The filtered feed's title: "Changes: commitments, now Broken, of Rotherham Council"."""
    what = vocabulary.KIND_BY_CODE[filters.kind].plural.lower() if filters.kind else "items"
    parts = [what]
    if filters.status:
        label = (
            vocabulary.label_of(filters.kind, filters.status)
            if filters.kind
            else vocabulary.label_anywhere(filters.status)
        )
        parts.append(f"now {label}")
    if filters.actor_name:
        parts.append(f"of {filters.actor_name}")
    return "Changes: " + ", ".join(parts)


def feed_id(filters: FeedFilters) -> str:
    """The specific part of the feed's `tag:` id: by the actor's id, which a new slug keeps."""
    if not filters.narrowed:
        return "changes"
    chosen = {"kind": filters.kind, "status": filters.status, "actor": filters.actor_id}
    return "changes?" + urlencode({k: v for k, v in sorted(chosen.items()) if v})
