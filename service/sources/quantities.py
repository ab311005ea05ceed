"""Quantities in a claim: money, counts of people and things, shares and durations, written in
digits or in words, read into a value and the unit the text uses (`£1.2m` is 1,200,000 GBP,
`six officers` is 6 officers, `from 30 to 45 detectives` is 45 detectives).

Pure functions of a piece of text; offsets are code points into the string given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from text_to_num import text2num  # type: ignore[import-untyped]

from service.sources.units import Measure, plural_unit


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str


@dataclass(frozen=True)
class QuantityMention:
    quantity: Quantity
    measure: Measure
    start: int
    end: int


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


MONTHS = _words(
    "january february march april may june july august september october november december"
    " jan feb mar apr jun jul aug sep sept oct nov dec"
)
# Words that end the noun phrase after a number: a head noun never lies beyond them.
FUNCTION_WORDS = _words(
    """a an the of to for in on at by with from into over under than and or but nor as that
    which who whom whose this these those it its is are was were be been being has have had
    will would shall should can could may might must do does did not no so if when while
    between among per each every he she they we you i his her their our your my up out off
    about after before during since until via most least some any all both"""
)
# Words ending in s that are not plural nouns.
NOT_PLURAL = _words(
    "its this thus us yes was has is does gas news always perhaps unless whereas towards"
    " across previous various serious famous less bus plus status basis crisis"
)

_NUMBER_WORDS = sorted(
    _words(
        """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred thousand million billion"""
    ),
    key=lambda w: (-len(w), w),
)
_WORD = "(?:" + "|".join(_NUMBER_WORDS) + ")"
# Patterns run on the text with A-Z lowered and open with no word boundary (checked in code):
# Python's re scans much faster that way than with IGNORECASE and a leading \b.
WORD_NUMBER = (
    rf"(?:a\s+(?=(?:hundred|thousand|million)\b))?{_WORD}(?:(?:\s+and\s+|[\s-]+){_WORD})*\b"
)
DIGITS = r"\d{1,3}(?:,\d{3})+(?![\d,]\d)|\d+(?:\.\d+)?"
NUMBER = re.compile(rf"{DIGITS}|{WORD_NUMBER}")

SCALES = {
    "k": 1_000, "thousand": 1_000, "m": 1_000_000, "mn": 1_000_000, "million": 1_000_000,
    "bn": 1_000_000_000, "billion": 1_000_000_000,
}  # fmt: skip
CURRENCIES = {"£": "GBP", "$": "USD", "€": "EUR", "pounds": "GBP", "dollars": "USD", "euros": "EUR"}

MONEY_BY_SIGN = re.compile(
    rf"(?P<cur>[£$€])\s?(?P<num>{DIGITS})(?:\s?(?P<scale>bn|billion|mn|m|million|k|thousand)\b)?"
)
# What follows a number that makes it money ("1.5 million pounds") or a share ("15 per cent").
MONEY_WORDS_AFTER = re.compile(
    r"\s+(?:(?P<scale>million|billion|thousand)\s+)?(?P<cur>pounds|dollars|euros)\b"
)
SHARE_AFTER = re.compile(r"\s?(?:%|per\s?cent\b|percent\b)")
# "14-year-old", "a 21 year old": ages, not durations.
AGE = re.compile(r"[\s-]+(?:years?|months?|weeks?|days?)[\s-]+old\b")
# "18-week wait", "four-hour target", "six-week consultation".
HYPHENATED_DURATION = re.compile(r"-(?P<unit>year|month|week|day|hour|minute|decade)\b(?!-old)")
# "a 24-bed ward": a count written into an adjective, for nouns the tables know.
HYPHENATED_COUNT = re.compile(r"-(?P<noun>[a-z]+)\b(?!-)")
TIME_OF_DAY = re.compile(r"\s?(?:am|pm|a\.m\.|p\.m\.|o'clock|o\u2019clock|o' clock)\b")
NEXT_WORD = re.compile(r"\s*(?P<comma>,)?\s*(?P<word>[a-z][a-z'\u2019-]*)?")
WORDS_AFTER = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*|[^\sA-Za-z]")
WORD_BEFORE = re.compile(r"([a-z]+)\W*$")
# "increase the number of detectives from 30 to 45": the unit is named before the numbers.
NUMBER_OF = re.compile(r"\bnumber of\s+(?P<phrase>(?:[a-z-]+\s+){0,3}?[a-z-]+)\b")
# At most this many words (modifiers) between a number and the noun it counts:
# "10 South Yorkshire police officers".
MAX_WORDS_TO_NOUN = 5
RANGE_END = re.compile(r"(?:\bto\s+(?:at least\s+)?|[-\u2013]\s*)$")


def number_value(written: str) -> Decimal | None:
    """The value of a number as written: "1,200", "4.5", "sixty", "forty-five", "a hundred"."""
    plain = written.replace(",", "").strip()
    if plain[:1].isdigit():
        try:
            return Decimal(plain)
        except InvalidOperation:
            return None
    words = re.sub(r"^a\s+", "one ", plain.lower())
    words = re.sub(r"\s+", " ", words)
    try:
        return Decimal(text2num(words, "en"))
    except ValueError:
        return None


def _looks_plural(word: str) -> bool:
    lower = word.lower()
    return (
        word[:1].islower()
        and lower.isalpha()
        and len(lower) >= 4
        and lower.endswith("s")
        and not lower.endswith(("ss", "us", "is", "ous"))
        and lower not in NOT_PLURAL
        and lower not in FUNCTION_WORDS
    )


def _counted_noun(text: str, after: int, *, one: bool) -> tuple[str, Measure, int] | None:
    """The noun a number ending at `after` counts, past its modifiers: unit, measure and end.
    A singular noun counts only after "one", else it is a modifier ("213 child ... offences")."""
    generic: tuple[str, int] | None = None
    words = 0
    for index, match in enumerate(WORDS_AFTER.finditer(text, after)):
        token = match.group()
        if not token[0].isalpha():
            if index == 0 and token == ",":  # "Sixty, additional ... officers"
                continue
            break
        lower = token.lower()
        if lower in FUNCTION_WORDS or lower in MONTHS:
            break
        known = plural_unit(token)
        is_plural = known is not None and lower.replace("\u2019", "'") == known[0].lower()
        if known is not None and (is_plural or one):
            return known[0], known[1], match.end()
        if _looks_plural(token):
            generic = (lower, match.end())  # "highways repairs": the last plural is the noun
        elif generic is not None:
            break
        words += 1
        if words >= MAX_WORDS_TO_NOUN:
            break
    if generic is None:
        return None
    return generic[0], Measure.THINGS, generic[1]


def _unit_named_before(lowered: str, start: int) -> tuple[str, Measure] | None:
    """For "the number of detectives from 30 to 45": the unit named before the numbers."""
    before = lowered[max(0, start - 120) : start]
    if not RANGE_END.search(before):
        return None
    found = None
    for match in NUMBER_OF.finditer(before):
        found = match
    if found is None:
        return None
    for word in reversed(found.group("phrase").split()):
        known = plural_unit(word)
        if known is not None:
            return known
        if _looks_plural(word):
            return word, Measure.THINGS
    return None


def _at_word_start(lowered: str, at: int) -> bool:
    return at == 0 or not (lowered[at - 1].isalnum() or lowered[at - 1] in "_£$€.,")


def _is_date_or_age(lowered: str, match: re.Match[str]) -> bool:
    written = match.group()
    before = WORD_BEFORE.search(lowered[max(0, match.start() - 20) : match.start()])
    if before and before.group(1) in MONTHS:  # "april 1, 2014"
        return True
    if re.fullmatch(r"1[89]\d\d|20\d\d", written):  # a year
        return True
    if AGE.match(lowered, match.end()) or TIME_OF_DAY.match(lowered, match.end()):
        return True
    follower = NEXT_WORD.match(lowered, match.end())
    if follower is None or follower.group("comma"):
        return False
    word = follower.group("word")
    return bool(word) and word in MONTHS  # "9 march 2003"


def _from_number(text: str, lowered: str, match: re.Match[str]) -> QuantityMention | None:
    value = number_value(match.group())
    if value is None:
        return None
    start, end = match.start(), match.end()
    share = SHARE_AFTER.match(lowered, end)
    if share:
        return QuantityMention(Quantity(float(value), "percent"), Measure.SHARE, start, share.end())
    money = MONEY_WORDS_AFTER.match(lowered, end)
    if money:
        value *= SCALES.get(money.group("scale") or "", 1)
        unit = CURRENCIES[money.group("cur")]
        return QuantityMention(Quantity(float(value), unit), Measure.MONEY, start, money.end())
    if end < len(lowered) and (lowered[end].isalnum() or lowered[end] in "%_"):
        return None  # "1.45pm", "11th"
    if _is_date_or_age(lowered, match):
        return None
    hyphenated = HYPHENATED_DURATION.match(lowered, end)
    if hyphenated:
        unit = hyphenated.group("unit") + "s"
        return QuantityMention(
            Quantity(float(value), unit), Measure.DURATION, start, hyphenated.end()
        )
    counted = HYPHENATED_COUNT.match(lowered, end)
    known = plural_unit(counted.group("noun")) if counted else None
    if counted and known and known[1] is not Measure.DURATION:
        return QuantityMention(Quantity(float(value), known[0]), known[1], start, counted.end())
    noun = _counted_noun(text, end, one=value == 1)
    if noun is not None:
        unit, measure, noun_end = noun
        return QuantityMention(Quantity(float(value), unit), measure, start, noun_end)
    named = _unit_named_before(lowered, start)
    if named is not None:
        return QuantityMention(Quantity(float(value), named[0]), named[1], start, end)
    return None


def find_quantities(text: str) -> list[QuantityMention]:
    """Every quantity in the text, in reading order."""
    lowered = text.lower()
    if len(lowered) != len(text):  # "\u0130".lower() is two characters: lower A-Z only
        lowered = text.translate({c: c + 32 for c in range(65, 91)})
    found: list[QuantityMention] = []
    for match in MONEY_BY_SIGN.finditer(lowered):
        value = number_value(match.group("num"))
        if value is None:
            continue
        value *= SCALES.get(match.group("scale") or "", 1)
        quantity = Quantity(float(value), CURRENCIES[match.group("cur")])
        found.append(QuantityMention(quantity, Measure.MONEY, match.start(), match.end()))
    taken = [(m.start, m.end) for m in found]
    for match in NUMBER.finditer(lowered):
        if not _at_word_start(lowered, match.start()):
            continue
        if any(start <= match.start() < end for start, end in taken):
            continue
        mention = _from_number(text, lowered, match)
        if mention is not None:
            found.append(mention)
    return sorted(found, key=lambda m: (m.start, m.measure))


def main_quantity(text: str, *, after: int = 0) -> Quantity | None:
    """The quantity a claim is about: of the most telling measure, the first one after `after`
    (where the claim's cue is: "lost 300 officers and wants 150 more officers" wants 150), or
    else the first one before it."""
    mentions = find_quantities(text)
    if not mentions:
        return None
    return min(mentions, key=lambda m: (m.measure, m.start < after, m.start)).quantity
