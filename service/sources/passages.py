"""A source's text cut into passages: sentences, list bullets, headings and attribution lines,
each a span of code-point offsets into the text exactly as archived.

Paragraphs are separated by blank lines. A bullet ("- ", "• ", "1. ") is a passage of its own,
whatever sentences it holds. Elsewhere sentencex finds the sentence boundaries; a sentence may
run over a line break, except where the line before is a heading. The text is never changed:
matching is done on `matching_copy` or `lowered_copy`, which swap characters one for one, so
offsets still hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import sentencex  # type: ignore[import-untyped]

# A list item's marker: a dash or a dot, "1." or "1)", and the lettered or numbered items of
# resolutions and recommendations: "(a)", "a)", "(iv)", "(2)".
BULLET = re.compile(
    r"[ \t]*(?:[-*•▪◦‣●·]|\d{1,3}[.)]|\((?:[a-z]{1,2}|[ivx]{1,5}|\d{1,2})\)|[a-z][)]"
    # an en or em dash before words in lower case ("\u2013 reopen the front counters;"), not
    # before a name
    r"|[\u2013\u2014](?=[ \t]+[a-z]))[ \t]+(?=\S)"
)
# A line of an en or em dash and a name, under a quoted statement, names who said it.
ATTRIBUTION = re.compile(r"[ \t]*[\u2013\u2014][ \t]*(?P<name>\S.*?)\s*$")
DOUBLE_QUOTES = '"\u201c\u201d'
UNQUOTED = str.maketrans({quote: " " for quote in DOUBLE_QUOTES})
TERMINAL = ".!?:;\u2026\"'\u201d\u2019)]"
# A line break after one of these words is inside a sentence, not after a heading.
RUNS_ON = frozenset(
    str.split(
        """a an the of to for in on at by with from into and or but as that which who is are was
    were be been has have had will would said says told than its their his her our"""
    )
)
# Titles that sentencex takes for the end of a sentence ("Cllr. Jones").
TITLES = re.compile(r"\b(?:Cllr|Coun|Insp|Det|Supt|Sgt|Con|Rev|Dr|Prof|Gen|Col|Capt|St)\.\s*$")
MAX_HEADING_WORDS = 15

# One-for-one swaps (so offsets are unchanged) that let the cue table be written plainly.
PLAIN = (
    ("\u2019", "'"),
    ("\u2018", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u00a0", " "),
    ("\u2013", "-"),
)


def matching_copy(text: str) -> str:
    """The text with curly quotes, en dashes and no-break spaces made plain, one for one."""
    for fancy, plain in PLAIN:
        text = text.replace(fancy, plain)
    return text


def lowered_copy(text: str) -> str:
    """The matching copy in lower case, of the same length as the text."""
    copy = matching_copy(text)
    lowered = copy.lower()
    if len(lowered) != len(copy):  # "\u0130".lower() is two characters: lower A-Z only
        lowered = copy.translate({c: c + 32 for c in range(65, 91)})
    return lowered


class Form(StrEnum):
    SENTENCE = "sentence"
    BULLET = "bullet"
    HEADING = "heading"
    ATTRIBUTION = "attribution"


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    form: Form
    paragraph: int  # index of the blank-line separated paragraph
    section: int  # index of the stretch of text under one heading

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


def _lines(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each line in text[start:end], without its line break."""
    position = start
    while position < end:
        stop = text.find("\n", position, end)
        stop = end if stop < 0 else stop
        yield position, stop
        position = stop + 1


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    start: int | None = None
    last_end = 0
    for line_start, line_end in _lines(text, 0, len(text)):
        if text[line_start:line_end].strip():
            if start is None:
                start = line_start
            last_end = line_end
        elif start is not None:
            yield start, last_end
            start = None
    if start is not None:
        yield start, last_end


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _unpaired(piece: str, index: int) -> bool:
    """Whether piece[index] is a quotation mark with no partner within the piece."""
    mark = piece[index]
    if mark == '"':
        return piece.count('"') % 2 == 1
    if mark in "\u201c\u201d":
        other = "\u201d" if mark == "\u201c" else "\u201c"
        return piece.count(mark) > piece.count(other)
    return False


def _trimmed_unquoted(text: str, start: int, end: int) -> tuple[int, int]:
    """Trimmed of white space, and of a quotation mark at either end whose partner lies
    outside the sentence (the closing mark of a statement of several sentences, say)."""
    start, end = _trimmed(text, start, end)
    if start < end and _unpaired(text[start:end], 0):
        start, end = _trimmed(text, start + 1, end)
    if start < end and _unpaired(text[start:end], -1):
        start, end = _trimmed(text, start, end - 1)
    return start, end


def _is_heading_line(line: str) -> bool:
    stripped = line.strip()
    words = stripped.split()
    return (
        0 < len(words) <= MAX_HEADING_WORDS
        and stripped[-1] not in TERMINAL
        and stripped[-1] != ","
        and words[-1].lower() not in RUNS_ON
    )


def _breaks_after_headings(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Cut a sentence at a line break that follows a heading or a colon; keep the others."""
    piece = start
    for line_start, line_end in _lines(text, start, end):
        if line_end >= end:
            break
        line = text[line_start:line_end]
        following = text[line_end + 1 : end].lstrip()
        starts_anew = (
            following[:1].isupper() or following[:1].isdigit() or following[:1] in "\"'\u201c\u2018"
        )
        if starts_anew and (line.rstrip().endswith(":") or _is_heading_line(text[piece:line_end])):
            yield piece, line_end
            piece = line_end + 1
    yield piece, end


def _sentences(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    # sentencex keeps a quotation whole; a quoted statement's sentences are claims of their own.
    unquoted = text[start:end].translate(UNQUOTED)
    bounds = sentencex.get_sentence_boundaries("en", unquoted)
    spans = [
        (start + b["start_index"], start + b["end_index"])
        for b in bounds
        if not b["is_paragraph_break"]
    ]
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged and TITLES.search(text[merged[-1][0] : merged[-1][1]]):
            merged[-1] = (merged[-1][0], span[1])  # "Cllr." was a title, not a full stop
        else:
            merged.append(span)
    for sentence_start, sentence_end in merged:
        for piece in _breaks_after_headings(text, sentence_start, sentence_end):
            trimmed = _trimmed_unquoted(text, *piece)
            if trimmed[0] < trimmed[1]:
                yield trimmed


def _is_attribution(line: str) -> bool:
    match = ATTRIBUTION.match(line)
    return match is not None and len(match.group("name").split()) <= MAX_HEADING_WORDS


def _runs(text: str, start: int, end: int) -> Iterator[tuple[int, int, Form]]:
    """A paragraph cut into runs of prose, bullets and attribution lines: (start, end, form).
    A bullet goes on over the next lines while they are indented or it has not ended."""
    run_start, form = start, Form.SENTENCE
    for line_start, line_end in _lines(text, start, end):
        line = text[line_start:line_end]
        bullet = BULLET.match(line)
        attribution = _is_attribution(line)
        bullet_ends = form is Form.BULLET and not (
            line[:1].isspace() or not _closed(text, run_start, line_start)
        )
        if bullet or attribution or bullet_ends:
            if text[run_start:line_start].strip():
                yield run_start, line_start, form
            run_start, form = line_start, Form.SENTENCE
        if bullet:
            run_start, form = line_start + bullet.end(), Form.BULLET
        elif attribution:
            yield line_start, line_end, Form.ATTRIBUTION
            run_start = line_end + 1
    if text[run_start:end].strip():
        yield run_start, end, form


def _closed(text: str, start: int, end: int) -> bool:
    stripped = text[start:end].rstrip()
    return bool(stripped) and stripped[-1] in TERMINAL


def passages(text: str) -> list[Passage]:
    """Every passage of the text in reading order."""
    found: list[Passage] = []
    section = 0
    for paragraph, (para_start, para_end) in enumerate(_paragraphs(text)):
        for run_start, run_end, form in _runs(text, para_start, para_end):
            if form is Form.BULLET and not _has_lowercase(text, run_start, run_end):
                # "45. HOUSING REVENUE ACCOUNT": a numbered agenda heading, not an item.
                section += 1
                start, end = _trimmed(text, run_start, run_end)
                found.append(Passage(start, end, Form.HEADING, paragraph, section))
                continue
            if form is Form.BULLET and _numbered_paragraph(text, run_start, run_end):
                # A report's numbered paragraph: each of its sentences is a claim of its own.
                for start, end in _sentences(text, run_start, run_end):
                    found.append(Passage(start, end, Form.SENTENCE, paragraph, section))
                continue
            if form is not Form.SENTENCE:
                start, end = _trimmed(text, run_start, run_end)
                found.append(Passage(start, end, form, paragraph, section))
                continue
            pieces = (
                _lines_of(text, run_start, run_end)
                if _short_lines(text, run_start, run_end) or _table(text, run_start, run_end)
                else _sentences(text, run_start, run_end)
            )
            above_has_cells = False
            for start, end in pieces:
                line = text[start:end]
                # A table's row under its line of headings is never a heading itself.
                row, above_has_cells = above_has_cells and "|" in line, "|" in line
                if not row and _own_line(text, start, end) and _is_heading_line(line):
                    section += 1
                    found.append(Passage(start, end, Form.HEADING, paragraph, section))
                else:
                    found.append(Passage(start, end, Form.SENTENCE, paragraph, section))
    return found


NUMBERED = re.compile(r"\s*(?:\d{1,3}[.)]|\(\d{1,2}\))\s*$")
# A numbered item longer than this is a report's paragraph rather than a list's item.
PARAGRAPH_WORDS = 40


def _numbered_paragraph(text: str, start: int, end: int) -> bool:
    marker = text[text.rfind("\n", 0, start) + 1 : start]
    return NUMBERED.match(marker) is not None and len(text[start:end].split()) > PARAGRAPH_WORDS


# A block of this many short lines or more ("Overall rating: Good", "Is it safe? Inadequate")
# is a table written as lines: each line is a passage of its own.
BLOCK_LINES = 3
SHORT_LINE_WORDS = 8


def _short_lines(text: str, start: int, end: int) -> bool:
    lines = [text[a:b] for a, b in _lines(text, start, end) if text[a:b].strip()]
    return len(lines) >= BLOCK_LINES and all(
        len(line.split()) <= SHORT_LINE_WORDS and line.rstrip()[-1:] not in ".,;" for line in lines
    )


def _table(text: str, start: int, end: int) -> bool:
    """Lines of cells ("Action | Lead | Target date"), perhaps under a heading of their own: each
    row is a passage of its own."""
    lines = [text[a:b] for a, b in _lines(text, start, end) if text[a:b].strip()]
    cells = [n for n, line in enumerate(lines) if "|" in line]
    return len(cells) >= 2 and cells == list(range(cells[0], len(lines)))


def _lines_of(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    for line_start, line_end in _lines(text, start, end):
        trimmed = _trimmed(text, line_start, line_end)
        if trimmed[0] < trimmed[1]:
            yield trimmed


def _has_lowercase(text: str, start: int, end: int) -> bool:
    return any(c.islower() for c in text[start:end])


def _own_line(text: str, start: int, end: int) -> bool:
    """Whether the span is alone on its line(s)."""
    before = text[text.rfind("\n", 0, start) + 1 : start]
    after_end = text.find("\n", end)
    after = text[end : len(text) if after_end < 0 else after_end]
    return not before.strip() and not after.strip() and "\n" not in text[start:end]
