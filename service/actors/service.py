"""Actors and their scorecards."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from service.actors.models import Actor
from service.errors import not_found
from service.items import vocabulary


def get(session: Session, *, slug: str) -> Actor:
    actor = session.exec(select(Actor).where(Actor.slug == slug)).first()
    if actor is None:
        raise not_found("actor", slug)
    return actor


def get_by_slug_or_none(session: Session, *, slug: str) -> Actor | None:
    return session.exec(select(Actor).where(Actor.slug == slug)).first()


def get_all(session: Session) -> list[Actor]:
    return list(session.exec(select(Actor).order_by(Actor.name)))


def scorecard(session: Session, *, actor_id: int) -> dict[str, dict[str, int]]:
    """The actor's items (as actor, not as responsible) counted by kind and phase."""
    from service.items.models import Item

    rows = session.execute(
        sa.select(Item.kind, Item.status, sa.func.count())
        .where(Item.actor_id == actor_id)
        .group_by(Item.kind, Item.status)
    ).all()
    card = {
        kind.code: {"total": 0, **dict.fromkeys(vocabulary.PHASES, 0)} for kind in vocabulary.KINDS
    }
    for kind, status, count in rows:
        phase = vocabulary.status_of(kind, status).phase
        card[kind][phase] += count
        card[kind]["total"] += count
    return card


def as_json(actor: Actor) -> dict[str, Any]:
    return {
        "slug": actor.slug,
        "name": actor.name,
        "kind": actor.kind,
        "links": {"self": f"/api/v1/actors/{actor.slug}", "html": f"/actors/{actor.slug}"},
    }
