"""Right of reply: an actor's answer to an item (the accused body, the council whose promise is
rated), recorded as an event of the item's history, so that it is in the change feed, the Atom
feed and the item's JSON, and shown beside the item on its page.

A reply is a change to the item's record: it moves the item's version on, like any event."""

from __future__ import annotations

import re

from sqlmodel import Session

from service.actors import service as actors
from service.db import compare_and_set, utcnow
from service.errors import FieldError, conflict, invalid
from service.events import service as events
from service.events.models import EventPublic, ReplyCreate, ReplyPublic
from service.items import service as items
from service.items.models import Item
from service.sources import service as sources

_ATTEMPTS = 5


def record(
    session: Session, *, ref: str | int, data: ReplyCreate, user_id: int | None
) -> ReplyPublic:
    row = items.get_row(session, ref=ref)
    errors: list[FieldError] = []
    text = data.text.strip()
    if not text:
        errors.append(FieldError("text", "a reply needs its text"))
    actor = actors.get_by_slug_or_none(session, slug=data.by)
    if actor is None:
        errors.append(FieldError("by", f"no actor {data.by!r}"))
    url = (data.url or "").strip() or None
    if url is not None and not re.match(r"^https?://[^\s/]+\S*$", url):
        errors.append(FieldError("url", "must be an http or https URL"))
    source = None
    if data.source:
        source = sources.get_by_slug_or_none(session, slug=data.source)
        if source is None:
            errors.append(FieldError("source", f"no source {data.source!r}"))
    quote = data.quote or None
    if errors:
        raise invalid(*errors)
    if source is not None and quote is not None:
        sources.locate_quote(source.text, quote)  # the reply's words, verbatim in the source
    now = utcnow()
    for _ in range(_ATTEMPTS):
        values = {"updated_at": now, "reply_count": row.reply_count + 1}
        if compare_and_set(session, Item, row_id=row.id, version=row.version, values=values):
            break
        row = items.get_row(session, ref=row.id, lock=True)
    else:
        raise conflict(
            "Someone else changed the item at the same moment. Try again.",
            current_version=row.version,
        )
    event_id = events.append(
        session,
        item_id=row.id,
        version=row.version + 1,
        type="reply",
        user_id=user_id,
        at=now,
        occurred_on=data.occurred_on,
        note=text,
        evidence_url=url,
        evidence_quote=quote,
        actor_id=actor.id if actor else None,
        source_id=source.id if source else None,
    )
    return ReplyPublic.of(events.get(session, event_id=event_id))


def of_history(history: list[EventPublic]) -> list[ReplyPublic]:
    """The replies in an item's history, oldest first."""
    return [ReplyPublic.of(event) for event in history if event.type == "reply"]
