"""Suggested claims of a source, as editors see them: the candidates found in its text, each
marked accepted (a tracked item quotes inside it), dismissed (an editor said no) or new."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from service.actors.models import Actor
from service.errors import NotFound
from service.items.models import Item
from service.sources import service as sources
from service.sources.candidates import KnownActor, find_candidates
from service.sources.models import CandidateDismissal, CandidatePublic, CandidateQuantity


def known_actors(session: Session) -> list[KnownActor]:
    return [
        KnownActor(slug=a.slug, name=a.name, aliases=tuple(a.aliases or ()))
        for a in session.exec(select(Actor).order_by(col(Actor.id)))
    ]


def for_source(session: Session, *, slug: str) -> list[CandidatePublic]:
    source = sources.get(session, slug=slug)
    tracked = session.execute(
        sa.select(col(Item.slug), col(Item.quote_start), col(Item.quote_end))
        .where(col(Item.source_id) == source.id)
        .order_by(col(Item.quote_start), col(Item.id))
    ).all()
    dismissed = {
        (d.quote_start, d.quote_end)
        for d in session.exec(
            select(CandidateDismissal).where(CandidateDismissal.source_id == source.id)
        )
    }
    found = []
    for candidate in find_candidates(source.text, actors=known_actors(session)):
        item = next(
            (
                t.slug
                for t in tracked
                if candidate.quote_start <= t.quote_start and t.quote_end <= candidate.quote_end
            ),
            None,
        )
        span = (candidate.quote_start, candidate.quote_end)
        state = "accepted" if item else "dismissed" if span in dismissed else "new"
        quantity = candidate.quantity
        found.append(
            CandidatePublic(
                id=candidate.id,
                quote=candidate.quote,
                quote_start=candidate.quote_start,
                quote_end=candidate.quote_end,
                kind=candidate.kind,
                quantity=(
                    CandidateQuantity(value=quantity.value, unit=quantity.unit)
                    if quantity
                    else None
                ),
                actor=candidate.actor,
                actor_name=candidate.actor_name,
                item=item,
                state=state,
                score=round(candidate.score, 3),
                cue=candidate.cue,
            )
        )
    return found


def dismiss(session: Session, *, slug: str, candidate_id: str, user_id: int | None) -> None:
    """Record that an editor dismissed a suggestion (once; dismissing again changes nothing)."""
    source = sources.get(session, slug=slug)
    candidate = next(
        (c for c in find_candidates(source.text, actors=known_actors(session))
         if c.id == candidate_id),
        None,
    )  # fmt: skip
    if candidate is None:
        raise NotFound(f"No suggestion {candidate_id} in source {slug}.")
    exists = session.exec(
        select(CandidateDismissal).where(
            CandidateDismissal.source_id == source.id,
            CandidateDismissal.quote_start == candidate.quote_start,
            CandidateDismissal.quote_end == candidate.quote_end,
        )
    ).first()
    if exists is None:
        assert source.id is not None  # read from its table
        session.add(
            CandidateDismissal(
                source_id=source.id,
                quote_start=candidate.quote_start,
                quote_end=candidate.quote_end,
                user_id=user_id,
            )
        )
        session.flush()
