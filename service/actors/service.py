"""Actors and their scorecards."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from service.actors.models import Actor, PhaseCounts, Scorecard
from service.errors import not_found
from service.items import vocabulary
from service.items.models import Item


def get(session: Session, *, slug: str) -> Actor:
    actor = session.exec(select(Actor).where(Actor.slug == slug)).first()
    if actor is None:
        raise not_found("actor", slug)
    return actor


def get_by_slug_or_none(session: Session, *, slug: str) -> Actor | None:
    return session.exec(select(Actor).where(Actor.slug == slug)).first()


def get_all(session: Session) -> list[Actor]:
    return list(session.exec(select(Actor).order_by(Actor.name)))


def scorecard(session: Session, *, actor_id: int) -> Scorecard:
    """The actor's items (as actor, not as responsible) counted by kind and phase."""
    rows = session.execute(
        sa.select(Item.kind, Item.status, sa.func.count())
        .where(Item.actor_id == actor_id)
        .group_by(Item.kind, Item.status)
    ).all()
    card = {kind.code: PhaseCounts() for kind in vocabulary.KINDS}
    for kind, status, count in rows:
        counts = card[kind]
        phase = vocabulary.status_of(kind, status).phase
        setattr(counts, phase, getattr(counts, phase) + count)
        counts.total += count
    return Scorecard(**card)
