"""Suggested claims: the sentences and list bullets of a source's text that read like a
commitment, an allegation or a proposal, each with the quantity it names, the actor it belongs
to and a score, for an editor to accept or dismiss.

The text is cut into passages (sentences, bullets), each passage is read against the cue table
(the strongest cue gives the kind), then its quantity and actor are found and its score made
up. Pure: no database, no web; the same text always gives the same candidates.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from service.sources import deadlines
from service.sources.cues import CUES, DAMPERS, Cue, SuggestedKind
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
from service.sources.quantities import (
    Quantity,
    elided_counts,
    find_quantities,
    main_mention,
    main_quantity,
)
from service.sources.units import Measure

__all__ = ["METHOD", "MIN_SCORE", "Candidate", "KnownActor", "Quantity", "find_candidates"]

# The method's version, stored with the suggestions computed by it: `tracker suggestions
# recompute` computes again those of every source stored under another one. Change it with
# any change to the rules that changes what is suggested, and with every new model of the
# second reading (ranker.py, ranker_model.json).
METHOD = "14"

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
# "funding these posts", "the posts will be funded", "the money will be spent": the quantity
# was named just before.
REFERS_BACK = re.compile(
    r"\b(?:these\s+(?:\w+\s+)?|the\s+(?:new\s+|extra\s+|additional\s+)?(?=(?:posts|jobs|roles"
    r"|vacancies|places)\b))(?P<things>[a-z]+s)\b"
    r"|\b(?:the|this|that)\s+(?P<money>money|funding|cash|sum|investment|grant|award"
    r"|compensation)\b",
    re.IGNORECASE,
)
SENTENCES_BACK = 2
REPORTED = re.compile(r"\b(?:said|says|told|added|argued|believes|thinks)\b")
# Cues that speak of their own line alone, never of the other items of a list.
OWN_ONLY = frozenset({"rating"})
# Sections that describe the publisher or the method, not what anyone promised or did.
BOILERPLATE = re.compile(
    r"\s*(?:notes?\s+(?:to|for)\s+editors|about\s+(?:the\s+|us\b|this\b)|methodology\b"
    r"|how we (?:did|carried out|reported) (?:this|the)|ends\s*$)",
    re.IGNORECASE,
)
# Passages of fewer words are labels ("(Paragraph 41)", "Agreed."), not claims.
MIN_WORDS = 4
# The kinds of claim about what is to come: a date they state is when it is due.
TO_COME = frozenset({"commitment", "proposal"})
# A sentence that goes on about the one before it.
GOES_ON = re.compile(r"(?:This|These|That|Those|It|They|Each|Both)\b|Allegations? relates?\b")
# How many passages back a denial looks for the allegation it answers.
REPLY_REACH = 12
# Cues that frame a claim as somebody else's: a promise inside them is theirs to ask for.
FRAMING = frozenset({"recommends", "calls for", "urges", "asks to consider",
                     "asks the government to", "wants", "should", "found that",
                     "found wanting", "alleged", "accused", "it is claimed", "people say",
                     "sources say", "seen by"})  # fmt: skip
FRAMING_MARGIN = 0.2
# Cues whose finder is named before them: the responsible of the allegation.
FINDINGS = frozenset({"found that", "found wanting", "seen by", "told the court",
                      "it is claimed", "rated inadequate", "fined", "condemned",
                      "launched an investigation"})  # fmt: skip
FINDER = re.compile(
    r"(?:\b[Tt]he\s+|\b[Ii]ts\s+|\b[Aa]n?\s+)?(?:[\w'-]+\s+){0,2}?\b(?:[Ii]nspectors|[Oo]mbudsman"
    r"|[Rr]eport|[Rr]eview|[Aa]udit|[Cc]ourt|[Tt]ribunal|[Jj]udge|[Cc]oroner|[Ii]nvestigators?"
    r"|[Aa]uditors|[Rr]egulator|[Cc]ommittee|[Pp]anel|[Ii]nquiry|[Ww]atchdog|[Ii]nspectorate)\b"
)
# Where a sentence starts inside a passage: after a word in lower case or a figure, not an initial
# or a title ("Mr G. Tallis", "Dr. Patel").
SENTENCE_STARTS_SURELY = re.compile(
    r"(?<![A-Z][a-z]\.)(?<![A-Z][a-z]{2}\.)(?<=[a-z0-9%)][.!?])['\"\u201d\u2019)]?\s+(?=[A-Z])"
)
# The second of two claims in one sentence: "He said the company would add three crews(, and
# would clear the backlog by 31 October)", "It found that X took 14 months(, and that complaints
# were closed ...)": "and that ...", "and will ...", "and we will ...", "and is set to ...", "and
# to ...", or ", and" with a subject and verb of its own ("and any category 1 hazard be made safe").
_SUBJECT = (
    r"(?:we|I|it|they|he|she|this|these"
    r"|(?:the|a|any|every|each|all|its|their)\s+[\w-]+(?:\s+[\w-]+){0,2}"
    r"|[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*)"
)
_VERB = (
    r"(?:will|would|shall|should|must|can|could|may|has|have|had|is|are|was|were|be|plans"
    r"|intends|expects|aims|remains|promised|pledged|committed|agreed|said|says|found|concluded"
    r"|accepted|told|urged|asked)"
)
SECOND_CLAIM = re.compile(
    r",?\s+(?=and\s+(?:also\s+)?(?:that\s|(?:(?:we|I|they)\s+)?(?:will|would|is\s+set\s+to"
    r"|intends|plans|has\s+(?:committed|pledged|agreed|promised|asked|written)"
    r"|had\s+(?:commissioned|agreed|promised))\b))"
    rf"|,\s+(?=and\s+{_SUBJECT}\s+(?:\w+\s+)?{_VERB}\b)"
    # "..., and from January we will publish ...", "..., and during our checks we found ..."
    rf"|,\s+(?=and\s+(?:from|during|in|on|at|since|over|after|within)\s+(?:[^\s,;]+\s+){{1,6}}?"
    rf"(?:we|I|they|it|he|she)\s+(?:\w+\s+)?{_VERB}\b)"
    # "ordered the company to pay £75,000 ... and to fund a programme of restocking" (when
    # ASKED_TO comes before it)
    r"|,?\s+(?=and\s+to\s+[a-z]+\b)"
)
# What the "to" of a second "and to ..." answers: an order, a request or an undertaking, not a
# purpose ("will be on duty to ensure a peaceful protest and to keep people and property safe").
ASKED_TO = re.compile(
    r"\b(?:ordered|asked|called\s+on|urged|committed|agreed|expects?|expected|promised|pledged"
    r"|required|requires|plans|intends|wants|decided|resolved|undertook|undertaken|set\s+out)"
    r"\s+(?:[\w'\u2019-]+\s+){0,6}?to\s",
    re.IGNORECASE,
)
# A second clause that goes on about the first ("and these wardens will have powers", "and the
# money has now been handed back", "and every one of those drivers will be on the road") is not
# a claim of its own: the sentence is one.
GOES_ON_AFTER_AND = re.compile(
    r"and\s+(?:that\s+)?(?:these|those|every\s+one\s+of\s+(?:them|these|those))\b"
    r"|and\s+(?:that\s+)?the\s+(?:money|sum|funding|scheme|fault)\b",
    re.IGNORECASE,
)
# A finding a promise answers, in the same sentence: "The trust has promised to end corridor
# care by April(, after inspectors found people waiting on trolleys for up to 40 hours)." Two
# claims, each of its own kind.
FINDING_BEHIND = re.compile(
    r",\s+(?=after\s+(?:[\w'\u2019-]+\s+){1,6}(?:found|fined|concluded|ruled|criticised)\b)"
)
# What led to a promise, said after it: "will clear the culvert by October(, after 23 homes
# flooded in January)", "to consult on closing the centre(, citing a deficit of £185,000)".
WHAT_LED_TO_IT = re.compile(r",\s+(?:after|following|citing)\s+")
# Two suggestions are one claim when this share of the shorter one's content words (at least
# MIN_SHARED of them) are the other's too.
SHARED = 0.7
MIN_SHARED = 4


@dataclass(frozen=True)
class Candidate:
    quote_start: int
    quote_end: int
    quote: str  # text[quote_start:quote_end], code-point offsets
    kind: SuggestedKind  # "reply": a denial or a rejection of the allegation it `answers`
    quantity: Quantity | None
    actor: str | None  # slug of a known actor
    actor_name: str | None  # a name as written when no known actor matched
    score: float  # 0..1
    cue: str  # the name of the cue that gave the kind
    # An allegation's finder (the watchdog, the inspectors, the report): a known actor's slug,
    # or a name as written.
    responsible: str | None = None
    responsible_name: str | None = None
    # The deadline the passage states, counted from the source's date where it needs one.
    due_on: dt.date | None = None
    due_words: str | None = None
    # The passage the deadline was read in (its own, or its list's lead-in), so that it can be
    # counted again from the source's date as corrected.
    due_from: tuple[int, int] | None = None
    # The same claim written again (a headline and its paragraph): the other passages' offsets.
    also: tuple[tuple[int, int], ...] = ()
    answers: str | None = None  # a reply's allegation: that candidate's id

    @property
    def id(self) -> str:
        return f"{self.quote_start}-{self.quote_end}"

    def stored(self) -> dict[str, Any]:
        """The candidate as a JSON object, to keep with its source (the quote is left out: the
        offsets cut it from the text again)."""
        return {
            "start": self.quote_start,
            "end": self.quote_end,
            "kind": self.kind,
            "quantity": [self.quantity.value, self.quantity.unit] if self.quantity else None,
            "actor": self.actor,
            "actor_name": self.actor_name,
            "score": self.score,
            "cue": self.cue,
            "responsible": self.responsible,
            "responsible_name": self.responsible_name,
            "due_words": self.due_words,
            "due_from": list(self.due_from) if self.due_from else None,
            "also": [list(span) for span in self.also],
            "answers": self.answers,
        }

    @classmethod
    def from_stored(cls, data: dict[str, Any], text: str) -> Candidate:
        """A candidate kept by `stored`, with its source's text; its deadline is left for the
        caller to count from the source's date as it is now."""
        start, end = int(data["start"]), int(data["end"])
        quantity = data.get("quantity")
        return cls(
            quote_start=start,
            quote_end=end,
            quote=text[start:end],
            kind=data["kind"],
            quantity=Quantity(float(quantity[0]), str(quantity[1])) if quantity else None,
            actor=data.get("actor"),
            actor_name=data.get("actor_name"),
            score=float(data["score"]),
            cue=data["cue"],
            responsible=data.get("responsible"),
            responsible_name=data.get("responsible_name"),
            due_words=data.get("due_words"),
            due_from=(int(due_from[0]), int(due_from[1]))
            if (due_from := data.get("due_from"))
            else None,
            also=tuple((int(a), int(b)) for a, b in data.get("also") or ()),
            answers=data.get("answers"),
        )


@dataclass(frozen=True)
class _Hit:
    cue: Cue
    at: int | None  # offset of the match in the text; None when read through a lead-in
    weight: float


def _hits(lowered: str, passage: Passage) -> list[_Hit]:
    hits = []
    in_action_table = deadlines.action_table_row(lowered, passage.start, passage.end)
    for cue in CUES:
        if cue.in_action_table and not in_action_table:
            continue
        at = cue.find(lowered, passage.start, passage.end)
        if at is not None:
            hits.append(_Hit(cue, at, cue.weight))
    return hits


def _strongest(hits: Sequence[_Hit]) -> _Hit:
    """The strongest of the cues hit, ties going to the earlier row of the table."""
    return max(hits, key=lambda h: (h.weight, -CUES.index(h.cue)))


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
    # A list's items may stand a blank line apart: the first is what sits under the lead-in.
    close = lead_in >= 0 and found[first].paragraph - found[lead_in].paragraph <= 1
    if close and found[lead_in].form in (Form.HEADING, Form.SENTENCE) and own[lead_in]:
        return [_Hit(h.cue, None, h.weight - LEAD_IN_PENALTY) for h in own[lead_in]
                if h.cue.name not in OWN_ONLY]  # fmt: skip
    # A denial answers its own words, a rating rates its own line: neither says anything of
    # the other items of its list.
    siblings = [
        h for i in range(first, last + 1) if i != index for h in own[i]
        if h.cue.kind != "reply" and h.cue.name not in OWN_ONLY
    ]  # fmt: skip
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
    text: str, found: Sequence[Passage], index: int, cue_at: int | None, kind: str
) -> Quantity | None:
    """The quantity the passage's claim is about, read from the cue's own sentence (in a passage
    of several sentences, those before it are background: "The fund is worth £10m this year.
    ... has failed to change them."). A claim that refers back ("funding these posts", "the money
    will come from") and names no such quantity itself takes it from the sentences before it
    in the passage, else from one of the two passages before it in its section: the same noun
    for "these homes", people for "these posts", a sum for "the money"."""
    passage = found[index]
    after = 0 if cue_at is None else cue_at - passage.start
    whole = text[passage.start : passage.end]
    starts = [m.end() for m in SENTENCE_STARTS_SURELY.finditer(whole)]
    cut = max([at for at in starts if at <= after], default=0)
    # Nor are the sentences after it, unless they go on about it ("This relates to two
    # officers."): "Oversight has been weak. The Agency did not share complaint data for 14
    # months." is two claims, each with its own quantity.
    later = [at for at in starts if at > after] + [len(whole)]
    going_on = "".join(whole[a:b] for a, b in itertools.pairwise(later) if GOES_ON.match(whole, a))
    words = whole[cut : later[0]] + going_on
    after -= cut
    # What led to a promise is no part of it: "will clear the culvert by the end of October,
    # after 23 homes flooded in January".
    if kind in TO_COME and (reason := WHAT_LED_TO_IT.search(words, max(after, 0))):
        words = words[: reason.start()]
    # A finding's "for more than two years" says how long the failing lasted (across the
    # corpus's labels, not the claim's quantity about four times in five).
    spans_as_bounds = kind != "allegation"
    # How many times a failing happened is what a finding counts, unless a sentence goes on to
    # say whom it concerns ("... raped on four occasions. This allegation relates to one officer.")
    own_mention = main_mention(
        words, after=after, bounds=spans_as_bounds,
        occasions_first=kind == "allegation" and not going_on,
    )  # fmt: skip
    own = own_mention.quantity if own_mention is not None else None
    earlier = [
        p
        for p in found[max(0, index - SENTENCES_BACK) : index]
        if p.section == passage.section and p.form is not Form.HEADING
    ]
    # Nearest first: the sentences before the cue's in the passage, then the passages before.
    previous_texts = ([whole[:cut]] if cut else []) + [
        text[p.start : p.end] for p in reversed(earlier)
    ]
    if (own_mention is None or own_mention.secondary) and (elided := elided_counts(words)):
        # "Only 41 had been replaced by June": 41 of what the sentences before it counted.
        for previous in previous_texts:
            counted = [
                m for m in find_quantities(previous)
                if not m.context and m.measure in (Measure.PEOPLE, Measure.THINGS)
            ]  # fmt: skip
            if counted:
                return Quantity(elided[0][2], counted[-1].quantity.unit)
        return None
    reference = REFERS_BACK.search(words)
    if reference is None:
        return own
    noun = (reference.group("things") or "").lower()
    jobs = noun in ("posts", "jobs", "roles", "vacancies")
    wanted = {Measure.MONEY} if reference.group("money") else {Measure.PEOPLE, Measure.THINGS}
    named = [m for m in find_quantities(words) if not m.context and m.measure in wanted]
    # A sum or a count of its own after the cue is the claim's: "the money would pay for 25
    # social workers", "£11.5 million of it will pay for these posts".
    if named or (
        own_mention is not None
        and own_mention.measure in (Measure.MONEY, Measure.PEOPLE, Measure.THINGS)
        and own_mention.start >= after
    ):
        return own
    for previous in previous_texts:
        mentions = [
            m
            for m in find_quantities(previous)
            if not m.context
            and m.measure in wanted
            and (
                m.measure is Measure.MONEY
                or m.quantity.unit == noun
                or (jobs and m.measure is Measure.PEOPLE)
            )
        ]
        if mentions:
            return min(mentions, key=lambda m: (m.secondary, m.measure, m.cap, m.start)).quantity
    # Nothing to refer back to: what the passage names after its cue, if anything ("The town
    # has 500 empty shops, so we will put this money to work" names no sum).
    return main_quantity(words[after:], bounds=spans_as_bounds) if own is not None else None


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


@dataclass(frozen=True)
class Prepared:
    """A text read once for both readings (the cue table's and the model's): its matching
    copies, passages, known names, speakers, each passage's own cue hits, and the sections of
    boilerplate."""

    text: str
    copy: str
    lowered: str
    found: list[Passage]
    matcher: ActorMatcher
    spoken_by: list[Any]
    own: list[list[_Hit]]
    boilerplate: set[int]


def prepare(text: str, actors: Sequence[KnownActor] = ()) -> Prepared:
    copy = matching_copy(text)
    lowered = lowered_copy(text)
    found = passages(text)
    matcher = ActorMatcher(actors)
    spoken_by = speakers(copy, found, matcher)
    own = [[] if p.form is Form.ATTRIBUTION else _hits(lowered, p) for p in found]
    boilerplate = {
        p.section for p in found
        if p.form is Form.HEADING and BOILERPLATE.match(text, p.start, p.end)
    }  # fmt: skip
    return Prepared(text, copy, lowered, found, matcher, spoken_by, own, boilerplate)


def find_candidates(
    text: str,
    *,
    actors: Sequence[KnownActor] = (),
    written_on: dt.date | None = None,
    min_score: float = MIN_SCORE,
    prepared: Prepared | None = None,
) -> list[Candidate]:
    """The suggested claims in a source's text, in reading order. `written_on`, the source's
    date, is what spans of time ("within 28 days") count from. `prepared`: the text already
    read with these actors (`prepare`)."""
    ready = prepared or prepare(text, actors)
    copy, lowered, found = ready.copy, ready.lowered, ready.found
    matcher, spoken_by, own, boilerplate = (
        ready.matcher, ready.spoken_by, ready.own, ready.boilerplate,
    )  # fmt: skip
    candidates: list[Candidate] = []
    term_from = deadlines.polling_day(text, written_on)
    for index, passage in enumerate(found):
        if passage.section in boilerplate:
            continue  # "Notes to editors", "About the ombudsman", "Methodology"
        if passage.form is Form.ATTRIBUTION or (
            passage.form is Form.HEADING and not any(h.cue.name == "rating" for h in own[index])
        ):
            continue  # a heading is suggested only when it is a rating ("Safe? Inadequate")
        if _introduces_list(copy, found, index):
            continue  # its bullets are the claims
        hits = list(own[index])
        if passage.form is Form.BULLET and not any(h.weight >= min_score for h in hits):
            # A list item says what it is in its own words when it can; else its list does.
            hits += _list_context(found, own, index)
        if len(text[passage.start : passage.end].split()) < MIN_WORDS:
            hits = [h for h in hits if h.cue.name == "rating"]  # "(Paragraph 41)", "Agreed."
        answers = _answered(candidates, found, index)
        if not hits:
            continue
        best = _framing(_strongest(hits), hits)
        score = _score(lowered, passage, hits, best)
        quantity = _quantity(text, found, index, best.at, best.cue.kind)
        actor, actor_name = _actor(copy, passage, best, matcher, spoken_by[index])
        responsible: tuple[str | None, str | None] = (None, None)
        if best.cue.kind == "allegation":
            responsible = _finder(copy, passage, best, matcher, (actor, actor_name))
        score += (QUANTITY_BONUS if quantity else 0.0) + (ACTOR_BONUS if actor else 0.0)
        score = round(min(1.0, max(0.0, score)), 2)
        if score < min_score:
            continue
        deadline, due_from = _deadline(text, found, index, best.cue.kind, written_on, term_from)
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
                due_on=deadline.due_on if deadline else None,
                due_words=deadline.words if deadline else None,
                due_from=due_from,
                responsible=responsible[0],
                responsible_name=responsible[1],
                answers=answers if best.cue.kind == "reply" else None,
            )
        )
    return _merged(candidates)


def _deadline(
    text: str,
    found: Sequence[Passage],
    index: int,
    kind: str,
    written_on: dt.date | None,
    term_from: dt.date | None,
) -> tuple[deadlines.Deadline | None, tuple[int, int] | None]:
    """The deadline of the passage found[index], suggested as `kind`, and the span it was read
    in: its own words, else its list's lead-in ("Within one month of this decision, the council
    will:" dates each of its items), else its cell under a table's "Target date". A promise's or a
    proposal's dates are what is to come."""
    spans = [found[index].span]
    if found[index].form is Form.BULLET and (lead_in := _lead_in(text, found, index)) is not None:
        spans.append(found[lead_in].span)
    for n, span in enumerate(spans):
        deadline = deadlines.find(
            text[slice(*span)], written_on=written_on, term_from=term_from,
            to_come=n == 0 and kind in TO_COME,
        )  # fmt: skip
        if deadline is not None:
            return deadline, span
    own = found[index].span
    deadline = deadlines.table_due(text, *own, written_on=written_on)
    return (deadline, own) if deadline is not None else (None, None)


def _lead_in(text: str, found: Sequence[Passage], index: int) -> int | None:
    """The passage that introduces the list holding the bullet found[index], if any: the
    sentence (or numbered paragraph) ending in a colon just before its first item."""
    at = index - 1
    while at >= 0 and found[at].form is Form.BULLET and not _ends_in_colon(text, found[at]):
        at -= 1
    if at < 0 or found[at].form is Form.HEADING or found[index].paragraph - found[at].paragraph > 8:
        return None
    return at if _ends_in_colon(text, found[at]) or found[at].form is Form.SENTENCE else None


def _ends_in_colon(text: str, passage: Passage) -> bool:
    return text[passage.start : passage.end].rstrip().endswith(":")


def _answered(candidates: Sequence[Candidate], found: Sequence[Passage], index: int) -> str | None:
    """The allegation a reply at found[index] would answer: the nearest suggested before it,
    a few passages back at most."""
    earliest = found[max(0, index - REPLY_REACH)].start
    for candidate in reversed(candidates):
        if candidate.quote_start < earliest:
            return None
        if candidate.kind == "allegation":
            return candidate.id
    return None


def _framing(best: _Hit, hits: Sequence[_Hit]) -> _Hit:
    """A promise inside a recommendation, a request or a finding is that recommendation,
    request or finding: "We recommend that the Government guarantees ...", "asked the council
    to promise ..."; so is a wrong asked to be looked into ("asked the monitoring officer to
    consider whether any councillor had breached the code"). The framing cue comes first and
    is nearly as sure."""
    if best.cue.kind not in ("commitment", "allegation") or best.at is None:
        return best
    framing = [
        h for h in hits
        if h.cue.name in FRAMING and h.at is not None and h.at < best.at
        and h.weight >= best.weight - FRAMING_MARGIN
        # What someone asks to be looked into is their request, not yet an allegation.
        and (best.cue.kind == "commitment" or h.cue.kind == "proposal")
    ]  # fmt: skip
    return min(framing, key=lambda h: h.at or 0) if framing else best


def _finder(
    copy: str,
    passage: Passage,
    hit: _Hit,
    matcher: ActorMatcher,
    accused: tuple[str | None, str | None],
) -> tuple[str | None, str | None]:
    """Who found or reported an allegation: the name written just before its cue ("The
    ombudsman found that ...", "Documents seen by the Courier ..."), when it is not the
    accused."""
    if hit.at is None or hit.cue.name not in FINDINGS:
        return None, None
    end = hit.at + (12 if hit.cue.name == "seen by" else 0)
    for mentions in (matcher.known(copy, passage.start, end), new_names(copy, passage.start, end)):
        for mention in reversed(mentions):
            named = (mention.slug, None) if mention.slug else (None, mention.name)
            if named != accused:
                return named
    # Unnamed: "Inspectors found", "the report concluded", "the coroner said".
    finders = list(FINDER.finditer(copy, passage.start, end))
    if not finders:
        return None, None
    name = finders[-1].group(0).strip()
    if name.split()[0] in ("A", "An", "The", "Its"):  # "The ombudsman found": "the ombudsman"
        name = name[0].lower() + name[1:]
    return None, name


def _differ(text: str, first: Passage, second: Passage) -> bool:
    """Whether two parts of a passage name different quantities, at least one of them."""
    one = main_quantity(text[first.start : first.end])
    other = main_quantity(text[second.start : second.end])
    return one != other and (one is not None or other is not None)


def _part(passage: Passage, start: int, end: int, text: str) -> Passage:
    """The part text[start:end] of a passage, without the spaces and commas around it."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return replace(passage, start=start, end=end)


def _claims_in(ready: Prepared, index: int) -> tuple[list[tuple[Passage, list[_Hit]]], bool]:
    """The parts of the passage found[index] that are claims of their own, when it holds more
    than one: each sentence of a list item or a report's paragraph that has a cue of its own and
    a quantity of its own ("Build 1.2 million new homes. At least 300,000 of them will be for
    social rent."), or the two clauses of one sentence that name different quantities ("would
    recruit 18 drivers by the end of November and would introduce a new round from 2 November";
    "found that 41 children missed school, and that six of them were still at home"), one
    suggestion each, as an editor tracks them. Else the passage alone. Each part with its cue
    hits; True with sentences, each read as the kind its own cue gives."""
    text, passage = ready.text, ready.found[index]
    starts = [m.end() for m in SENTENCE_STARTS_SURELY.finditer(text, passage.start, passage.end)]
    # A sentence that goes on about those before it with a figure ("These allegations relate to
    # one officer.") speaks of all of them: the passage is one claim.
    shared = any(
        GOES_ON.match(text, a) and main_quantity(text[a:b]) is not None
        for a, b in itertools.pairwise([*starts, passage.end])
    )
    if starts and not shared:
        bounds = [passage.start, *starts, passage.end]
        parts = [_part(passage, a, b, text) for a, b in itertools.pairwise(bounds)]
        groups = [(parts[0], _hits(ready.lowered, parts[0]))]
        for part in parts[1:]:
            last, last_hits = groups[-1]
            hits = _hits(ready.lowered, part)
            if last_hits and hits and _differ(text, last, part):
                groups.append((part, hits))
            else:
                joined = replace(last, end=part.end)
                groups[-1] = (joined, _hits(ready.lowered, joined))
        if len(groups) > 1:
            return groups, True
    alone = [(passage, ready.own[index])]
    finding = FINDING_BEHIND.search(ready.copy, passage.start, passage.end)
    if finding is not None:
        first = _part(passage, passage.start, finding.start(), text)
        then = _part(passage, finding.end(), passage.end, text)
        each = [_hits(ready.lowered, p) for p in (first, then)]
        if all(each) and _differ(text, first, then):
            return [(first, each[0]), (then, each[1])], True
    second = SECOND_CLAIM.search(ready.copy, passage.start, passage.end)
    if second is None:
        return alone, False
    first = _part(passage, passage.start, second.start(), text)
    then = _part(passage, second.end(), passage.end, text)
    if GOES_ON_AFTER_AND.match(text, then.start) or not _differ(text, first, then):
        return alone, False
    if text.startswith("and to ", then.start) and not ASKED_TO.search(text, first.start, first.end):
        return alone, False
    return [(p, _hits(ready.lowered, p)) for p in (first, then)], False


def split_claims(
    candidates: Sequence[Candidate], ready: Prepared, written_on: dt.date | None
) -> list[Candidate]:
    """The suggestions, a passage that holds two claims or more made one suggestion for each
    (`_claims_in`), each with the kind, quantity, actor and deadline of its own words."""
    at = {p.span: i for i, p in enumerate(ready.found)}
    term_from = deadlines.polling_day(ready.text, written_on)
    made: list[Candidate] = []
    moved: dict[str, str] = {}  # a split allegation's id: its last part's, which a reply answers
    for candidate in candidates:
        index = at.get((candidate.quote_start, candidate.quote_end))
        if index is None or candidate.kind == "reply":
            made.append(candidate)
            continue
        parts, sentences = _claims_in(ready, index)
        if len(parts) < 2:
            made.append(candidate)
            continue
        found = [*ready.found[:index], *(part for part, _ in parts), *ready.found[index + 1 :]]
        whole = ready.found[index]
        for n, (part, hits) in enumerate(parts):
            kind: SuggestedKind = candidate.kind
            best: _Hit | None = None
            if hits and sentences:
                best = _framing(_strongest(hits), hits)
                kind = best.cue.kind
            elif hits_of_kind := [h for h in hits if h.cue.kind == kind]:
                best = _strongest(hits_of_kind)
            actor, actor_name = candidate.actor, candidate.actor_name
            responsible = (candidate.responsible, candidate.responsible_name)
            if best is not None:
                actor, actor_name = _actor(
                    ready.copy, whole, best, ready.matcher, ready.spoken_by[index]
                )
                if kind == "allegation":
                    responsible = _finder(
                        ready.copy, whole, best, ready.matcher, (actor, actor_name)
                    )
            deadline, due_from = _deadline(
                ready.text, found, index + n, kind, written_on, term_from
            )
            made.append(
                replace(
                    candidate,
                    quote_start=part.start,
                    quote_end=part.end,
                    quote=ready.text[part.start : part.end],
                    kind=kind,
                    quantity=_quantity(
                        ready.text, found, index + n, best.at if best else None, kind
                    ),
                    actor=actor,
                    actor_name=actor_name,
                    responsible=responsible[0],
                    responsible_name=responsible[1],
                    cue=best.cue.name if best else candidate.cue,
                    due_on=deadline.due_on if deadline else None,
                    due_words=deadline.words if deadline else None,
                    due_from=due_from,
                    also=candidate.also if n == 0 else (),
                )
            )
        parts_made = made[-len(parts) :]
        alleged = [c for c in parts_made if c.kind == "allegation"] or parts_made
        moved[candidate.id] = alleged[-1].id
    return [
        replace(c, answers=moved[c.answers]) if c.answers in moved else c
        for c in made
    ]  # fmt: skip


# Words too common to say two passages are about the same thing.
_FUNCTION_WORDS = frozenset((
    "from", "with", "that", "this", "will", "have", "been", "were", "they", "their", "them",
    "into", "over", "what", "when", "which", "also", "than", "more", "said", "says",
))  # fmt: skip


def _content_words(quote: str) -> set[str]:
    """A passage's content words, each without its ending ("pledges" and "pledged" are one)."""
    return {
        re.sub(r"(?:ing|ed|es|s)$", "", w) if len(w) > 5 else w
        for w in re.findall(r"[a-z0-9£]+", quote.lower())
        if (len(w) > 3 or w[0].isdigit()) and w not in _FUNCTION_WORDS
    }


def _merged(candidates: list[Candidate]) -> list[Candidate]:
    """The same claim written twice (a headline and its paragraph, a summary and its section)
    is one suggestion: the fuller passage, with the other's offsets under `also` (and the
    other's quantity or deadline where it names none)."""
    kept: list[Candidate] = []
    words = [_content_words(c.quote) for c in candidates]
    gone: set[int] = set()
    of_kind: dict[str, list[int]] = {}
    for n, c in enumerate(candidates):
        of_kind.setdefault(c.kind, []).append(n)
    for i, candidate in enumerate(candidates):
        if i in gone:
            continue
        also = list(candidate.also)
        peers = of_kind[candidate.kind]
        for j in peers[bisect.bisect_right(peers, i) :]:
            other = candidates[j]
            # Two quantities named must agree; one spelling may name none ("Council to hire
            # wardens" above "The council will hire 30 wardens").
            if j in gone or (
                other.quantity is not None
                and candidate.quantity is not None
                and other.quantity != candidate.quantity
            ):
                continue
            smaller = min(len(words[i]), len(words[j]))
            if smaller >= MIN_SHARED and len(words[i] & words[j]) >= SHARED * smaller:
                gone.add(j)
                also.append((other.quote_start, other.quote_end))
                if len(other.quote) > len(candidate.quote):  # the fuller one is the suggestion
                    also = [s for s in also if s != (other.quote_start, other.quote_end)]
                    also.append((candidate.quote_start, candidate.quote_end))
                    score = max(other.score, candidate.score)
                    other, candidate = candidate, replace(other, score=score)
                if candidate.quantity is None and other.quantity is not None:
                    candidate = replace(candidate, quantity=other.quantity)
                if candidate.due_on is None and other.due_on is not None:
                    # A deadline one spelling states is the claim's ("Council tax to rise from 1
                    # April" and the paragraph that says so without a date).
                    candidate = replace(
                        candidate, due_on=other.due_on, due_words=other.due_words,
                        due_from=other.due_from,
                    )  # fmt: skip
        kept.append(replace(candidate, also=tuple(sorted(also))))
    return sorted(kept, key=lambda c: c.quote_start)
