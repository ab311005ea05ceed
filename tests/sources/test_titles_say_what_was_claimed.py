"""The title a suggestion prefills: what was claimed, without the said-clause, the quote marks or
a minute's "RESOLVED: That", its pronoun given its speaker, cut at a pause to about 80
characters, never in the middle of a word."""

from __future__ import annotations

import pytest

from service.sources.titles import TITLE_LENGTH, TITLE_SLACK, sentence_before, title_from


@pytest.mark.parametrize(
    ("passage", "title"),
    [
        (  # a speaker named before the claim, with a comma in the name
            "The council's leader, Councillor Priya Nair, said the authority will recruit 12"
            " library assistants before the building reopens next spring.",
            "The authority will recruit 12 library assistants before the building reopens next"
            " spring",
        ),
        (  # a speaker after a quoted claim: the pronoun becomes the speaker
            "\u201cWe will publish the full review by June,\u201d the council said.",
            "The council will publish the full review by June",
        ),
        (  # "says he will": he is the PCC
            "The PCC says he will fund 62 extra posts from the reserves this year.",
            "The PCC will fund 62 extra posts from the reserves this year",
        ),
        (  # long: cut at its last comma within reach
            "Marsham District Council has pledged \u00a32.4m to reopen the Ashby Road library in"
            " Lowfield, which closed after storm damage in January.",
            "Marsham District Council has pledged \u00a32.4m to reopen the Ashby Road library in"
            " Lowfield",
        ),
        (  # an allegation keeps who alleged it
            "Opposition councillors alleged that the council failed to insure the building"
            " properly, leaving taxpayers to pick up the bill.",
            "Opposition councillors alleged that the council failed to insure the building"
            " properly",
        ),
        (  # minutes
            "RESOLVED: That the Council will review the parking charges in the town centre"
            " by 31 March 2027.",
            "The Council will review the parking charges in the town centre by 31 March 2027",
        ),
        (  # no comma within reach: before a clause that only goes on
            "For South Yorkshire Police I have committed 62 additional staff to work in the"
            " unit that deals with child sexual exploitation.",
            "For South Yorkshire Police I have committed 62 additional staff",
        ),
        (  # short: whole, less its full stop
            "The council will publish the full repair schedule on its website next month.",
            "The council will publish the full repair schedule on its website next month",
        ),
        (  # a said-clause with too little on either side stays as it is
            "He said so.",
            "He said so",
        ),
    ],
)
def test_a_title_says_what_was_claimed(passage: str, title: str) -> None:
    assert title_from(passage) == title


def test_a_title_without_a_pause_is_cut_between_words() -> None:
    words = " ".join(["reinstatement"] * 20)
    title = title_from(words)
    assert len(title) <= TITLE_LENGTH
    assert words.startswith(title.lower()) and words[len(title)] == " "


@pytest.mark.parametrize("passage", ["", "   ", "\u201c\u201d", "."])
def test_a_title_of_nothing_is_empty(passage: str) -> None:
    assert title_from(passage) == ""


def test_a_title_is_never_much_longer_than_80_characters() -> None:
    passage = "The board agreed " + ", ".join(f"item {n} of the plan" for n in range(40)) + "."
    assert len(title_from(passage)) <= TITLE_LENGTH + TITLE_SLACK


@pytest.mark.parametrize(
    ("text", "clause", "title"),
    [
        (  # a clause that goes on from the claim before it takes that claim's subject
            "Flooding. Council leader Cllr Moira Penhale said the council would pay £500 to every"
            " flooded household within 14 days and would waive council tax for up to three months.",
            "and would waive council tax for up to three months.",
            "The council would waive council tax for up to three months",
        ),
        (
            "The Department will recruit 60 officers by September, and will pay a retention"
            " allowance of £3,000 a year.",
            "and will pay a retention allowance of £3,000 a year.",
            "The Department will pay a retention allowance of £3,000 a year",
        ),
        (  # a clause with a subject of its own keeps it
            "The spreadsheet suggests that 41 children missed a week of school, and that six of"
            " them were still at home a month later.",
            "and that six of them were still at home a month later.",
            "Six of them were still at home a month later",
        ),
    ],
)
def test_the_second_claim_of_a_sentence_is_titled_with_the_subject_it_shares(
    text: str, clause: str, title: str
) -> None:
    at = text.index(clause)
    assert title_from(clause, sentence_before(text, at)) == title
    assert sentence_before(text, at).startswith(("Council leader", "The "))
