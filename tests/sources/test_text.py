"""Cutting a source's text for display: a quote's paragraph, and the quoted segments."""

from __future__ import annotations

from service.sources.models import QuoteSpan, SpanItem
from service.sources.text import paragraph_around, quoted_segments

TEXT = "First paragraph.\n\nBefore the quote. THE QUOTE and after.\n\nLast one."


def test_paragraph_around_keeps_only_the_quotes_paragraph() -> None:
    start = TEXT.index("THE QUOTE")
    assert paragraph_around(TEXT, start, start + 9) == (
        "Before the quote. ",
        "THE QUOTE",
        " and after.",
    )


def test_long_paragraphs_are_shortened_at_word_boundaries() -> None:
    text = "word " * 400 + "QUOTE" + " tail" * 400
    start = text.index("QUOTE")
    before, quote, after = paragraph_around(text, start, start + 5)
    assert quote == "QUOTE"
    assert before.startswith("…word") and len(before) <= 702
    assert after.endswith("tail…") and len(after) <= 702


def test_segments_rebuild_the_text_and_mark_nested_quotes() -> None:
    outer = QuoteSpan(
        item=SpanItem(id=1, slug="outer", title="Outer", kind="commitment"), start=18, end=55
    )
    inner = QuoteSpan(
        item=SpanItem(id=2, slug="inner", title="Inner", kind="allegation"), start=36, end=45
    )
    segments = quoted_segments(TEXT, [outer, inner])
    assert "".join(s["text"] for s in segments) == TEXT
    by_text = {s["text"]: s for s in segments}
    assert [i.slug for i in by_text[TEXT[36:45]]["quoted_by"]] == ["outer", "inner"]
    assert by_text[TEXT[36:45]]["anchors"] == ["q-inner"]
    assert by_text[TEXT[18:36]]["anchors"] == ["q-outer"]
    assert by_text[TEXT[:18]]["quoted_by"] == []
