"""The history: appending events, reading an item's timeline and the global change feed.

Event ids are the feed's cursor, so they must become visible in id order: a poller that has seen
id N must never later find an id below N. SQLite has one writer at a time, which gives that for
free. On PostgreSQL ids come from a sequence and transactions may commit out of order, so every
writer holds one transaction-scoped advisory lock (db.WRITE_LOCK) before its event takes an id:
write_session takes it first thing, and append takes it again (it is reentrant) for writers
that did not come through write_session.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session

from service.accounts.models import User
from service.actors.models import Actor
from service.db import WRITE_LOCK, utcnow
from service.events.models import Event, EventPublic
from service.items.models import Item
from service.sources.models import Source

_Replier = aliased(Actor, name="replier")
_ReplySource = aliased(Source, name="reply_source")

_INSERT = sa.insert(Event.__table__)


def append(
    session: Session,
    *,
    item_id: int,
    version: int,
    type: str,
    user_id: int | None,
    at: dt.datetime | None = None,
    occurred_on: dt.date | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
    evidence_url: str | None = None,
    evidence_quote: str | None = None,
    progress_value: float | None = None,
    changes: dict[str, Any] | None = None,
    actor_id: int | None = None,
    source_id: int | None = None,
) -> int:
    """Append an event; its id."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITE_LOCK)))
    # A Core insert on the session's connection: the history is written, never read back as
    # objects, so the ORM's unit of work has nothing to do here.
    inserted = session.connection().execute(
        _INSERT,
        {
            "item_id": item_id,
            "version": version,
            "type": type,
            "user_id": user_id,
            "at": at or utcnow(),
            "occurred_on": occurred_on,
            "from_status": from_status,
            "to_status": to_status,
            "note": note,
            "evidence_url": evidence_url,
            "evidence_quote": evidence_quote,
            "progress_value": progress_value,
            "changes": changes,
            "actor_id": actor_id,
            "source_id": source_id,
        },
    )
    key = inserted.inserted_primary_key
    assert key is not None
    return int(key[0])


def last_change_at(session: Session) -> dt.datetime | None:
    newest = sa.select(sa.func.max(Event.id)).scalar_subquery()
    return session.execute(sa.select(Event.at).where(Event.id == newest)).scalar_one_or_none()


def _select_events() -> sa.Select[Any]:
    return (
        sa.select(
            Event.id,
            Event.item_id,
            Item.slug.label("item_slug"),
            Item.title.label("item_title"),
            Item.kind.label("item_kind"),
            Event.version,
            Event.type,
            Event.at,
            Event.occurred_on,
            User.username,
            Event.from_status,
            Event.to_status,
            Event.note,
            Event.evidence_url,
            Event.evidence_quote,
            Event.progress_value,
            Event.changes,
            _Replier.slug.label("actor_slug"),
            _Replier.name.label("actor_name"),
            _ReplySource.slug.label("source_slug"),
            _ReplySource.title.label("source_title"),
        )
        .join(Item, Item.id == Event.item_id)
        .outerjoin(User, User.id == Event.user_id)
        .outerjoin(_Replier, _Replier.id == Event.actor_id)
        .outerjoin(_ReplySource, _ReplySource.id == Event.source_id)
    )


def get(session: Session, *, event_id: int) -> EventPublic:
    row = session.execute(_select_events().where(Event.id == event_id)).one()
    return EventPublic.from_row(row._mapping)


def history(session: Session, *, item_id: int) -> list[EventPublic]:
    rows = session.execute(
        _select_events().where(Event.item_id == item_id).order_by(Event.id)
    ).all()
    return [EventPublic.from_row(r._mapping) for r in rows]


def feed(session: Session, *, after: int, limit: int) -> list[EventPublic]:
    rows = session.execute(
        _select_events().where(Event.id > after).order_by(Event.id).limit(limit)
    ).all()
    return [EventPublic.from_row(r._mapping) for r in rows]


def latest(session: Session, *, limit: int) -> list[EventPublic]:
    rows = session.execute(_select_events().order_by(Event.id.desc()).limit(limit)).all()
    return [EventPublic.from_row(r._mapping) for r in rows]
