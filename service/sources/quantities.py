"""Quantities in a claim: money, counts of people and things, shares and durations, written in
digits or in words, read into a value and the unit the text uses (`£1.2m` is 1,200,000 GBP,
`six officers` is 6 officers, `from 30 to 45 detectives` is 45 detectives).

Pure functions of a piece of text; offsets are code points into the string given.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from text_to_num import text2num  # type: ignore[import-untyped]

from service.sources.units import Measure, compound_unit, plural_unit


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
    # Read, but not what a claim is about: a deadline ("within six months"), a threshold ("a
    # town of more than 5,000 people"), a distance ("three miles away"), a petition's signatures.
    context: bool = False
    # A limit for each of many ("borrow up to £25,000"): second to a sum of the same measure.
    cap: bool = False
    # Second to anything else named: what a claim costs ("hire 30 wardens at a cost of
    # £1.2m"), a share written in words ("by a quarter").
    secondary: bool = False
    # A short span of time given as a bound ("for more than two years", "at least four hours"):
    # in a finding it says how long a failing went on, not what the claim is about.
    bound: bool = False
    # How many times something happened ("on 40 nights", "on at least 14 occasions"): what a
    # finding counts, before the people and things it names ("a single nurse for 41 residents").
    occasions: bool = False


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
    r"(?:a\s+|half\s+a\s+)?dozen\b|"
    rf"(?:a\s+(?=(?:hundred|thousand|million)\b))?{_WORD}(?:(?:\s+and\s+|[\s-]+){_WORD})*\b"
)
DIGITS = r"\d{1,3}(?:,\d{3})+(?![\d,]\d)|\d+(?:\.\d+)?"
# "two and a half hours": the half is part of the number.
_AND_A_HALF = r"\s+and\s+a\s+half"
AND_A_HALF = re.compile(_AND_A_HALF + "$")
NUMBER = re.compile(rf"(?:{DIGITS}|{WORD_NUMBER})(?:{_AND_A_HALF}\b)?")

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
# Pence and kilometres written on to the number: "20p an hour", "150km of cycle lanes".
WRITTEN_ON = re.compile(r"(?:p|km)(?![a-z0-9])")
# "30 or more children": how many at least.
OR_MORE_AFTER = re.compile(r"\s+or\s+(?:more|fewer|less|over|above|under)\b")
# "1.2 million homes", "300,000 homes": a count in millions or thousands.
COUNT_SCALE = re.compile(r"\s+(?P<scale>million|billion|thousand)\b")
SHARE_AFTER = re.compile(r"\s?(?:%|per\s?cent\b|percent\b)")
# "14-year-old", "a 21 year old": ages, not durations.
AGE = re.compile(r"[\s-]+(?:years?|months?|weeks?|days?)[\s-]+old\b")
# "18-week wait", "four-hour target", "six-week consultation".
HYPHENATED_DURATION = re.compile(r"-(?P<unit>year|month|week|day|hour|minute|decade)\b(?!-old)")
# "a 24-bed ward": a count written into an adjective, for nouns the tables know.
HYPHENATED_COUNT = re.compile(r"-(?P<noun>[a-z]+)\b(?!-)")
TIME_OF_DAY = re.compile(r"\s?(?:am|pm|a\.m\.|p\.m\.|o'clock|o\u2019clock|o' clock)\b")
NEXT_WORD = re.compile(r"\s*(?P<comma>,)?\s*(?P<word>[a-z][a-z'\u2019-]*)?")
WORDS_AFTER = re.compile(r"[^\W\d_](?:[^\W\d_]|['\u2019-])*|\S")  # "cafés" is a word
WORD_BEFORE = re.compile(r"([a-z]+)\W*$")
# "increase the number of detectives from 30 to 45": the unit is named before the numbers.
NUMBER_OF = re.compile(r"\bnumber of\s+(?P<phrase>(?:[a-z-]+\s+){0,3}[a-z-]+)\b")
# "officer numbers have fallen": what they count, named before the verb.
NUMBERS_AFTER = re.compile(r"\b(?P<phrase>(?:[a-z-]+\s+){0,2}[a-z-]+)\s+numbers\b")
# A change by a number: "has fallen by 114", "rose by 58 in a year".
CHANGE_BY = re.compile(
    r"\b(?:fallen|fell|falls|risen|rose|rises|dropped|drops|increased|decreased|grown|grew"
    r"|gone\s+(?:up|down)|come\s+down)\s+by\s+$"
)
# At most this many words (modifiers) between a number and the noun it counts:
# "10 South Yorkshire police officers".
MAX_WORDS_TO_NOUN = 5
RANGE_END = re.compile(
    r"(?:\bto\s+(?:at\s+least\s+|under\s+|below\s+|no\s+more\s+than\s+|fewer\s+than\s+)?|[-\u2013]\s*)$"
)
# "15 of the town's 90 bridges": 15 bridges, a part of a whole named after it.
PART_OF = re.compile(
    r"\s+of\s+(?!them\b)(?:(?:the|its|their|our|his|her|these|those)\s+)?(?:[a-z]+(?:'|\u2019)s\s+)?"
    rf"(?:(?:{DIGITS}|{WORD_NUMBER})\s+)?"
)
# "three of the seven councils": a part counted against its whole.
PART_OF_WHOLE = re.compile(rf"\s+of\s+(?:the\s+)?(?:{DIGITS}|{WORD_NUMBER})\b")
# A span of time that sets a deadline rather than being promised: "within six months", "in the
# next 12 months", "over the next three years", "within our first 100 days".
DEADLINE_BEFORE = re.compile(
    r"\b(?:(?:within|in|during|by\s+the\s+end\s+of|before\s+the\s+end\s+of)\s+(?:our|my|their)"
    r"\s+first|within(?:\s+the(?:\s+next)?)?|(?:in|over)\s+the\s+(?:next|coming))\s+$"
)
# The period that picks out what a claim covers: "review every case from the last 12 months".
RECENT_BEFORE = re.compile(r"\b(?:in|over|during|from|within)\s+the\s+(?:last|past|previous)\s+$")
# A time to do something in, of any length: "attend within 24 hours", "answer within 15 minutes".
WITHIN_BEFORE = re.compile(r"\bwithin\s+$")
# An age or a wait that picks out the cases a claim is about, not its quantity: "every complaint
# older than six months", "any call waiting longer than 30 minutes", "repairs more than 28 days
# overdue".
AGE_OF_CASES_BEFORE = re.compile(r"\b(?:older|(?:waiting|for)\s+longer)\s+than\s+$")
OVERDUE_AFTER = re.compile(r"\s+(?:overdue|late|old)\b")
THAN_BEFORE = re.compile(r"\bmore\s+than\s+$")
# How often, not how much: "six days a week", "once every five years" (but "22 hours a day" is
# how much).
FREQUENCY_AFTER = re.compile(r"\s+(?:a|an|per|each|every)\s+(?:day|week|month|year)\b")
FREQUENCY_BEFORE = re.compile(r"\bevery\s+$")
# A length of time written as an adjective describes its noun ("a six-week limit", "a 24-hour
# service", "three-year funding"): across the corpus's labels it is the claim's quantity about
# one time in ten. A consultation's length is what is promised of it ("a 12-week consultation").
CONSULTATION_AFTER = re.compile(r"\s+(?:(?:public|formal|statutory|further)\s+)*consultation\b")
# When, not how long: "three months later", "two years ago".
WHEN_AFTER = re.compile(
    r"\s+(?:later|earlier|ago|afterwards|after\b|before\b|late\b|on\b(?=\s*[,.;]))"
)
# What a claim costs comes after what it does: "hire 30 wardens at a cost of £1.2m a year",
# "recruit ten inspectors, funded by a £700,000 increase", "paid for from the £4.3m".
COST_BEFORE = re.compile(
    r"(?:\bat\s+(?:a|an)\s+(?:total\s+|combined\s+|average\s+)?cost\s+of|\bcost:|\bcosting"
    # what a proposal would cost, said in passing: "60 beds, which he said would cost about £4m"
    r"|\bwhich\s+(?:[a-z]+\s+){0,3}(?:would|will|could)\s+cost"
    r"|\b(?:funded|paid\s+for|financed|met)\s+(?:by|from|through|out\s+of|with)"
    r"(?:\s+(?:a|an|the|its|their|this|that))?"
    # what a claim saves or is kept within: "close three custody suites, saving £4.1m a year",
    # "buy up to 30 homes within a capital budget of £7.5m", "funded by borrowing of up to £22m"
    r"|\bsaving|\bsavings\s+of|\bwithin\s+a\s+(?:[a-z]+\s+)?budget\s+of|\b(?:borrowing|loan)\s+of"
    # the programme a claim belongs to: "replace all 640 monitors, as part of a £48m programme"
    r"|\bas\s+part\s+of\s+(?:a|an|the|its|their))"
    r"(?:\s+(?:up\s+to|around|about|some|an\s+estimated|nearly|almost))?\s*$"
)
# A council tax band: the sum for a Band D home illustrates a rise given as a share.
COUNCIL_TAX_BAND = re.compile(r"\bband\s+[a-h]\b")
# A body or person described in passing: "Larkmoor Water, which supplies 1.4 million customers,
# ...", "the council, which funds 29 of the home's residents, ...", "a technician, who worked
# there for nine years and asked not to be named, ...": right after the verb, or anywhere in the
# clause when it closes with a comma.
_DESCRIBING = (
    r",\s*(?:which|who)\s+(?:now\s+|also\s+|currently\s+|already\s+)?(?:supplies|serves|runs"
    r"|employs|has|covers|holds|houses|cares\s+for|manages|owns|represents|operates|looks\s+after"
    r"|funds|subsidises|pays|worked|carries|carry|stood|stands)\b"
)
DESCRIBED_BEFORE = re.compile(
    _DESCRIBING + r"\s+(?:(?:more\s+than|over|around|about|some|nearly|almost|roughly)\s+)?$"
)
DESCRIBED_IN = re.compile(_DESCRIBING + r"(?:[^,;.]|(?<=\d)[,.](?=\d))*$")  # "9,500" in it
CLAUSE_CLOSES = re.compile(r"[^;.]*?,")
# What a finding happened in spite of is background to it: "despite receiving more than 2,600
# complaints", "despite his history of two previous falls".
DESPITE_BEFORE = re.compile(r"\bdespite\b[^,;.]*$")
# The whole a part of it is counted from: "Of the 3,120 schools surveyed, 214 have ...", "In a
# sample of 120 incidents, officers attended 37 late", "an audit of 400 jobs found 63 ...".
WHOLE_BEFORE = re.compile(
    r"(?:(?:^|[.!?;:]\s+)of|\b(?:sample|audit|review)\s+of)\s+(?:the\s+|all\s+)?$"
)
SENTENCE_END = re.compile(r"[.!?;]\s")
# A count whose noun was just named and is left out: "Of the 3,120 schools surveyed, 214 have
# planks at risk", "an audit of 400 jobs found 63 where ...", "In 37 of them", "Only 41 had been
# replaced", "It has completed 38.", "... and that six of them were still at home".
ELIDED_AFTER = re.compile(
    r"\s+of\s+(?:them|these|those)\b"
    r"|(?=\s+(?:had|have|has|were|was|are|is)\s+[a-z]|\s+(?:where|in\s+which|later\s+than"
    r"|earlier\s+than)\b)"
)
ELIDED_BEFORE = re.compile(
    r"(?:^|[.!?;:]\s+|,\s+|\b(?:only|just|find|found|in|and|but|all|achieve|met|[a-z]{3,}ed"
    r"|(?<=and\s)that)\s+)$"
)
# "all 34 of them": a count of the things named before it.
OF_THEM = re.compile(r"\S+\s+of\s+(?:them|these|those)\b")
# "It plans to buy a further 120 over the next two years."
ELIDED_MORE_BEFORE = re.compile(r"\b(?:a\s+further|another|an\s+extra|an\s+additional)\s+$")
# "It has completed 38."
ELIDED_AT_END_BEFORE = re.compile(
    r"\b(?:completed|built|delivered|replaced|opened|recruited|hired|met|achieved)\s+"
    r"(?:only\s+|just\s+)?$"
)
# "an additional planning officer", "an extra nurse": a count of one.
ONE_MORE = re.compile(r"\b(?:an\s+additional|an\s+extra|one\s+more|one\s+additional|one\s+extra)\b")
# A threshold that describes a noun: "a town of more than 5,000 people", "a waiting list of
# over 300 families".
THRESHOLD_OF = re.compile(r"\bof\s+(?:more\s+than|over|above|under|less\s+than|fewer\s+than)\s+$")
# A pay or spending threshold: "staff paid over £60,000", "items of spending over £500" (but
# "will be spending over £2m" is a sum).
PAY_THRESHOLD = re.compile(
    r"\b(?P<before>[a-z]+\s+)?(?:paid|earning|earn|earns|spending)\s+(?:more\s+than|over|above)"
    r"\s+$"
)
VERB_BEFORE_SPENDING = _words("be is are was were been am")
# "every contract over £25,000", "any grant above £5,000": a threshold for each of many.
EVERY_OVER = re.compile(
    r"\b(?:every|any|each|all)\s+(?:[a-z'\u2019]+\s+){1,4}(?:over|above|under|below|more\s+than"
    r"|less\s+than)\s+$"
)
# "every development of ten homes or more", "any household of five or more people": a
# threshold for each of many, not a count.
EVERY_OF = re.compile(r"\b(?:every|any|each|all)\s+(?:[a-z'\u2019-]+\s+){1,3}of\s+$")
# "the £10,000 threshold", "a £500 limit".
THRESHOLD_AFTER = re.compile(r"\s+(?:[a-z]+\s+){0,2}(?:threshold|limit|ceiling)\b")
# A numbered section or item opening its line: "1.4", "4.2.1".
SECTION_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})+")
SECTION_TITLE = re.compile(r"\.?\s+[A-Z]")
# "a £2 cap on single fares", "the £3 parking charge cap": what a cap promises, unless the
# sentence names something else.
CAP_AFTER = re.compile(r"\s+(?:[a-z]+\s+){0,2}cap\b")
# Where, not how many: "councils in the 20 districts", "at all three homes".
PLACE_BEFORE = re.compile(
    r"\b(?:in|at|across|throughout)\s+(?:each\s+of\s+the|all(?:\s+of)?(?:\s+the)?|the"
    r"(?:\s+other)?|both)\s+$"
)
# Every one of a number of places a claim covers: "a review of staffing at all nine homes",
# "monitors at all 61 works" count them when the claim names nothing else.
ALL_PLACES_BEFORE = re.compile(r"\b(?:in|at|across|throughout)\s+all(?:\s+of)?(?:\s+the)?\s+$")
# One of something for each of a number of places or groups is that many of it: "install a
# knife bin in each of the force's nine districts" is nine knife bins, "hold a public meeting in
# every one of the eight wards" eight public meetings.
EACH_OF_BEFORE = re.compile(
    r"\b(?:a|an|one)\s+(?P<thing>(?:[a-z-]+\s+){0,3}?[a-z-]+)\s+(?:in|for|at|to)\s+"
    r"(?:each|every\s+one)\s+of\s+(?:(?:the|its|their|our|his|her)\s+)?"
    r"(?:[a-z-]+(?:'|\u2019)s\s+)?$"
)
# Where a change starts is second to where it ends: "risen from £18.5m when it was approved to
# £31.2m", "from four officers to eight".
FROM_BEFORE = re.compile(r"\bfrom\s+$")
FROM_TO_AFTER = re.compile(
    r"[^;.]{0,60}?\bto\s+(?:£|\d|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)"
)
# What a figure is measured against: "at an average cost of £11,400 against a planned £6,300".
AGAINST_BEFORE = re.compile(r"\bagainst\s+(?:a|an|the|its|their)\s+(?:[a-z-]+\s+){0,3}$")
# Distances: one within which something lies ("every household within 50 metres of the cliff")
# places it; one along which something was found ("3,000 fish along a four-mile stretch") is
# second to what was found.
DISTANCES = _words("miles kilometres metres")
ALONG_BEFORE = re.compile(r"\balong\s+(?:a|an|the)\s+$")
# A distance that places something: "three miles away", "two miles from the town".
DISTANCE_AFTER = re.compile(r"\s+(?:away|from)\b")
# Days or nights that something happened on are a count, not a span: "on 40 nights".
OCCASIONS_BEFORE = re.compile(r"\bon\s+(?:at\s+least\s+|more\s+than\s+|over\s+)?$")
OCCASIONS = frozenset({"occasions", "days", "nights", "shifts", "weekends", "mornings", "evenings"})
# "in one case": a way of speaking, not a count.
IN_ONE_CASE = re.compile(r"\bin\s+one\s+(?:case|instance)\b")
# One of something is whom or what a sentence is about ("One man had been held for 97 days",
# "only one nurse on duty"), not a count it tracks, unless it is one more ("an additional
# caseworker", "one extra bus", "one new school") or how many a matter concerns ("This
# allegation relates to one officer").
ONE_MORE_AFTER = re.compile(r"\s+(?:additional|extra|more|new)\b")
ONE_CONCERNED_BEFORE = re.compile(
    r"\b(?:relates?|relating|related)\s+to\s+$|\binvolv(?:es|ing|ed)\s+$"
)
# The people a report heard from are its sources, not its claim: "Four former staff told us",
# "Three officers, who asked not to be named, said", "Two consultants at the trust, who spoke on
# condition of anonymity, said", "interviews with 23 current and former staff"; and how long a
# source has served: "a paramedic with 15 years' service".
SOURCES_AFTER = re.compile(
    r"(?:\s+(?:at|from|in|of|on|with)\s+[^,]{1,40}?)?(?:\s*,[^,]{1,80},)?\s+(?:have\s+|had\s+)?"
    r"(?:told|said|say|says|spoke|described|alleged|allege|alleges|claimed|claim|claims)\b"
)
SOURCES_BEFORE = re.compile(
    r"\b(?:interviews?\s+with|spoke\s+to|spoken\s+to|talked\s+to|heard\s+from)\s+"
    r"(?:more\s+than\s+|over\s+|some\s+|nearly\s+|almost\s+)?$"
)
SERVICE_AFTER = re.compile(r"['\u2019]?\s+(?:service|experience)\b")
# Words that make the number after them a label, not a count: "section 21 notices", "band 5
# nurses", "category 2 calls", "year 7 pupils".
LABELS = _words(
    """section article clause paragraph rule schedule regulation part level phase stage year
    tier grade band category route ward room junction platform chapter page item question
    recommendation priority number aged order standing"""
)
LABEL_BEFORE = re.compile(rf"\b(?:{'|'.join(sorted(LABELS))}|no\.)\s+$")
# What a petition gathered is not what it asks for.
CONTEXT_UNITS = _words("signatures signatories")
# The family a complaint concerns is whom it is about, not what it counts: "left her and her three
# children in bed and breakfast for 19 weeks".
FAMILY = _words("children sons daughters grandchildren siblings brothers sisters")
FAMILY_BEFORE = re.compile(r"\b(?:her|his|my|their)\s+$")
# The councils a claim is made with or asked of are who acts, not what it counts: "work with the
# three district councils to light the 40 footpaths", "asked the five borough councils to
# consider ...". Counted as a part of a whole they are what a finding counts: "three of the seven
# councils that applied had withdrawn".
COUNCILS = _words("councils")
# A share written as a ratio or a fraction: "one in four calls", "cut by a quarter".
RATIO = re.compile(
    rf"(?P<part>\d+|{_WORD})\s+(?:(?P<noun>[a-z]+)\s+)?(?:in|out\s+of)\s+(?:every\s+)?"
    rf"(?P<whole>\d{{1,3}}(?:,\d{{3}})+|\d+|{_WORD})\b"
    r"(?!\s*(?:%|per))"
)
RATIO_ENDS = re.compile(r"\s+(?:had|have|has|was|were|is|are|did|do)\b|\s*[,.;]")
# A share in words: a cut "by a third", or a part "a quarter of the cases", "half the homes",
# "two-thirds of its budget" (second to any figure written out beside it).
FRACTION = re.compile(
    r"(?P<by>\bby\s+)?\b(?P<words>(?:a|one)\s+(?P<part>third|quarter|fifth|tenth)"
    r"|(?P<two_thirds>two[\s-]+thirds)|(?P<three_quarters>three[\s-]+quarters)|(?P<half>half))\b"
    r"(?P<of>\s+(?:of|the)\b)?"
)
FRACTIONS = {"third": 33.3, "quarter": 25.0, "fifth": 20.0, "tenth": 10.0, "half": 50.0,
             "two_thirds": 66.7, "three_quarters": 75.0}  # fmt: skip
# "cut off after half an hour": 30 minutes.
HALF_AN_HOUR = re.compile(r"\bhalf\s+an\s+hour\b")
# "halve the office budget", "a target to halve discharges", "cut by at least half": a cut of
# half.
HALVE = re.compile(
    r"\bhalv(?:e|es|ed|ing)\b"
    r"|\bby\s+(?:at\s+least\s+|more\s+than\s+|almost\s+|nearly\s+)?half\b"
    r"(?![\s-]+(?:past|an?|hourly)\b)"  # not "by half past six", "by half an hour"
)
# "7 hours 40 minutes", "six hours and 40 minutes": one span, in minutes.
HOURS_THEN_MINUTES = re.compile(r"\s*(?:,\s*|\s+and\s+)?")
# A share in brackets restating the one just written in words: "one in five patients (19%)".
RESTATED = re.compile(r"\(\d")
RESTATED_REACH = 40
# Routes named by their numbers, not counted: "the 14 and 22 routes", "the X4, 27 and 31 routes".
ROUTE_NUMBERS = re.compile(
    r"\bthe\s+(?:[a-z]?\d+,\s+)*[a-z]?\d+\s+(?:and|or)\s+[a-z]?\d+\s+(?:bus\s+)?"
    r"(?:routes|services|lines)\b"
)
# A telephone service, not a count: "999 calls", "the 101 line", "monthly 101 answer times",
# "101 abandoned calls", "publish 999 and 101 answering times", "callers to 101".
SERVICE_NUMBER = re.compile(
    r"(?:999|111|101)(?![\d,.])(?=\s+(?:(?:abandoned|average|unanswered|emergency)\s+)?(?:calls?"
    r"|callers?|services?|lines?|numbers?|answer|answering|performance|waits?|waiting|response"
    r"|non-emergency|failures?|operators?|handlers?|and\s+(?:999|111|101)\b)\b)"
)
SERVICE_NUMBER_BEFORE = re.compile(
    r"\b(?:to|on|called|dialled|dialed|dialling|dialing|rang|ring)\s+$"
)
# A change "from £2m to £3m": the first is where it starts.
FROM_BEFORE = re.compile(r"\bfrom\s+$")
TO_BETWEEN = re.compile(r"\s+to\s+(?:at\s+least\s+)?")
# A limit for each of many: "borrow up to £25,000".
CAP_BEFORE = re.compile(r"\bup\s+to\s+$")
# "for more than two years", "at least four hours", "almost 18 months" (but "more than 19,000
# hours" of discharges is a measured total).
BOUND_BEFORE = re.compile(
    r"\b(?:more\s+than|over|at\s+least|almost|nearly|longer\s+than|less\s+than|beyond)\s+$"
)
SHORT_SPAN = 100


def number_value(written: str) -> Decimal | None:
    """The value of a number as written: "1,200", "4.5", "sixty", "forty-five", "a hundred",
    "two and a half"."""
    plain = written.replace(",", "").strip()
    half = AND_A_HALF.search(plain.lower())
    if half is not None:
        whole = number_value(plain[: half.start()])
        return None if whole is None else whole + Decimal("0.5")
    if plain[:1].isdigit():
        try:
            return Decimal(plain)
        except InvalidOperation:
            return None
    words = re.sub(r"\s+", " ", plain.lower())
    if words.endswith("dozen"):  # "a dozen", "half a dozen"
        return Decimal(6 if words.startswith("half") else 12)
    words = re.sub(r"^a\s+", "one ", words)
    try:
        return Decimal(text2num(words, "en"))
    except ValueError:
        return None


def _plural(noun: str) -> str:
    """A noun's plural by the common rules: "bin" "bins", "facility" "facilities", "bus" "buses"."""
    if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou"):
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def _looks_plural(word: str) -> bool:
    lower = word.lower()
    return (
        word[:1].islower()
        and lower.replace("-", "").isalpha()  # "call-backs"
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
    seen = [""]
    for index, match in enumerate(WORDS_AFTER.finditer(text, after)):
        token = match.group()
        seen.append(token.lower())
        if not token[0].isalpha():
            if index == 0 and token == ",":  # "Sixty, additional ... officers"
                continue
            if token.isdigit() and (seen[-2] in LABELS or seen[-2].isdigit()):  # "band 5"
                continue
            break
        lower = token.lower()
        if lower in ("and", "or") and generic is None and index > 0:
            continue  # "40 vacant education and training places": still among the modifiers
        if lower in FUNCTION_WORDS or lower in MONTHS:
            break
        if lower.endswith(("s'", "s\u2019")):  # "four weeks' notice"
            token, lower = token[:-1], lower[:-1]
        known = plural_unit(token)
        is_plural = known is not None and lower.replace("\u2019", "'") == known[0].lower()
        if known is not None and (is_plural or one):
            if one and is_plural and lower not in ("staff", "personnel"):
                return None  # "the one fact residents most needed": not a count of residents
            if not _noun_follows(text, match.end()) or CLAUSE_SUBJECT_AFTER.match(
                text, match.end()
            ):
                return compound_unit(seen[-3:-1], known[0]), known[1], match.end()
            words += 1  # "20 schools inspectors": the last noun of a compound is counted
            continue
        if _looks_plural(token):
            # "highways repairs": the last plural is the noun
            generic = (compound_unit(seen[-3:-1], lower), match.end())
        elif generic is not None:
            break
        words += 1
        if words >= MAX_WORDS_TO_NOUN:
            break
    if generic is None or one:
        return None
    return generic[0], Measure.THINGS, generic[1]


# A plural noun that starts a clause describing the one before it: "in nine of the 31 cases
# inspectors sampled" counts cases (that inspectors sampled), not inspectors.
CLAUSE_SUBJECT_AFTER = re.compile(
    r"\s+[a-z]+s\s+(?!need|led|bed|shed|feed|seed|speed)[a-z]{2,}ed\b"
)


def _noun_follows(text: str, at: int) -> bool:
    """A plural noun comes straight after `at`, no comma between: "inspectors" in "20 schools
    inspectors"."""
    following = NEXT_WORD.match(text, at)
    if following is None or following.group("comma") or not following.group("word"):
        return False
    word = following.group("word")
    known = plural_unit(word)
    if known is not None:
        return word.lower().replace("\u2019", "'") == known[0].lower()
    return _looks_plural(word)


def _unit_named_before(lowered: str, start: int) -> tuple[str, Measure] | None:
    """For "the number of detectives from 30 to 45", "officer numbers have fallen by 114": the
    unit named before the numbers."""
    before = lowered[max(0, start - 120) : start]
    if not (RANGE_END.search(before) or CHANGE_BY.search(before)):
        return None
    found = None
    for match in NUMBER_OF.finditer(before):
        found = match
    for match in NUMBERS_AFTER.finditer(before):
        if found is None or match.start() > found.start():
            found = match
    if found is None:
        return None
    for word in found.group("phrase").split():
        known = plural_unit(word)
        if known is not None:
            return known
        if _looks_plural(word):
            return word, Measure.THINGS
    return None


def _at_word_start(lowered: str, at: int) -> bool:
    if at >= 2 and lowered[at - 1] == "-" and lowered[at - 2].isalpha():
        return False  # "covid-19"
    return at == 0 or not (lowered[at - 1].isalnum() or lowered[at - 1] in "_£$€.,")


def _is_date_or_age(text: str, lowered: str, match: re.Match[str]) -> bool:
    written = match.group()
    before = WORD_BEFORE.search(lowered[max(0, match.start() - 20) : match.start()])
    if before and before.group(1) in MONTHS:  # "april 1, 2014"
        return True
    if LABEL_BEFORE.search(lowered, max(0, match.start() - 20), match.start()):
        return True  # "section 21 notices", "band 5 nurses", "year 7 pupils"
    if re.fullmatch(r"1[89]\d\d|20\d\d", written):  # a year
        return True
    if SECTION_NUMBER.fullmatch(written) and SECTION_TITLE.match(text, match.end()):
        line_start = lowered.rfind("\n", 0, match.start()) + 1
        if not lowered[line_start : match.start()].strip():
            return True  # "1.4 Information and facilities: Inadequate": a section's number
    if AGE.match(lowered, match.end()) or TIME_OF_DAY.match(lowered, match.end()):
        return True
    follower = NEXT_WORD.match(lowered, match.end())
    if follower is None or follower.group("comma"):
        return False
    word = follower.group("word")
    return bool(word) and word in MONTHS  # "9 march 2003"


def _from_number(text: str, lowered: str, match: re.Match[str]) -> QuantityMention | None:
    mention = _read_number(text, lowered, match)
    if mention is None:
        return None
    if (
        mention.quantity.value == 1
        and mention.measure in (Measure.PEOPLE, Measure.THINGS)
        and not ONE_MORE_AFTER.match(lowered, match.end())
        and not ONE_CONCERNED_BEFORE.search(lowered, max(0, match.start() - 20), match.start())
    ):
        return replace(mention, context=True)
    return _judged(lowered, mention)


def _judged(lowered: str, mention: QuantityMention) -> QuantityMention:
    """The mention marked, from the words around it, as context, a cap, a count of the times
    something happened, or a cost; or read as one of something for each of that many places."""
    before = lowered[max(0, mention.start - 40) : mention.start]
    each = (
        EACH_OF_BEFORE.search(lowered, max(0, mention.start - 80), mention.start)
        if mention.measure in (Measure.PEOPLE, Measure.THINGS)
        else None
    )
    if each is not None and not FUNCTION_WORDS.intersection(each.group("thing").split()):
        *described, thing = each.group("thing").split()
        known = plural_unit(thing)
        unit, measure = known if known is not None else (_plural(thing), Measure.THINGS)
        counted = Quantity(mention.quantity.value, " ".join([*described, unit]))
        return replace(mention, quantity=counted, measure=measure)
    if mention.measure in (Measure.PEOPLE, Measure.THINGS) and ALL_PLACES_BEFORE.search(before):
        return replace(mention, secondary=True)
    if _is_context(lowered, mention, before):
        return replace(mention, context=True)
    if mention.quantity.unit in DISTANCES and ALONG_BEFORE.search(before):
        return replace(mention, secondary=True)
    if FROM_BEFORE.search(before) and FROM_TO_AFTER.match(lowered, mention.end):
        return replace(mention, secondary=True)
    if AGAINST_BEFORE.search(before):
        return replace(mention, secondary=True)
    if (
        mention.measure is Measure.DURATION
        and mention.quantity.value < SHORT_SPAN
        and BOUND_BEFORE.search(before)
    ):
        mention = replace(mention, bound=True)
    if mention.measure is Measure.MONEY and COST_BEFORE.search(before):
        return replace(mention, secondary=True)  # before a cap: "at a cost of up to £96,000"
    if CAP_BEFORE.search(before):
        return replace(mention, cap=True)
    if mention.quantity.unit.split()[-1] in OCCASIONS and OCCASIONS_BEFORE.search(before):
        # "on at least 38 nights" counts nights, not a span bounded by "at least"
        return replace(mention, measure=Measure.THINGS, occasions=True, bound=False)
    if mention.measure is Measure.MONEY and (
        CAP_AFTER.match(lowered, mention.end)
        or EVERY_OVER.search(before)  # "publish every contract over £25,000"
        # what a rise of 4.99% adds to a Band D bill
        or COUNCIL_TAX_BAND.search(lowered, max(0, mention.start - 40), mention.end + 40)
    ):
        return replace(mention, secondary=True)
    return mention


def _is_context(lowered: str, mention: QuantityMention, before: str) -> bool:
    """A quantity read but not claimed: a deadline, a frequency, a threshold, a place, a
    distance, a report's sources, a petition's signatures."""
    measure, end = mention.measure, mention.end
    if mention.quantity.unit in CONTEXT_UNITS:
        return True
    if mention.quantity.unit.split()[-1] in FAMILY and FAMILY_BEFORE.search(before):
        return True
    if mention.quantity.unit.split()[-1] in COUNCILS and not PART_OF_WHOLE.search(
        lowered, mention.start, end
    ):
        return True
    deadline_unit = mention.quantity.unit in ("days", "weeks", "fortnights", "months", "years")
    if measure is Measure.DURATION and (
        (deadline_unit and DEADLINE_BEFORE.search(before))
        or WITHIN_BEFORE.search(before)
        or RECENT_BEFORE.search(before)
        or AGE_OF_CASES_BEFORE.search(before)
        or (THAN_BEFORE.search(before) and OVERDUE_AFTER.match(lowered, end))
        or FREQUENCY_BEFORE.search(before)
        or (deadline_unit and FREQUENCY_AFTER.match(lowered, end))
        or WHEN_AFTER.match(lowered, end)
        or ("-" in lowered[mention.start : end] and not CONSULTATION_AFTER.match(lowered, end))
    ):
        return True
    clause = lowered[max(0, mention.start - 160) : mention.start]
    if DESCRIBED_IN.search(clause) and CLAUSE_CLOSES.match(lowered, mention.end):
        return True
    if DESPITE_BEFORE.search(clause):
        return True
    if measure is Measure.MONEY:
        if THRESHOLD_AFTER.match(lowered, end):
            return True
        pay = PAY_THRESHOLD.search(before)
        return pay is not None and (pay.group("before") or "").strip() not in VERB_BEFORE_SPENDING
    if THRESHOLD_OF.search(before) or PLACE_BEFORE.search(before):
        return True
    if EVERY_OF.search(before) and (
        OR_MORE_AFTER.search(lowered, mention.start, end) or OR_MORE_AFTER.match(lowered, end)
    ):
        return True  # "every development of ten or more homes", "of ten homes or more"
    if DESCRIBED_BEFORE.search(before):
        return True
    if measure is Measure.PEOPLE and (
        SOURCES_AFTER.match(lowered, end) or SOURCES_BEFORE.search(before)
    ):
        return True
    if measure is Measure.DURATION and SERVICE_AFTER.match(lowered, end):
        return True
    if mention.quantity.unit in DISTANCES and WITHIN_BEFORE.search(before):
        return True
    return mention.quantity.unit == "miles" and bool(DISTANCE_AFTER.match(lowered, end))


def _read_number(text: str, lowered: str, match: re.Match[str]) -> QuantityMention | None:
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
    suffix = WRITTEN_ON.match(lowered, end)
    if suffix is not None and match.group()[:1].isdigit():  # "20p an hour", "150km of lanes"
        pence = suffix.group() == "p"
        read = (
            Quantity(float(value / 100), "GBP") if pence else Quantity(float(value), "kilometres")
        )
        return QuantityMention(
            read, Measure.MONEY if pence else Measure.THINGS, start, suffix.end()
        )
    if end < len(lowered) and (lowered[end].isalnum() or lowered[end] in "%_"):
        return None  # "1.45pm", "11th"
    if SERVICE_NUMBER.match(lowered, start) or IN_ONE_CASE.match(lowered, max(0, start - 3)):
        return None
    if any(
        m.start() < start < m.end() for m in ROUTE_NUMBERS.finditer(lowered, max(0, start - 30))
    ):
        return None
    if lowered[start:end] in ("999", "111", "101") and SERVICE_NUMBER_BEFORE.search(
        lowered, max(0, start - 12), start
    ):
        return None
    if _is_date_or_age(text, lowered, match):
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
    bound = OR_MORE_AFTER.match(lowered, end)
    if bound is not None:  # "30 or more children": the count, second to any other figure
        noun = _counted_noun(text, bound.end(), one=False)
        if noun is None:
            return None
        unit, measure, noun_end = noun
        quantity = Quantity(float(value), unit)
        return QuantityMention(quantity, measure, start, noun_end, secondary=True)
    scaled = COUNT_SCALE.match(lowered, end)
    if scaled is not None:  # "1.2 million homes"
        value *= SCALES[scaled.group("scale")]
        end = scaled.end()
    noun = _counted_noun(text, end, one=value == 1)
    if noun is not None:
        unit, measure, noun_end = noun
        return QuantityMention(Quantity(float(value), unit), measure, start, noun_end)
    part = PART_OF.match(lowered, end) if value != 1 else None  # not "every one of"
    whole = _counted_noun(text, part.end(), one=False) if part else None
    if whole is not None:
        unit, measure, noun_end = whole
        return QuantityMention(Quantity(float(value), unit), measure, start, noun_end)
    named = _unit_named_before(lowered, start)
    if named is not None:
        return QuantityMention(Quantity(float(value), named[0]), named[1], start, end)
    return None


def find_quantities(text: str) -> list[QuantityMention]:
    """Every quantity in the text, in reading order, marked where it is context (a deadline, a
    threshold...), a cap, or second to what else is named."""
    return list(_read_all(text)[0])


def elided_counts(text: str) -> list[tuple[int, int, float]]:
    """The counts in the text whose noun is left out and not named before them in it ("Only 41
    had been replaced", "in 37 of them"), as (start, end, value): a claim's sentences before it
    name what they count."""
    return list(_read_all(text)[1])


@functools.lru_cache(maxsize=4096)  # a claim's sentence is read for several of its figures
def _read_all(
    text: str,
) -> tuple[tuple[QuantityMention, ...], tuple[tuple[int, int, float], ...]]:
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
        money = QuantityMention(quantity, Measure.MONEY, match.start(), match.end())
        found.append(_judged(lowered, money))
    taken = [(m.start, m.end) for m in found]
    bare: list[re.Match[str]] = []  # numbers that name no unit: counts left out, among others
    for match in NUMBER.finditer(lowered):
        if not _at_word_start(lowered, match.start()):
            continue
        if any(start <= match.start() < end for start, end in taken):
            continue  # "£2m", or the whole in "15 of the town's 90 bridges"
        read = _from_number(text, lowered, match)
        if read is not None:
            found.append(read)
            taken.append((read.start, read.end))
        else:
            bare.append(match)
    for match in RATIO.finditer(lowered):
        part, whole = number_value(match.group("part")), number_value(match.group("whole"))
        if not _at_word_start(lowered, match.start()) or not part or not whole or part >= whole:
            continue
        if whole > 1000:  # "3 in 2027": a year, not a ratio
            continue
        if match.group("noun") and not (part == 1 and RATIO_ENDS.match(lowered, match.end())):
            continue  # "one call in twelve had been abandoned", not "two officers in 12 months"
        if any(start <= match.start() < end for start, end in taken):
            continue
        share = round(float(part / whole * 100), 1)
        found = [m for m in found if not (match.start() <= m.start < match.end())]
        found.append(QuantityMention(Quantity(share, "percent"), Measure.SHARE, *match.span()))
        taken.append((match.start(), match.end()))
    for match in FRACTION.finditer(lowered):
        if not (match.group("by") or match.group("of")) or (
            match.group("half") and match.group("by")
        ):
            continue  # "half past", "by half" (a halving, below)
        named = match.group("part") or next(
            g for g in ("two_thirds", "three_quarters", "half") if match.group(g)
        )
        at, end = match.span("words")
        if named in ("two_thirds", "three_quarters"):  # read above as "three quarters" counted
            found = [m for m in found if m.start != at]
        elif any(start <= at < stop for start, stop in taken):
            continue
        fraction = QuantityMention(Quantity(FRACTIONS[named], "percent"), Measure.SHARE, at, end)
        found.append(replace(fraction, secondary=True))
        taken.append((at, end))
    for match in HALF_AN_HOUR.finditer(lowered):
        if not any(start <= match.start() < end for start, end in taken):
            span = QuantityMention(Quantity(30.0, "minutes"), Measure.DURATION, *match.span())
            found.append(_judged(lowered, span))
    for match in HALVE.finditer(lowered):
        half = QuantityMention(Quantity(50.0, "percent"), Measure.SHARE, *match.span())
        found.append(replace(half, secondary=True))
    for match in ONE_MORE.finditer(lowered):
        if any(start <= match.start() < end for start, end in taken):
            continue
        counted = _counted_noun(text, match.end(), one=True)
        if counted is not None and counted[1] in (Measure.PEOPLE, Measure.THINGS):
            unit, measure, noun_end = counted
            one = QuantityMention(Quantity(1.0, unit), measure, match.start(), noun_end)
            found.append(_judged(lowered, one))
    found.sort(key=lambda m: (m.start, m.measure))
    found = _hours_with_minutes(lowered, found)
    found = _restated_shares(lowered, found)
    for index, (first, then) in enumerate(pairwise(found)):
        if (
            first.measure is then.measure
            and FROM_BEFORE.search(lowered, max(0, first.start - 10), first.start)
            and TO_BETWEEN.fullmatch(lowered, first.end, then.start)
        ):
            found[index] = replace(first, context=True)  # "from £2m to £3m": £3m is promised
    found, unresolved = _with_elided_counts(text, lowered, found, bare)
    for index, total in enumerate(found):
        if total.measure in (Measure.PEOPLE, Measure.THINGS) and WHOLE_BEFORE.search(
            lowered, max(0, total.start - 30), total.start
        ):
            of_it = next((m for m in found[index + 1 :] if not m.context), None)
            if (
                of_it is not None
                and of_it.measure in (Measure.PEOPLE, Measure.THINGS, Measure.SHARE)
                and not SENTENCE_END.search(lowered, total.end, of_it.start)
            ):
                found[index] = replace(total, context=True)  # "Of the 120 cases, 37 were late"
    return tuple(found), tuple(unresolved)


def _elided(
    text: str, lowered: str, numbers: list[re.Match[str]], found: list[QuantityMention]
) -> list[tuple[int, int, float]]:
    """Of the numbers that name no unit, those that count something named before them."""
    counts = []
    for number in numbers:
        start, end = number.span()
        if any(m.start <= start < m.end for m in found):
            continue  # read since: "1 in 8"
        if end < len(lowered) and (lowered[end].isalnum() or lowered[end] in "%_"):
            continue
        follow = ELIDED_AFTER.match(lowered, end)
        if follow is not None and ELIDED_BEFORE.search(lowered, max(0, start - 12), start):
            stop = follow.end()
        elif ELIDED_MORE_BEFORE.search(lowered, max(0, start - 16), start) or (
            (end == len(lowered) or lowered[end] in ".;")
            and ELIDED_AT_END_BEFORE.search(lowered, max(0, start - 24), start)
        ):
            stop = end
        else:
            continue
        if SOURCES_AFTER.match(lowered, stop):
            continue  # "Four of them say ...": who speaks, not what is counted
        value = number_value(number.group())
        if value is None or value <= 1 or _is_date_or_age(text, lowered, number):
            continue
        if 1900 <= value <= 2100 and "," not in number.group():
            continue  # a year
        counts.append((start, stop, float(value)))
    return counts


def _with_elided_counts(
    text: str, lowered: str, found: list[QuantityMention], bare: list[re.Match[str]]
) -> tuple[list[QuantityMention], list[tuple[int, int, float]]]:
    """The mentions with each elided count read in the unit of the count named before it in
    the same text, and the elided counts nothing before them names."""
    added, unresolved = [], []
    for start, end, value in _elided(text, lowered, bare, found):
        named = [
            m for m in found
            if m.end <= start and m.measure in (Measure.PEOPLE, Measure.THINGS) and not m.context
        ]  # fmt: skip
        noun = _plural_named_before(lowered, start) if OF_THEM.match(lowered, start, end) else None
        if named:
            added.append(QuantityMention(Quantity(value, named[-1].quantity.unit),
                                         named[-1].measure, start, end))  # fmt: skip
        elif noun is not None:
            added.append(QuantityMention(Quantity(value, noun[0]), noun[1], start, end))
        else:
            unresolved.append((start, end, value))
    if added:
        found = sorted([*found, *added], key=lambda m: (m.start, m.measure))
    return found, unresolved


def _plural_named_before(lowered: str, at: int) -> tuple[str, Measure] | None:
    """The things "all 34 of them" counts: the last plural noun of the sentence before it ("said
    it would replace its monitors ... all 34 of them")."""
    begun = max((m.end() for m in SENTENCE_END.finditer(lowered, 0, at)), default=0)
    for word in reversed(re.findall(r"[a-z][a-z'-]*", lowered[begun:at])):
        known = plural_unit(word)
        if known is not None and known[0] == word:
            return known
        if _looks_plural(word):
            return word, Measure.THINGS
    return None


def _restated_shares(lowered: str, found: list[QuantityMention]) -> list[QuantityMention]:
    """A share in words that a figure in brackets gives exactly ("almost one in five patients
    (19%)", "nearly half the men we surveyed (46%)"): the bracketed figure is the share."""
    exact = [
        m for m in found if m.measure is Measure.SHARE and RESTATED.match(lowered, m.start - 1)
    ]
    return [
        replace(m, secondary=True)
        if m.measure is Measure.SHARE
        and any(0 <= e.start - m.end <= RESTATED_REACH for e in exact if e is not m)
        else m
        for m in found
    ]


def _hours_with_minutes(lowered: str, found: list[QuantityMention]) -> list[QuantityMention]:
    """ "7 hours 40 minutes" read as one span of 460 minutes."""
    joined: list[QuantityMention] = []
    for mention in found:
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.quantity.unit == "hours"
            and mention.quantity.unit == "minutes"
            and HOURS_THEN_MINUTES.fullmatch(lowered, last.end, mention.start)
        ):
            minutes = last.quantity.value * 60 + mention.quantity.value
            joined[-1] = replace(
                last,
                quantity=Quantity(minutes, "minutes"),
                end=mention.end,
                context=last.context or mention.context,  # "within 2 hours 30 minutes"
            )
            continue
        joined.append(mention)
    return joined


def main_mention(
    text: str, *, after: int = 0, bounds: bool = True, occasions_first: bool = False
) -> QuantityMention | None:
    """The mention of the quantity a claim is about: of the most telling measure, the first one
    after `after` (where the claim's cue is: "lost 300 officers and wants 150 more officers"
    wants 150), or else the first one before it. A deadline, a threshold or a distance is never
    it; a cap ("up to £25,000") only when no other sum is named, a cost ("at a cost of £5m")
    only when nothing else is. Without `bounds`, a short span given as a bound is none either
    (what a finding names: "failed to reply for more than two years"). With `occasions_first`,
    how many times something happened comes before any count but a sum ("on 11 nights a single
    nurse was responsible for all 41 residents": 11 nights)."""
    mentions = [m for m in find_quantities(text) if not m.context and (bounds or not m.bound)]
    if not mentions:
        return None
    return min(
        mentions,
        key=lambda m: (
            m.secondary, m.measure is not Measure.MONEY, not (occasions_first and m.occasions),
            m.measure, m.cap, m.start < after, m.start,
        ),
    )  # fmt: skip


def main_quantity(text: str, *, after: int = 0, bounds: bool = True) -> Quantity | None:
    """The quantity a claim is about (see `main_mention`)."""
    mention = main_mention(text, after=after, bounds=bounds)
    return None if mention is None else mention.quantity
