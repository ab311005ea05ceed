"""Suggested claims of a source, as editors see them: the candidates found in its text, each
marked accepted (a tracked item quotes inside it), dismissed (an editor said no) or new."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from service.actors.models import Actor
from service.audit import service as audit
from service.db import table_of
from service.errors import NotFound
from service.items.models import Item
from service.sources import deadlines
from service.sources import service as sources
from service.sources.candidates import KnownActor, find_candidates
from service.sources.models import CandidateDismissal, CandidatePublic, CandidateQuantity
from service.sources.titles import title_from


def known_actors(session: Session) -> list[KnownActor]:
    return [
        KnownActor(slug=a.slug, name=a.name, aliases=tuple(a.aliases or ()))
        for a in session.exec(select(Actor).order_by(col(Actor.id)))
    ]


def for_source(session: Session, *, slug: str, drafts: bool = False) -> list[CandidatePublic]:
    """The suggestions of a source's text; tracked as drafts too with `drafts` (for editors:
    a draft is nobody else's)."""
    source = sources.get(session, slug=slug)
    query = (
        sa.select(col(Item.slug), col(Item.quote_start), col(Item.quote_end))
        .where(col(Item.source_id) == source.id)
        .order_by(col(Item.quote_start), col(Item.id))
    )
    if not drafts:
        query = query.where(col(Item.publication) != "draft")
    tracked = session.execute(query).all()
    dismissed = {
        (d.quote_start, d.quote_end)
        for d in session.exec(
            select(CandidateDismissal).where(CandidateDismissal.source_id == source.id)
        )
    }
    found = []
    # Spans of time count from the source's date, when it gives one to the month at least.
    written_on = source.published_on if source.published_precision != "year" else None
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
                title=title_from(candidate.quote),
                due_on=deadline.due_on
                if (deadline := deadlines.find(candidate.quote, written_on=written_on))
                else None,
                due_words=deadline.words if deadline else None,
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
        audit.record(session, action="suggestion_dismissed", subject="source", slug=source.slug,
                     user_id=user_id, detail={"suggestion": candidate_id,
                                              "quote": candidate.quote})  # fmt: skip


def restore(session: Session, *, slug: str, candidate_id: str, user_id: int | None) -> None:
    """Take back a dismissal: the suggestion is new again (nothing happens if it was not
    dismissed)."""
    source = sources.get(session, slug=slug)
    candidate = next(
        (c for c in find_candidates(source.text, actors=known_actors(session))
         if c.id == candidate_id),
        None,
    )  # fmt: skip
    if candidate is None:
        raise NotFound(f"No suggestion {candidate_id} in source {slug}.")
    removed = session.connection().execute(
        sa.delete(table_of(CandidateDismissal)).where(
            col(CandidateDismissal.source_id) == source.id,
            col(CandidateDismissal.quote_start) == candidate.quote_start,
            col(CandidateDismissal.quote_end) == candidate.quote_end,
        )
    )
    if removed.rowcount:
        audit.record(session, action="suggestion_restored", subject="source", slug=source.slug,
                     user_id=user_id, detail={"suggestion": candidate_id,
                                              "quote": candidate.quote})  # fmt: skip
