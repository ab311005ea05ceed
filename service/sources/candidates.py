"""Suggested claims: the sentences and list bullets of a source's text that read like a
commitment, an allegation or a proposal, each with the quantity it names, the actor it belongs
to and a score, for an editor to accept or dismiss.

The text is cut into passages (sentences, bullets), each passage is read against the cue table
(the strongest cue gives the kind), then its quantity and actor are found and its score made
up. Pure: no database, no web; the same text always gives the same candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.sources.cues import CUES, DAMPERS, Cue, Kind
from service.sources.mentions import (
    SUBJECT_PRONOUN,
    ActorMatcher,
    KnownActor,
    Mention,
    nearest,
    new_names,
    speakers,
)
from service.sources.passages import Form, Passage, lowered_copy, matching_copy, passages
from service.sources.quantities import Quantity, find_quantities, main_quantity
from service.sources.units import Measure

__all__ = ["MIN_SCORE", "Candidate", "KnownActor", "Quantity", "find_candidates"]

# Candidates scoring below this are not suggested.
MIN_SCORE = 0.5
# A claim that names a quantity or a known actor is more likely to be one worth tracking.
QUANTITY_BONUS = 0.05
ACTOR_BONUS = 0.05
# Two different cues of the same kind agree.
AGREEMENT_BONUS = 0.05
# A bullet read through its list's lead-in ("Allegations about officers:") is less sure.
LEAD_IN_PENALTY = 0.05
# ... and less sure still through its other bullets or the sentence before its lead-in.
LIST_PENALTY = 0.1
QUESTION_PENALTY = 0.3
# "funding these posts", "the money will be spent": the quantity was named just before.
REFERS_BACK = re.compile(
    r"\b(?:these|those)\s+(?:\w+\s+)?(?P<things>[a-z]+s)\b"
    r"|\b(?:the|this|that)\s+(?P<money>money|funding|cash|sum|investment|grant)\b",
    re.IGNORECASE,
)
SENTENCES_BACK = 2
REPORTED = re.compile(r"\b(?:said|says|told|added|argued|believes|thinks)\b")


@dataclass(frozen=True)
class Candidate:
    quote_start: int
    quote_end: int
    quote: str  # text[quote_start:quote_end], code-point offsets
    kind: Kind
    quantity: Quantity | None
    actor: str | None  # slug of a known actor
    actor_name: str | None  # a name as written when no known actor matched
    score: float  # 0..1
    cue: str  # the name of the cue that gave the kind

    @property
    def id(self) -> str:
        return f"{self.quote_start}-{self.quote_end}"


@dataclass(frozen=True)
class _Hit:
    cue: Cue
    at: int | None  # offset of the match in the text; None when read through a lead-in
    weight: float


def _hits(lowered: str, passage: Passage) -> list[_Hit]:
    hits = []
    for cue in CUES:
        at = cue.find(lowered, passage.start, passage.end)
        if at is not None:
            hits.append(_Hit(cue, at, cue.weight))
    return hits


def _list_context(found: Sequence[Passage], own: Sequence[list[_Hit]], index: int) -> list[_Hit]:
    """The cues a bullet is read with besides its own. A list is about one thing: its lead-in
    ("Allegations about officers:") says what, else its other bullets do, else the sentence
    before the lead-in ("... has promised to publish ..." before "The plan includes:")."""
    first = last = index
    while first > 0 and found[first - 1].form is Form.BULLET:
        first -= 1
    while last + 1 < len(found) and found[last + 1].form is Form.BULLET:
        last += 1
    lead_in = first - 1
    close = lead_in >= 0 and found[index].paragraph - found[lead_in].paragraph <= 1
    if close and found[lead_in].form in (Form.HEADING, Form.SENTENCE) and own[lead_in]:
        return [_Hit(h.cue, None, h.weight - LEAD_IN_PENALTY) for h in own[lead_in]]
    siblings = [h for i in range(first, last + 1) if i != index for h in own[i]]
    if siblings:
        return [_Hit(h.cue, None, h.weight - LIST_PENALTY) for h in siblings]
    before = lead_in - 1
    if close and before >= 0 and found[before].section == found[index].section:
        return [_Hit(h.cue, None, h.weight - LIST_PENALTY) for h in own[before]]
    return []


def _introduces_list(copy: str, found: Sequence[Passage], index: int) -> bool:
    following = found[index + 1] if index + 1 < len(found) else None
    return (
        copy[found[index].start : found[index].end].rstrip().endswith(":")
        and following is not None
        and following.form is Form.BULLET
    )


def _quantity(
    text: str, found: Sequence[Passage], index: int, cue_at: int | None
) -> Quantity | None:
    passage = found[index]
    after = 0 if cue_at is None else cue_at - passage.start
    own = main_quantity(text[passage.start : passage.end], after=after)
    if own is not None:
        return own
    reference = REFERS_BACK.search(text, passage.start, passage.end)
    if reference is None:
        return None
    wanted = {Measure.MONEY} if reference.group("money") else {Measure.PEOPLE, Measure.THINGS}
    earlier = [p for p in found[:index] if p.paragraph == passage.paragraph]
    for previous in reversed(earlier[-SENTENCES_BACK:]):
        for mention in find_quantities(text[previous.start : previous.end]):
            if mention.measure in wanted:
                return mention.quantity
    return None


def _actor(
    copy: str,
    passage: Passage,
    hit: _Hit,
    matcher: ActorMatcher,
    speaker: Mention | None,
) -> tuple[str | None, str | None]:
    """(slug, None) for a known actor, (None, name) for a new name, or (None, None)."""
    cue_at = passage.start if hit.at is None else hit.at
    if hit.cue.kind == "proposal":
        # "The ombudsman said the council should apologise": the ombudsman proposes.
        reported = REPORTED.search(copy, passage.start, cue_at)
        cue_at = reported.start() if reported else cue_at
    pronouns = [m.start() for m in SUBJECT_PRONOUN.finditer(copy, passage.start, cue_at + 1)]
    pronoun_at = pronouns[-1] if pronouns else None
    for mentions in (matcher.known(copy, passage.start, passage.end), None):
        if mentions is None:
            mentions = new_names(copy, passage.start, passage.end)
        mention, spoken = nearest(mentions, pronoun_at, cue_at, after=hit.cue.actor_after)
        if spoken and speaker is not None:
            return (speaker.slug, None) if speaker.slug else (None, speaker.name)
        if mention is not None:
            return (mention.slug, None) if mention.slug else (None, mention.name)
    if speaker is not None:  # a statement's claims that name no one are the speaker's
        return (speaker.slug, None) if speaker.slug else (None, speaker.name)
    return None, None


def _score(lowered: str, passage: Passage, hits: Sequence[_Hit], best: _Hit) -> float:
    score = best.weight
    agreeing = {h.cue.name for h in hits if h.cue.kind == best.cue.kind}
    if len(agreeing) > 1:
        score += AGREEMENT_BONUS
    for damper in DAMPERS:
        if damper.find(lowered, passage.start, passage.end) is not None:
            score -= damper.penalty
    if lowered[passage.start : passage.end].rstrip("\"' ").endswith("?"):
        score -= QUESTION_PENALTY
    return score


def find_candidates(
    text: str, *, actors: Sequence[KnownActor] = (), min_score: float = MIN_SCORE
) -> list[Candidate]:
    """The suggested claims in a source's text, in reading order."""
    copy = matching_copy(text)
    lowered = lowered_copy(text)
    found = passages(text)
    matcher = ActorMatcher(actors)
    spoken_by = speakers(copy, found, matcher)
    own = [[] if p.form is Form.ATTRIBUTION else _hits(lowered, p) for p in found]
    candidates: list[Candidate] = []
    for index, passage in enumerate(found):
        if passage.form in (Form.HEADING, Form.ATTRIBUTION):
            continue
        if _introduces_list(copy, found, index):
            continue  # its bullets are the claims
        hits = list(own[index])
        if passage.form is Form.BULLET:
            hits += _list_context(found, own, index)
        if not hits:
            continue
        best = max(hits, key=lambda h: (h.weight, -CUES.index(h.cue)))
        score = _score(lowered, passage, hits, best)
        quantity = _quantity(text, found, index, best.at)
        actor, actor_name = _actor(copy, passage, best, matcher, spoken_by[index])
        score += (QUANTITY_BONUS if quantity else 0.0) + (ACTOR_BONUS if actor else 0.0)
        score = round(min(1.0, max(0.0, score)), 2)
        if score < min_score:
            continue
        candidates.append(
            Candidate(
                quote_start=passage.start,
                quote_end=passage.end,
                quote=text[passage.start : passage.end],
                kind=best.cue.kind,
                quantity=quantity,
                actor=actor,
                actor_name=actor_name,
                score=score,
                cue=best.cue.name,
            )
        )
    return candidates
