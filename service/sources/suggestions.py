"""Suggested claims of a source, as editors see them: the candidates found in its text, each
marked accepted (a tracked item quotes inside it), dismissed (an editor said no) or new.

They are computed once, when the source is archived, and stored with it under the method's
version (`candidates.METHOD`); `tracker suggestions recompute` (run by `tracker db upgrade`)
computes again those stored under another version. A request only reads them. What editors do
with them (track, dismiss, restore) is kept in `suggestion_decision`, for a ranker to learn
from."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from service.actors.models import Actor
from service.audit import service as audit
from service.db import read_session, table_of, utcnow
from service.errors import NotFound
from service.items.models import Item
from service.sources import deadlines, sandbox
from service.sources import service as sources
from service.sources.candidates import METHOD, TO_COME, Candidate, KnownActor
from service.sources.models import (
    CandidateDismissal,
    CandidatePublic,
    CandidateQuantity,
    CandidateSpan,
    Source,
    SourceSuggestions,
    SuggestionDecision,
)
from service.sources.ranker import rank_candidates
from service.sources.titles import sentence_before, title_from

log = logging.getLogger(__name__)
# The method of a source whose suggestions were cut short (too long to compute when archived).
NOT_COMPUTED = "not computed"


def known_actors(session: Session) -> list[KnownActor]:
    return [
        KnownActor(slug=a.slug, name=a.name, aliases=tuple(a.aliases or ()))
        for a in session.exec(select(Actor).order_by(col(Actor.id)))
    ]


def _written_on(source: Source) -> dt.date | None:
    """Spans of time count from the source's date, when it gives one to the month at least."""
    return source.published_on if source.published_precision != "year" else None


def compute(
    text: str, *, actors: Sequence[KnownActor], written_on: dt.date | None
) -> list[Candidate]:
    """The suggestions of a text (pure: what `store` keeps)."""
    return rank_candidates(text, actors=actors, written_on=written_on)


def prepare(
    text: str, *, published_on: dt.date | None, precision: str | None
) -> list[Candidate] | None:
    """The suggestions of a text about to be archived: computed in a child process (a long text
    takes seconds of work, none of it the server's), before the write transaction opens, so
    no writer waits on them. None when the child is cut short: `store` then keeps them as not
    computed, for `tracker suggestions recompute`."""
    with read_session() as session:
        actors = known_actors(session)
    written_on = published_on if precision != "year" else None
    return sandbox.candidates(text, actors=actors, written_on=written_on)


def store(session: Session, *, source: Source, found: Sequence[Candidate] | None) -> None:
    """Keep a source's suggestions, replacing those it had (None: not computed, cut short)."""
    assert source.id is not None  # read from its table
    kept = session.get(SourceSuggestions, source.id)
    candidates = [c.stored() for c in found or ()]
    method = METHOD if found is not None else NOT_COMPUTED
    if kept is None:
        session.add(SourceSuggestions(source_id=source.id, method=method, candidates=candidates))
    else:
        kept.method, kept.candidates, kept.computed_at = method, candidates, utcnow()
        session.add(kept)
    session.flush()


def refresh(session: Session, *, every: bool = False) -> int:
    """Compute the suggestions of every source that has none, or has them from another method
    (of every source with `every`); how many were computed."""
    query = sa.select(col(Source.id)).outerjoin(
        SourceSuggestions, col(SourceSuggestions.source_id) == col(Source.id)
    )
    if not every:
        query = query.where(
            sa.or_(
                col(SourceSuggestions.source_id).is_(None), col(SourceSuggestions.method) != METHOD
            )
        )
    ids = list(session.execute(query.order_by(col(Source.id))).scalars())
    actors = known_actors(session)
    for source_id in ids:
        source = session.get_one(Source, source_id)
        found = compute(source.text, actors=actors, written_on=_written_on(source))
        store(session, source=source, found=found)
    return len(ids)


def candidates_of(session: Session, source: Source) -> list[Candidate]:
    """The source's stored suggestions. A request never computes them: missing or stale ones
    (a database not brought up to date by `tracker db upgrade`, a text whose computing was cut
    short) are none until `tracker suggestions recompute` computes them."""
    kept = session.get(SourceSuggestions, source.id)
    if kept is not None and kept.method == METHOD:
        return [Candidate.from_stored(c, source.text) for c in kept.candidates]
    log.warning(
        "suggestions of source %s are %s: run `tracker suggestions recompute`",
        source.slug,
        "missing" if kept is None else f"from method {kept.method}",
    )
    return []


class _Actors:
    """Actors as they are now: a stored suggestion names the actors known when it was
    computed; a name written then may be a known actor since, and a slug may be gone."""

    def __init__(self, session: Session) -> None:
        self.slugs: set[str] = set()
        self.by_name: dict[str, str] = {}
        for actor in known_actors(session):
            self.slugs.add(actor.slug)
            for name in (actor.name, *actor.aliases):
                self.by_name.setdefault(name.casefold(), actor.slug)

    def resolve(self, slug: str | None, name: str | None) -> tuple[str | None, str | None]:
        if slug is not None and slug in self.slugs:
            return slug, None
        if name is not None and name.casefold() in self.by_name:
            return self.by_name[name.casefold()], None
        return None, name


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
    actors = _Actors(session)
    written_on = _written_on(source)
    # The election day a manifesto's "first 100 days" count from: looked for only when needed.
    term_from: dt.date | None = None
    looked = False
    found = []
    for candidate in candidates_of(session, source):
        spans = [(candidate.quote_start, candidate.quote_end), *candidate.also]
        item = next(
            (
                t.slug
                for t in tracked
                for start, end in spans
                if start <= t.quote_start and t.quote_end <= end
            ),
            None,
        )
        span = (candidate.quote_start, candidate.quote_end)
        state = "accepted" if item else "dismissed" if span in dismissed else "new"
        quantity = candidate.quantity
        actor, actor_name = actors.resolve(candidate.actor, candidate.actor_name)
        responsible, responsible_name = actors.resolve(
            candidate.responsible, candidate.responsible_name
        )
        # Counted again from the source's date as it is now, in the passage it was read in.
        read_in = candidate.due_from
        deadline = None
        if read_in:
            words = source.text[read_in[0] : read_in[1]]
            if not looked and deadlines.counts_from_term(words):
                term_from, looked = deadlines.polling_day(source.text, written_on), True
            deadline = deadlines.find(
                words, written_on=written_on, term_from=term_from,
                to_come=candidate.kind in TO_COME,
            ) or deadlines.table_due(source.text, *read_in, written_on=written_on)  # fmt: skip
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
                actor=actor,
                actor_name=actor_name,
                responsible=responsible,
                responsible_name=responsible_name,
                item=item,
                state=state,
                score=round(candidate.score, 3),
                cue=candidate.cue,
                title=title_from(
                    candidate.quote, sentence_before(source.text, candidate.quote_start)
                ),
                due_on=deadline.due_on if deadline else None,
                due_words=deadline.words if deadline else None,
                also=[CandidateSpan(quote_start=a, quote_end=b) for a, b in candidate.also],
                answers=candidate.answers,
            )
        )
    return found


def _candidate(session: Session, source: Source, candidate_id: str) -> Candidate:
    found = next((c for c in candidates_of(session, source) if c.id == candidate_id), None)
    if found is None:
        raise NotFound(f"No suggestion {candidate_id} in source {source.slug}.")
    return found


def _decided(
    session: Session,
    *,
    source: Source,
    candidate: Candidate,
    decision: str,
    user_id: int | None,
    chosen: dict[str, Any] | None = None,
    item_id: int | None = None,
) -> None:
    assert source.id is not None  # read from its table
    session.add(
        SuggestionDecision(
            source_id=source.id,
            quote_start=candidate.quote_start,
            quote_end=candidate.quote_end,
            decision=decision,
            method=METHOD,
            suggested=candidate.stored(),
            chosen=chosen,
            item_id=item_id,
            user_id=user_id,
        )
    )
    session.flush()


def record_tracked(
    session: Session, *, item: Item, actor: str, responsible: str | None, user_id: int | None
) -> None:
    """An item was made from a suggestion (its quote lies inside one of the source's stored
    suggestions): keep the suggestion beside what the editor chose."""
    kept = session.get(SourceSuggestions, item.source_id)
    if kept is None:
        return
    source = session.get_one(Source, item.source_id)
    for stored in kept.candidates:
        spans = [(stored["start"], stored["end"]), *(tuple(s) for s in stored.get("also") or ())]
        if any(a <= item.quote_start and item.quote_end <= b for a, b in spans):
            chosen = {
                "kind": item.kind,
                "quote_start": item.quote_start,
                "quote_end": item.quote_end,
                "quantity": [item.quantity_value, item.quantity_unit]
                if item.quantity_unit
                else None,
                "actor": actor,
                "responsible": responsible,
                "due_on": item.due_on.isoformat() if item.due_on else None,
            }
            candidate = Candidate.from_stored(stored, source.text)
            _decided(session, source=source, candidate=candidate, decision="tracked",
                     user_id=user_id, chosen=chosen, item_id=item.id)  # fmt: skip
            return


def dismiss(session: Session, *, slug: str, candidate_id: str, user_id: int | None) -> None:
    """Record that an editor dismissed a suggestion (once; dismissing again changes nothing)."""
    source = sources.get(session, slug=slug)
    candidate = _candidate(session, source, candidate_id)
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
        _decided(session, source=source, candidate=candidate, decision="dismissed",
                 user_id=user_id)  # fmt: skip
        audit.record(session, action="suggestion_dismissed", subject="source", slug=source.slug,
                     user_id=user_id, detail={"suggestion": candidate_id,
                                              "quote": candidate.quote})  # fmt: skip


def restore(session: Session, *, slug: str, candidate_id: str, user_id: int | None) -> None:
    """Take back a dismissal: the suggestion is new again (nothing happens if it was not
    dismissed)."""
    source = sources.get(session, slug=slug)
    candidate = _candidate(session, source, candidate_id)
    removed = session.connection().execute(
        sa.delete(table_of(CandidateDismissal)).where(
            col(CandidateDismissal.source_id) == source.id,
            col(CandidateDismissal.quote_start) == candidate.quote_start,
            col(CandidateDismissal.quote_end) == candidate.quote_end,
        )
    )
    if removed.rowcount:
        _decided(session, source=source, candidate=candidate, decision="restored",
                 user_id=user_id)  # fmt: skip
        audit.record(session, action="suggestion_restored", subject="source", slug=source.slug,
                     user_id=user_id, detail={"suggestion": candidate_id,
                                              "quote": candidate.quote})  # fmt: skip
