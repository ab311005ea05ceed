"""How a withheld name is found in a text and replaced: the words of the tracker's values, matched
case-insensitively after Unicode normalisation (NFKC), on word boundaries, whatever runs of
spaces or punctuation stand between the words; and what a masked text's offsets become.

Pure functions of strings, shared by everything that shows a value to the public: the delivery
layer masks public values with `Masker`, the search index holds texts masked with it, and the
withheld-names domain uses it to check a name before it is stored. Nothing here knows a table.

A word is a run of letters, digits and combining marks. "Mary King" matches "mary  king",
"MARY\nKING", "Mary-King", the same in full-width letters, and the words of the slug
`mary-king-s-letter`; it does not match inside "Primary Kingdom". Where two withheld names
overlap ("Anne Mary" and "Mary King" in "Anne Mary King") the whole run is one mask, so that no
part of either shows.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import regex

PLACEHOLDER = "[name withheld]"
# A name must have at least this many letters: a shorter one ("ul", "Jo") is part of too many
# words and values to be a name worth masking everywhere.
MIN_LETTERS = 3

_WORD = regex.compile(r"[\p{L}\p{N}\p{M}]+")
_LETTER = regex.compile(r"\p{L}")

# Words that are never a private person's name on their own: withholding one would blank out
# ordinary text all over the tracker (and the placeholder's own words).
COMMON_WORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself yourselves
    said says say told new one two three four five six seven eight nine ten first last year
    years month months week weeks day days time people man men woman women child children boy
    girl family mother father son daughter brother sister wife husband partner friend victim
    victims witness police officer officers council government minister ministry report reports
    court judge public office home house street road city town village county borough school
    hospital church centre center north south east west yorkshire london england britain
    british english uk mr mrs ms miss dr sir lady lord king queen prince princess name names
    withheld unknown anonymous person persons somebody someone anyone nobody everyone today
    yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday january
    february march april may june july august september october november december
    """.split()  # noqa: SIM905 (a list of words reads best as words)
)


def key(word: str) -> str:
    """A word as names are compared: NFKC-normalised, case-folded."""
    return unicodedata.normalize("NFKC", word).casefold()


def words(text: str) -> list[str]:
    """The words of a text, as names are compared (`key` of each)."""
    return [key(found) for found in _WORD.findall(text)]


def name_problem(name: str) -> str | None:
    """Why `name` cannot be withheld, or None: too few letters, or only common words."""
    if len(_LETTER.findall(name)) < MIN_LETTERS:
        return f"give a name of at least {MIN_LETTERS} letters"
    found = words(name)
    if all(word in COMMON_WORDS for word in found):
        return "that is a common word, not a name: give the person's name as written"
    return None


def merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted, the overlapping ones joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class TextMask:
    """A text with its withheld spans replaced: the public text, and where an offset of the
    stored text falls in it. An offset inside a span falls on the span's edge, so that a passage
    that begins or ends inside a name covers the whole mask and shows none of the name."""

    text: str
    spans: tuple[tuple[int, int], ...]

    @cached_property
    def public(self) -> str:
        if not self.spans:
            return self.text
        parts: list[str] = []
        at = 0
        for start, end in self.spans:
            parts += [self.text[at:start], PLACEHOLDER]
            at = end
        parts.append(self.text[at:])
        return "".join(parts)

    @cached_property
    def sha256(self) -> str:
        """The hash of the public text (its UTF-8 bytes), not of the stored one."""
        return hashlib.sha256(self.public.encode("utf-8")).hexdigest()

    def offset(self, position: int, *, side: str) -> int:
        """Where `position` of the stored text falls in the public one; inside a span, at the
        mask's start (`side="start"`) or its end (`side="end"`)."""
        shift = 0
        for start, end in self.spans:
            if position <= start:
                break
            if position < end:
                public_start = start + shift
                return public_start if side == "start" else public_start + len(PLACEHOLDER)
            shift += len(PLACEHOLDER) - (end - start)
        return position + shift

    def span(self, start: int, end: int) -> tuple[int, int]:
        """A passage [start, end) of the stored text, as [start, end) of the public text."""
        public_start = self.offset(start, side="start")
        return public_start, max(public_start, self.offset(end, side="end"))


@dataclass(frozen=True)
class Names:
    """A set of withheld names, ready to find in texts."""

    names: tuple[str, ...] = ()
    _keys: tuple[tuple[str, ...], ...] = field(init=False, repr=False, default=())

    def __post_init__(self) -> None:
        keys = {tuple(words(name)) for name in self.names}
        # Longest first, so that at one place the longer of two names is the one matched.
        ordered = sorted((k for k in keys if k), key=lambda k: (-len(k), k))
        object.__setattr__(self, "_keys", tuple(ordered))

    def __bool__(self) -> bool:
        return bool(self._keys)

    def _candidates(self, text: str) -> list[tuple[str, ...]]:
        """The names whose every word occurs somewhere in the text (a quick test that never
        leaves out a name that matches: a word's key is part of the whole text's key)."""
        folded = key(text)
        return [k for k in self._keys if all(word in folded for word in k)]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the names occur in `text`, as [start, end) offsets, joined where they overlap."""
        if not self._keys or not text:
            return []
        candidates = self._candidates(text)
        if not candidates:
            return []
        found = [(m.start(), m.end(), key(m.group())) for m in _WORD.finditer(text)]
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for name in candidates:
            by_first.setdefault(name[0], []).append(name)
        spans: list[tuple[int, int]] = []
        for index, (start, _end, word) in enumerate(found):
            for name in by_first.get(word, ()):
                last = index + len(name) - 1
                if last < len(found) and all(
                    found[index + n][2] == part for n, part in enumerate(name)
                ):
                    spans.append((start, found[last][1]))
        return merge(spans)

    def found_in(self, text: str) -> bool:
        return bool(self.spans(text))

    def may_be_in(self, text: str) -> bool:
        """Whether a name may occur in `text`: every word of one occurs somewhere in it. Never
        False where a name occurs; cheap, for leaving alone what holds none."""
        return bool(self._keys) and bool(self._candidates(text))

    def mask(self, text: str) -> TextMask:
        return TextMask(text, tuple(self.spans(text)))

    def text(self, text: str) -> str:
        """The text as the public reads it."""
        if not self._keys or not text:
            return text
        if not self._candidates(text):
            return text
        return self.mask(text).public


@lru_cache(maxsize=64)
def names(found: Sequence[str]) -> Names:
    """The matcher of a set of names (one per set, reused while the set stays the same)."""
    return Names(tuple(found))


@dataclass(frozen=True)
class Masker:
    """What the public must not read at one data version: the withheld names, the archived texts
    that hold one (by source slug: their masks, for the offsets into them), and the sources whose
    original upload holds one (never given to the public)."""

    names: Names = field(default_factory=Names)
    sources: Mapping[str, TextMask] = field(default_factory=dict)
    hidden_originals: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.names)

    def text(self, value: str) -> str:
        return self.names.text(value)

    def passage(self, source: str, start: int, end: int) -> tuple[str | None, int, int]:
        """A passage [start, end) of a source's stored text as the public reads it: its words
        (None when the source holds no withheld name: the stored words, masked, are right) and
        its offsets in the public text."""
        mask = self.sources.get(source)
        if mask is None:
            return None, start, end
        public_start, public_end = mask.span(start, end)
        return mask.public[public_start:public_end], public_start, public_end

    def quoted(self, source: str, quote: str) -> str | None:
        """A verbatim quote of a source, found in its stored text, as the public reads it (a
        quote that begins or ends inside a name covers the whole mask); None when the source
        holds no withheld name or does not hold the quote."""
        mask = self.sources.get(source)
        if mask is None:
            return None
        at = mask.text.find(quote)
        if at < 0:
            return None
        start, end = mask.span(at, at + len(quote))
        return mask.public[start:end]
