"""How a source's text is cut for showing: a quote within its paragraph, and the whole text cut
at every quoted span. Pure functions of the text and the offsets."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from service.sources.models import QuoteSpan

# A paragraph longer than this on either side of a quote is shortened to its nearest words.
CONTEXT_CHARS = 700
# At most this many item titles are named in one highlighted passage's tooltip.
TITLES_PER_PASSAGE = 5


def paragraph_around(text: str, start: int, end: int) -> tuple[str, str, str]:
    """The text before the quote within its paragraph, the quote, and the text after it.
    Paragraphs are separated by blank lines."""
    opening = text.rfind("\n\n", 0, start)
    opening = 0 if opening < 0 else opening + 2
    closing = text.find("\n\n", end)
    closing = len(text) if closing < 0 else closing
    before, after = text[opening:start], text[end:closing]
    if len(before) > CONTEXT_CHARS:
        cut = before[-CONTEXT_CHARS:]
        before = "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut
    if len(after) > CONTEXT_CHARS:
        cut = after[:CONTEXT_CHARS]
        after = (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"
    return before.lstrip("\n"), text[start:end], after.rstrip("\n")


def _titles(spans: list[QuoteSpan]) -> str:
    shown = "; ".join(s.item.title for s in spans[-TITLES_PER_PASSAGE:])
    more = len(spans) - TITLES_PER_PASSAGE
    return shown + (f"; and {more} more" if more > 0 else "")


def quoted_segments(text: str, spans: list[QuoteSpan]) -> list[dict[str, Any]]:
    """The text cut at every quote's start and end. Each segment lists the items quoting it
    (innermost last) and the anchors (`q-<item slug>`) of the quotes that start there."""
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    starting: dict[int, list[QuoteSpan]] = {}
    for span in spans:
        starting.setdefault(span.start, []).append(span)
    active: list[QuoteSpan] = []
    segments: list[dict[str, Any]] = []
    for left, right in pairwise(bounds):
        active = [s for s in active if s.end > left]
        opened = starting.get(left, [])
        active.extend(opened)
        covering = sorted(active, key=lambda s: (s.start, -s.end))
        segments.append(
            {
                "text": text[left:right],
                "quoted_by": [s.item for s in covering],
                "titles": _titles(covering),
                "anchors": [f"q-{s.item.slug}" for s in opened],
            }
        )
    return segments
