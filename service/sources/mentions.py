"""Who a passage names: known actors found by their name and aliases, names not yet known
(kept as suggestions), and who is speaking in a quoted statement.

Matching runs on the text's `matching_copy`; offsets are code points into the source text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from service.sources.passages import Form, Passage

ACRONYM = re.compile(r"[A-Z][A-Z0-9&]{1,7}s?")
TITLE = (
    r"(?:Cllr\.?|Councillor|Dr\.?|Mr\.?|Mrs\.?|Ms\.?|Miss|Sir|Dame|Lord|Lady|Baroness|Professor"
    r"|Prof\.?|Chief Constable|Chief Superintendent|Superintendent|Chief Inspector|Inspector"
    r"|Detective \w+|Sergeant|PC|Det\.?|Supt\.?|Insp\.?|Sgt\.?|Rev\.?|Bishop)"
)
# The last word of an organisation's name.
ORGANISATION = frozenset(
    str.split(
        """Council Police Constabulary Trust Commission Commissioner Committee Association
    Government Department Ministry Agency Authority Service Services Board Inspectorate Office
    Executive Ombudsman Parliament Assembly Foundation Partnership Group Force Hospital
    Hospitals University College Network Unit Panel Federation Union Society Institute
    Regulator Cabinet Treasury Party Watchdog NHS Ofsted"""
    )
)
# Capital-letter words that name no one ("UK", "A&E"), and sentence openers.
NOT_NAMES = frozenset(
    str.split(
        "UK US EU GB TV CCTV ID AM PM A&E GP GPs CSE The This That These However Under For It"
    )
)
CAPITALISED = re.compile(
    r"(?<![\w'])(?:[A-Z][\w&'-]*\.?)(?:\s+(?:(?:of|and|for|the|on|&)\s+)?(?:[A-Z][\w&'-]*\.?))*"
)
TITLED = re.compile(rf"\b{TITLE}\s+(?:[A-Z][\w'-]+)(?:\s+[A-Z][\w'-]+){{0,2}}")
SPEAKER_LEAD_IN = re.compile(
    r"\b(?:said|says|added|adds|explained|stated|commented|told\s+[\w\s]{1,40}?)\s*:\s*"
    r"(?P<quote>[\"\u201c])?"
)
SUBJECT_PRONOUN = re.compile(r"(?-i:\b(?:I|We|we)\b)")


@dataclass(frozen=True)
class KnownActor:
    slug: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    slug: str | None  # None for a name that matches no known actor
    name: str


def _variants(actor: KnownActor) -> set[str]:
    """The ways a text may name the actor: its name and aliases, each without a parenthesis,
    the acronym inside one, each comma-separated part, and a person's name without a title."""
    found: set[str] = set()
    for written in (actor.name, *actor.aliases):
        inner = re.search(r"\(([^)]*)\)", written)
        if inner and ACRONYM.fullmatch(inner.group(1)):
            found.add(inner.group(1))
        base = re.sub(r"\s*\([^)]*\)", "", written).strip()
        found.add(base)
        for part in (p.strip() for p in base.split(",")):
            if part:
                found.add(part)
                untitled = re.sub(rf"^{TITLE}\s+", "", part)
                if untitled != part and len(untitled.split()) >= 2:
                    found.add(untitled)
    return {v for v in found if len(v) >= 2}


def _alternation(variants: Sequence[str]) -> str:
    ordered = sorted(variants, key=lambda v: (-len(v), v))
    return "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in ordered)


class ActorMatcher:
    """Finds known actors in passages; built once per text from the known actors."""

    def __init__(self, actors: Sequence[KnownActor]) -> None:
        self._by_variant: dict[str, str] = {}
        acronyms: list[str] = []
        words: list[str] = []
        for actor in actors:
            for variant in sorted(_variants(actor)):
                is_acronym = bool(ACRONYM.fullmatch(variant))
                key = variant if is_acronym else variant.casefold()
                if key in self._by_variant:
                    continue  # the first actor to claim a name keeps it
                self._by_variant[key] = actor.slug
                (acronyms if is_acronym else words).append(variant)
        self._acronyms = (
            re.compile(rf"(?<![\w])(?:{_alternation(acronyms)})(?![\w])") if acronyms else None
        )
        self._words = (
            re.compile(rf"(?<![\w])(?:{_alternation(words)})(?![\w])", re.IGNORECASE)
            if words
            else None
        )

    def known(self, copy: str, start: int, end: int) -> list[Mention]:
        """Known actors named in copy[start:end], in reading order, longest name first."""
        found: list[Mention] = []
        for regex, exact in ((self._words, False), (self._acronyms, True)):
            if regex is None:
                continue
            for match in regex.finditer(copy, start, end):
                written = re.sub(r"\s+", " ", match.group())
                key = written if exact else written.casefold()
                slug = self._by_variant.get(key)
                if slug is not None:
                    found.append(Mention(match.start(), match.end(), slug, written))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for mention in found:
            if not kept or mention.start >= kept[-1].end:
                kept.append(mention)
        return kept


def new_names(copy: str, start: int, end: int) -> list[Mention]:
    """Names of organisations and titled people that may be actors not yet known."""
    found: list[Mention] = []
    for match in TITLED.finditer(copy, start, end):
        found.append(Mention(match.start(), match.end(), None, match.group()))
    for match in CAPITALISED.finditer(copy, start, end):
        name = re.sub(r"^(?:The|the)\s+", "", match.group())
        name = re.sub(r"'s$", "", name).rstrip(".")
        words = name.split()
        if not words or name in NOT_NAMES:
            continue
        if words[-1] in ORGANISATION or (len(words) == 1 and ACRONYM.fullmatch(name)):
            offset = match.group().index(name)
            found.append(
                Mention(match.start() + offset, match.start() + offset + len(name), None, name)
            )
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Mention] = []
    for mention in found:
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def speaker_mention(
    copy: str, passage: Passage, matcher: ActorMatcher, *, before: int | None = None
) -> Mention | None:
    """Who an attribution line (a dash, then "Dr Alan Billings") or a lead-in ("X said:") names."""
    end = passage.end if before is None else before
    known = matcher.known(copy, passage.start, end)
    if known:
        return known[0]
    line = copy[passage.start : passage.end].lstrip("-\u2013\u2014 \t")
    offset = passage.end - len(line)
    if passage.form is Form.ATTRIBUTION:
        name = line.split(",")[0].strip()
        return Mention(offset, offset + len(name), None, name) if name else None
    names = new_names(copy, passage.start, end)
    if names:
        return names[0]
    person = re.match(r"[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){1,2}", line)
    if person:
        return Mention(offset, offset + person.end(), None, person.group())
    return None


def speakers(copy: str, found: Sequence[Passage], matcher: ActorMatcher) -> list[Mention | None]:
    """For each passage, who is speaking if it is part of a quoted statement: the attribution
    line that closes the statement, or else the "X said:" line that opens it, in its section."""
    result: list[Mention | None] = [None] * len(found)
    opened: Mention | None = None
    # An opening quote after "said:" holds for its paragraph; "said:" alone, for the section.
    opened_for: int | None = None
    pending: list[int] = []
    section = -1
    for index, passage in enumerate(found):
        if passage.section != section:
            section, opened = passage.section, None
            pending = []
        if opened_for is not None and passage.paragraph != opened_for:
            opened, opened_for = None, None
        if passage.form is Form.ATTRIBUTION:
            closing = speaker_mention(copy, passage, matcher)
            for waiting in pending:
                result[waiting] = closing
            pending, opened = [], None
            continue
        pending.append(index)
        lead_in = SPEAKER_LEAD_IN.search(copy, passage.start, passage.end)
        if passage.form is Form.SENTENCE and lead_in is not None:
            opened = speaker_mention(copy, passage, matcher, before=lead_in.start())
            opened_for = passage.paragraph if lead_in.group("quote") else None
        result[index] = opened
    return result


def nearest(
    mentions: Sequence[Mention], pronoun_at: int | None, cue_at: int, *, after: bool
) -> tuple[Mention | None, bool]:
    """The mention a cue's claim belongs to, and whether the speaker ("I", "we") is nearer.
    Usually the subject before the cue; for "accused X of" the first name after it."""
    if after:
        following = [m for m in mentions if m.start >= cue_at]
        if following:
            return following[0], False
    before = [m for m in mentions if m.end <= cue_at]
    if before and (pronoun_at is None or before[-1].start > pronoun_at):
        return before[-1], False
    if pronoun_at is not None and pronoun_at <= cue_at:
        return None, True
    following = [m for m in mentions if m.start >= cue_at]
    return (following[0] if following else None), False
