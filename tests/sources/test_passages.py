"""Cutting a source's text into passages: sentences, bullets, headings and attributions, with
offsets into the text as it is."""

from __future__ import annotations

from service.sources.passages import Form, lowered_copy, matching_copy, passages


def _cut(text: str) -> list[tuple[str, str]]:
    return [(p.form.value, text[p.start : p.end]) for p in passages(text)]


def test_a_sentence_may_run_over_a_line_break() -> None:
    text = "The council said it would\nrepair 300 potholes by March. Dr. Smith agreed."
    assert _cut(text) == [
        ("sentence", "The council said it would\nrepair 300 potholes by March."),
        ("sentence", "Dr. Smith agreed."),
    ]


def test_a_heading_line_is_not_run_into_the_next_sentence() -> None:
    text = "Council pledges new money for roads\nThe council has pledged £450,000. It said so."
    assert _cut(text) == [
        ("heading", "Council pledges new money for roads"),
        ("sentence", "The council has pledged £450,000."),
        ("sentence", "It said so."),
    ]


def test_bullets_are_passages_of_their_own_whatever_they_hold() -> None:
    text = "The plan includes:\n- first thing. Second sentence.\n  still the first bullet\n• next\n"
    assert _cut(text) == [
        ("sentence", "The plan includes:"),
        ("bullet", "first thing. Second sentence.\n  still the first bullet"),
        ("bullet", "next"),
    ]


def test_attribution_lines_and_quoted_statements() -> None:
    text = 'Cllr Bright said: "We know. We will fix the roads."\n\n\u2013 Cllr Ann Bright\n'
    assert _cut(text) == [
        ("sentence", 'Cllr Bright said: "We know.'),
        ("sentence", "We will fix the roads."),
        ("attribution", "\u2013 Cllr Ann Bright"),
    ]


def test_a_dash_before_words_in_lower_case_marks_a_list_item_not_a_name() -> None:
    text = (
        "If elected, I will:\n\u2013 reopen the front counters in Thornbury;\n"
        '\u2013 keep any rise below 2% a year.\n\n"She listens."\n\u2013 Priya, shift worker\n'
    )
    assert _cut(text) == [
        ("sentence", "If elected, I will:"),
        ("bullet", "reopen the front counters in Thornbury;"),
        ("bullet", "keep any rise below 2% a year."),
        ("sentence", '"She listens."'),
        ("attribution", "\u2013 Priya, shift worker"),
    ]


def test_title_abbreviations_do_not_end_sentences() -> None:
    assert len(passages("Cllr. Jones said the council would act. It did.")) == 2


def test_copies_for_matching_keep_every_offset() -> None:
    text = "It\u2019s \u201cvital\u201d \u2013 \u0130stanbul\u00a0\u0130zmir"
    assert len(matching_copy(text)) == len(text) == len(lowered_copy(text))
    assert lowered_copy(text).startswith('it\'s "vital" - ')
    assert [p.form for p in passages(text)] == [Form.HEADING]


def test_each_row_of_a_table_is_a_passage_of_its_own() -> None:
    text = (
        "ACTIONS ARISING\n"
        "No. | Action | Owner | Due\n"
        "C26/14 | Report on damp figures by estate | Director of Housing | 8 July 2026\n"
        "C26/15 | Write to the contractor about service credits | Head of Legal | 30 June 2026\n"
    )
    cut = _cut(text)
    assert cut[0] == ("heading", "ACTIONS ARISING")
    assert [piece for _, piece in cut[1:]] == text.splitlines()[1:]
