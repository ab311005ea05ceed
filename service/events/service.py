"""The history: appending events, reading an item's timeline and the global change feed.

Event ids are the feed's cursor, so a poller that has seen id N must never later find an id below
N. SQLite has one writer at a time, which gives that for free. On PostgreSQL ids come from a
sequence and writers commit in any order, so the feed shows ids only up to a horizon below which
every id is settled (committed or rolled back for good): see `feed_horizon`.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from service.accounts.models import User
from service.actors.models import Actor
from service.db import connection_of, shared_alias, table_of, tick, utcnow
from service.errors import FieldError, invalid
from service.events.models import ChangeWindow, Corrections, Event, EventPublic, FeedPage
from service.items.models import Item
from service.sources.models import Source

_Replier = shared_alias(Actor, "replier")
_ReplySource = shared_alias(Source, "reply_source")
_ItemSource = shared_alias(Source, "item_source")

_INSERT = sa.insert(table_of(Event))


def append(
    session: Session | sa.Connection,
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
    # PostgreSQL: the transaction gets its id before the event takes one (a no-op when the
    # transaction came through write_session, which ticked already).
    tick(session)
    # A Core insert on the session's connection: the history is written, never read back as
    # objects, so the ORM's unit of work has nothing to do here.
    inserted = connection_of(session).execute(
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


# Drafts are for editors only: their events are in no public list of changes.
PUBLIC_EVENTS = col(Item.publication) != "draft"


def last_change_at(session: Session) -> dt.datetime | None:
    """When the newest public change was recorded."""
    newest = (
        sa.select(sa.func.max(col(Event.id)))
        .join(Item, col(Item.id) == col(Event.item_id))
        .where(PUBLIC_EVENTS)
        .scalar_subquery()
    )
    at: dt.datetime | None = session.execute(
        sa.select(col(Event.at)).where(col(Event.id) == newest)
    ).scalar_one_or_none()
    return at


def select_events() -> sa.Select[*tuple[Any, ...]]:
    return (
        sa.select(
            col(Event.id),
            col(Event.item_id),
            col(Item.slug).label("item_slug"),
            col(Item.title).label("item_title"),
            col(Item.kind).label("item_kind"),
            col(_ItemSource.slug).label("item_source_slug"),
            col(Event.version),
            col(Event.type),
            col(Event.at),
            col(Event.occurred_on),
            col(User.username),
            col(Event.from_status),
            col(Event.to_status),
            col(Event.note),
            col(Event.evidence_url),
            col(Event.evidence_quote),
            col(Event.progress_value),
            col(Event.changes),
            col(_Replier.slug).label("actor_slug"),
            col(_Replier.name).label("actor_name"),
            col(_ReplySource.slug).label("source_slug"),
            col(_ReplySource.title).label("source_title"),
        )
        .join(Item, col(Item.id) == col(Event.item_id))
        .join(_ItemSource, col(_ItemSource.id) == col(Item.source_id))
        .outerjoin(User, col(User.id) == col(Event.user_id))
        .outerjoin(_Replier, col(_Replier.id) == col(Event.actor_id))
        .outerjoin(_ReplySource, col(_ReplySource.id) == col(Event.source_id))
    )


def get(session: Session, *, event_id: int) -> EventPublic:
    row = session.execute(select_events().where(col(Event.id) == event_id)).one()
    return EventPublic.from_row(row._mapping)


def history(session: Session, *, item_id: int) -> list[EventPublic]:
    rows = session.execute(
        select_events().where(col(Event.item_id) == item_id).order_by(col(Event.id))
    ).all()
    return [EventPublic.from_row(r._mapping) for r in rows]


def change_window(
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    occurred_since: dt.datetime | None = None,
    occurred_until: dt.datetime | None = None,
) -> ChangeWindow:
    """The change feed's window; each start must not be after its end."""
    for start, end, name, end_name in (
        (since, until, "since", "until"),
        (occurred_since, occurred_until, "occurred_since", "occurred_until"),
    ):
        if start is not None and end is not None and start > end:
            raise invalid(FieldError(name, f"must not be after `{end_name}`"))
    return ChangeWindow(since, until, occurred_since, occurred_until)


def _in_window(window: ChangeWindow) -> list[sa.ColumnElement[bool]]:
    at, occurred_on = col(Event.at), col(Event.occurred_on)
    clauses: list[sa.ColumnElement[bool]] = []
    if window.since is not None:
        clauses.append(at >= window.since)
    if window.until is not None:
        clauses.append(at <= window.until)
    # When it happened: its day when the editor stated one (the day that holds a time given
    # counts whole: the event may have happened at any hour of it); else when it was recorded.
    if window.occurred_since is not None:
        start = window.occurred_since
        clauses.append(
            sa.or_(
                sa.and_(occurred_on.is_not(None), occurred_on >= start.date()),
                sa.and_(occurred_on.is_(None), at >= start),
            )
        )
    if window.occurred_until is not None:
        end = window.occurred_until
        clauses.append(
            sa.or_(
                sa.and_(occurred_on.is_not(None), occurred_on <= end.date()),
                sa.and_(occurred_on.is_(None), at <= end),
            )
        )
    return clauses


def feed(
    session: Session,
    *,
    after: int,
    limit: int,
    upto: int | None = None,
    window: ChangeWindow = ChangeWindow(),
) -> FeedPage:
    """The public events of `window` after `after`, in id order, `limit` of them; with `upto`
    none above it (the horizon below which every id is settled)."""
    matching = [col(Event.id) > after, PUBLIC_EVENTS, *_in_window(window)]
    query = select_events().where(*matching)
    if upto is not None:
        query = query.where(col(Event.id) <= upto)
    rows = session.execute(query.order_by(col(Event.id)).limit(limit + 1)).all()
    page = [EventPublic.from_row(r._mapping) for r in rows[:limit]]
    if len(rows) > limit:
        # The next match is below the horizon too: whatever commits later, more follow.
        return FeedPage(page, has_more=True)
    if upto is None or newest_id(session) <= upto:
        return FeedPage(page, has_more=False)
    # Events committed past the horizon were left out: more follow if one of them matches (the
    # next page, read with a later horizon, shows it). A page that is full holds what a later
    # read would hold, and says the same of what follows it; a short one is of this moment.
    beyond = (
        sa.select(col(Event.id))
        .join(Item, col(Item.id) == col(Event.item_id))
        .where(*matching, col(Event.id) > upto)
        .limit(1)
    )
    more = session.execute(beyond).first() is not None
    return FeedPage(page, has_more=more, settled=len(page) == limit)


def newest_id(session: Session) -> int:
    return int(
        session.execute(sa.select(sa.func.coalesce(sa.func.max(col(Event.id)), 0))).scalar_one()
    )


class HorizonTimeout(Exception):
    """Writers that took event ids are still running past the deadline."""


_LAST_ID = sa.text("SELECT coalesce(pg_sequence_last_value('event_id_seq'), 0)")
# The transactions that hold an id now (each holds a lock on its own id from the moment it gets
# one), but those that another database's session shows as its own. (A session of another role
# may not show its database: it is waited for, to be safe.)
_RUNNING = sa.text(
    "SELECT coalesce(array_agg(l.transactionid::text), '{}') FROM pg_locks l"
    " WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted"
    " AND l.pid <> pg_backend_pid() AND NOT EXISTS ("
    " SELECT FROM pg_stat_activity a WHERE a.pid = l.pid AND a.datname <> current_database())"
)
_STILL_RUNNING = sa.text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND mode = 'ExclusiveLock'"
    " AND transactionid::text = ANY(:xids)"
)


# How long the feed waits for writers that hold ids (seconds).
HORIZON_DEADLINE = 2.0


def feed_horizon(engine: sa.Engine, *, deadline: float | None = None) -> int | None:
    """PostgreSQL: an event id at or below which every id is settled, to be read in a snapshot
    taken after this returns; None on SQLite (one writer at a time: every id is settled).

    Every writer has a transaction id before it takes an event id (db.tick). So once the
    sequence has been read, every id it had handed out belongs to a transaction that has finished
    or that holds an id now; when those have finished too, every id up to the one read is
    settled, and a snapshot taken afterwards sees all that were committed. Writers that start
    later take higher ids. This waits for the writers of the moment (a few milliseconds), at
    most `deadline` seconds (HorizonTimeout: a transaction has held its id that long)."""
    if engine.dialect.name != "postgresql":
        return None
    deadline = HORIZON_DEADLINE if deadline is None else deadline
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        last = int(connection.execute(_LAST_ID).scalar_one())
        running = list(connection.execute(_RUNNING).scalar_one())
        give_up = time.monotonic() + deadline
        pause = 0.0005
        while running and connection.execute(_STILL_RUNNING, {"xids": running}).scalar_one():
            if time.monotonic() > give_up:
                raise HorizonTimeout
            time.sleep(pause)
            pause = min(pause * 2, 0.01)
    return last


def latest(session: Session, *, limit: int) -> list[EventPublic]:
    """The newest public events."""
    query = select_events().where(PUBLIC_EVENTS).order_by(col(Event.id).desc()).limit(limit)
    rows = session.execute(query).all()
    return [EventPublic.from_row(r._mapping) for r in rows]


CORRECTION_TYPES = ("correction", "retracted")


def corrections(session: Session, *, before: int | None = None, limit: int = 50) -> Corrections:
    """The corrections and retractions, newest first, `limit` of them, older than `before`."""
    query = (
        select_events()
        .where(col(Event.type).in_(CORRECTION_TYPES), PUBLIC_EVENTS)
        .order_by(col(Event.id).desc())
        .limit(limit + 1)
    )
    if before is not None:
        query = query.where(col(Event.id) < before)
    rows = session.execute(query).all()
    found = [EventPublic.from_row(r._mapping) for r in rows[:limit]]
    return Corrections(corrections=found, next_before=found[-1].id if len(rows) > limit else None)
