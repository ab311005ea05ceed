"""Suggested claims, scored against labelled texts: the 35 seed items in the two seed sources,
and the claims and distractors of the fictional texts under labelled/.

The thresholds are the team's: recall at least 0.95, the kind right for at least 0.9 of what is
found, every labelled quantity read, at most 2 candidates holding any one claim; on the own
texts, no distractor suggested. The figures are in docs/INTAKE.md.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest

from service.sources.candidates import Candidate, KnownActor, find_candidates
from service.sources.cues import CUES, DAMPERS, Cue, Damper
from service.sources.passages import lowered_copy

from .scoring import Figures, LabelledText, own_texts, seed_texts, total

SEEDS = seed_texts()
OWN = own_texts()
ALL = SEEDS + OWN


def _assert_thresholds(figures: Figures) -> None:
    report = "\n".join(figures.problems)
    assert figures.recall >= 0.95, report
    assert figures.kind_accuracy >= 0.9, report
    assert figures.quantities_right == figures.quantities, report
    assert figures.max_per_claim <= 2, report


def test_seed_items_are_suggested_with_their_kind_and_quantity() -> None:
    figures = total("seeds", SEEDS)
    assert figures.claims == 35
    _assert_thresholds(figures)


def test_own_texts_meet_the_same_thresholds_and_leave_distractors_out() -> None:
    figures = total("own texts", OWN)
    assert len(OWN) >= 3 and figures.claims >= 40 and figures.distractors >= 30
    _assert_thresholds(figures)
    assert figures.distractors_suggested == 0, "\n".join(figures.problems)


@pytest.mark.parametrize("labelled", OWN, ids=lambda t: t.name)
def test_each_own_text_is_of_regional_news_length(labelled: LabelledText) -> None:
    assert 400 <= len(labelled.text.split()) <= 900
    assert labelled.text.startswith("Fictional text")


@pytest.mark.parametrize("labelled", ALL, ids=lambda t: t.name)
def test_quotes_are_exact_spans_in_reading_order(labelled: LabelledText) -> None:
    candidates = find_candidates(labelled.text, actors=labelled.actors)
    for candidate in candidates:
        assert candidate.quote == labelled.text[candidate.quote_start : candidate.quote_end]
        assert candidate.quote == candidate.quote.strip()
        assert candidate.kind in ("commitment", "allegation", "proposal")
        assert 0.5 <= candidate.score <= 1
        assert candidate.actor is None or candidate.actor_name is None
    starts = [c.quote_start for c in candidates]
    assert starts == sorted(starts)
    assert all(a.quote_end <= b.quote_start for a, b in pairwise(candidates))
    assert len({c.id for c in candidates}) == len(candidates)


def test_the_same_text_gives_the_same_candidates() -> None:
    text = SEEDS[1].text
    assert find_candidates(text, actors=SEEDS[1].actors) == find_candidates(
        text, actors=SEEDS[1].actors
    )
    first = find_candidates(text)[0]
    assert first.id == f"{first.quote_start}-{first.quote_end}"


def test_offsets_are_code_points_past_wide_characters() -> None:
    text = "Café 🍰 news.\n\nThe council has pledged £1.2m to fix the roads, it said 👍."
    [candidate] = find_candidates(text)
    assert candidate.quote == text[candidate.quote_start : candidate.quote_end]
    assert candidate.quote.startswith("The council has pledged £1.2m")
    assert candidate.quantity is not None and candidate.quantity.value == 1_200_000


@pytest.mark.parametrize("cue", CUES, ids=lambda c: c.name)
def test_every_cue_matches_its_own_example(cue: Cue) -> None:
    assert cue.find(lowered_copy(cue.example)) is not None


@pytest.mark.parametrize("damper", DAMPERS, ids=lambda d: d.name)
def test_every_damper_matches_its_own_example(damper: Damper) -> None:
    assert damper.find(lowered_copy(damper.example)) is not None


def test_the_record_of_a_debate_agreeing_its_motion_is_not_a_claim() -> None:
    text = (
        "The Minister said the Department will publish the review by 31 March 2027.\n\n"
        "Question put and agreed to.\n\nWRITTEN ANSWERS"
    )
    assert [c.quote for c in find_candidates(text)] == [
        "The Minister said the Department will publish the review by 31 March 2027."
    ]


def _one(text: str, actors: tuple[KnownActor, ...] = ()) -> Candidate:
    [candidate] = find_candidates(text, actors=actors)
    return candidate


COUNCIL = KnownActor("kelby-council", "Kelby Borough Council", ("the council",))


def test_a_known_actor_is_matched_by_alias_and_a_new_name_is_only_suggested() -> None:
    known = _one("The council has pledged £450,000 to repair potholes.", (COUNCIL,))
    assert (known.actor, known.actor_name) == ("kelby-council", None)
    new = _one("Ashmoor Town Council has pledged £450,000 to repair potholes.", (COUNCIL,))
    assert (new.actor, new.actor_name) == (None, "Ashmoor Town Council")


def test_the_accused_is_named_after_the_accusation() -> None:
    text = "Opposition councillors accused the council of ignoring complaints for two years."
    assert _one(text, (COUNCIL,)).actor == "kelby-council"


def test_a_quoted_statement_belongs_to_whoever_it_is_attributed_to() -> None:
    text = (
        "Roads pledge\n\nWe will resurface every road on the Westfield estate.\n\n"
        "\u2013 Kelby Borough Council\n"
    )
    assert _one(text, (COUNCIL,)).actor == "kelby-council"


def test_headings_reactions_caveats_and_weather_are_left_out() -> None:
    text = (
        "Council pledges £450,000 for roads\n\n"
        "The council has pledged £450,000 to repair potholes.\n\n"
        "I welcome the news and I hope it works.\n\n"
        "A spokesperson said the notice does not mean the council has done anything wrong.\n\n"
        "Heavy rain is forecast and the Met Office expects it to clear by the afternoon.\n"
    )
    [candidate] = find_candidates(text)
    assert candidate.quote == "The council has pledged £450,000 to repair potholes."


def test_what_the_law_asks_of_any_council_is_background_but_this_councils_duty_is_a_claim() -> None:
    text = (
        "The law says a council must decide an application for a grant within six months.\n\n"
        "4. Councils must arrange suitable education for children who cannot attend school.\n\n"
        "The council must pay Mrs X £500 within one month of this decision.\n"
    )
    [candidate] = find_candidates(text, actors=(COUNCIL,))
    assert candidate.quote == "The council must pay Mrs X £500 within one month of this decision."
    assert candidate.actor == "kelby-council"


def test_a_row_of_an_action_table_is_a_commitment_due_on_its_target_date() -> None:
    text = (
        "Actions\n\n"
        "Ref | Action | Lead | By\n"
        "A/26/31 | Letter to the contractor requiring a recovery plan | Chair | 22 September 2026\n"
        "A/26/32 | Options appraisal for the waste service | Portfolio Holder | 31 March 2027\n\n"
        "Pledge | Cost a year\n"
        "Neighbourhood officers and PCSOs | £6.1m\n"
        "Front counters | £0.7m\n"
    )
    found = find_candidates(text)
    assert [(c.quote[:7], c.kind, c.due_on, c.due_words) for c in found] == [
        ("A/26/31", "commitment", dt.date(2026, 9, 22), "22 September 2026"),
        ("A/26/32", "commitment", dt.date(2027, 3, 31), "31 March 2027"),
    ]


def test_the_same_claim_in_other_word_forms_is_one_suggestion() -> None:
    summary = "The Government pledges £1.2m to protect children from sexual exploitation."
    paragraph = "The government has pledged £1.2m to tackle child sexual exploitation in Yorkshire."
    text = f"{summary}\n\nA summit meets today.\n\n{paragraph}\n"
    [candidate] = find_candidates(text)
    assert candidate.quote == paragraph
    assert candidate.also == ((0, len(summary)),)


def test_the_same_claim_is_one_suggestion_when_only_one_spelling_names_its_quantity() -> None:
    paragraph = "The government has pledged £1.2m to tackle child sexual exploitation in Yorkshire."
    summary = "The government has pledged money to tackle child sexual exploitation."
    [candidate] = find_candidates(f"{summary}\n\nA summit meets today.\n\n{paragraph}\n")
    assert candidate.quote == paragraph and candidate.also == ((0, len(summary)),)
    assert candidate.quantity is not None and candidate.quantity.value == 1_200_000
    # two sums that differ are two claims
    summary = summary.replace("money", "£2m")
    found = find_candidates(f"{summary}\n\nA summit meets today.\n\n{paragraph}\n")
    assert [c.quantity.value for c in found if c.quantity] == [2_000_000, 1_200_000]


def test_bullets_are_candidates_of_their_own_read_through_their_lead_in() -> None:
    text = (
        "Allegations to be investigated by the watchdog:\n"
        "- Records of two 999 calls were lost. This relates to two officers.\n"
        "• A supervisor did not review the decision.\n"
    )
    candidates = find_candidates(text)
    assert [c.quote for c in candidates] == [
        "Records of two 999 calls were lost. This relates to two officers.",
        "A supervisor did not review the decision.",
    ]
    assert {c.kind for c in candidates} == {"allegation"}
    assert candidates[0].quantity is not None
    assert (candidates[0].quantity.value, candidates[0].quantity.unit) == (2, "officers")


def test_a_quantity_named_in_the_sentence_before_is_carried_over() -> None:
    text = (
        "The trust has promised 40 extra nurses. It would be helpful if ministers paid for"
        " these posts."
    )
    second = find_candidates(text)[1]
    assert second.kind == "proposal"
    assert second.quantity is not None and (second.quantity.value, second.quantity.unit) == (
        40,
        "nurses",
    )


def test_a_quantity_is_its_own_sentences_or_one_that_goes_on_about_it() -> None:
    text = (
        "• The committee found that oversight of the agency was weak. The agency did not share"
        " complaint data with the Department for 14 months.\n"
        "• The inquiry found that records were lost. The review took 9 weeks. This relates to"
        " two officers.\n"
    )
    weak, lost = find_candidates(text)
    assert weak.quote.endswith("for 14 months.") and weak.quantity is None
    assert lost.quantity is not None
    assert (lost.quantity.value, lost.quantity.unit) == (2, "officers")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Under the last mayor, bus punctuality across the region fell to 71%.", "allegation"),
        ("Under Mr Cawley, fares on Transdale Buses have risen by 38%.", "allegation"),
        (
            "The council's own figures show that only 61% of emergency repairs were done on time.",
            "allegation",
        ),
        ("The Alliance-run council closed Millbrook library in March 2025.", "allegation"),
        (
            "Since Commissioner Douglas Venn was elected, nine front counters have closed.",
            "allegation",
        ),
        ("Leaflet.\n\nIt closed five of the borough's eleven libraries.", "allegation"),
        ("He spent £2.3 million refurbishing his own offices at Moorgate House.", "allegation"),
        # what is spent or closed in the middle of a sentence is not the one in office's record
        ("Residents said it closed early on Sundays, which they regretted.", None),
        # a plan's lead-in and a body's history are not a record attacked
        ("Under the plan, the council has set out its priorities for the year.", None),
        ("The Independent-led administration has had its chance.", None),
    ],
)
def test_a_record_in_office_stated_as_fact_is_an_allegation(text: str, kind: str | None) -> None:
    record = [c for c in find_candidates(text) if c.cue == "record in office"]
    assert [c.kind for c in record] == ([kind] if kind else [])


@pytest.mark.parametrize(
    "text",
    [
        "The Calderbrook branch of the Midwives' Federation says the trust has lost 23 midwives.",
        "Councillor Chaudhry said the hospital had been warned for two years and done nothing"
        " about it.",
        '"The risk was known, it was written down, and nothing was done about it," he said.',
        "The Orbital Link road, the administration's flagship scheme, is two years behind"
        " schedule.",
        "The scheme has cost £1.9 billion so far, £400 million more than planned.",
        "Cllr Teale said the cabinet had wasted public money defending the indefensible.",
        "By the end of March only 112,000 homes had been upgraded.",
        "The force answered only 58% of 101 calls within ten minutes last year.",
        "The council has repeatedly broken the legal six-week limit for families.",
        "The council has cut its gully-clearing budget by 40% since 2023, he claims.",
        "A second former employee says faulty monitors were left unrepaired for months.",
    ],
)
def test_failings_in_other_words_are_allegations(text: str) -> None:
    assert [c.kind for c in find_candidates(text)] == ["allegation"]


@pytest.mark.parametrize(
    "text",
    [
        # a group's reaction, as it is mostly reported
        "The Greyhithe branch of the union said the review confirmed what staff had said.",
        # a budget is not "over budget"
        "The council will set its budget for next year in February.",
    ],
)
def test_reactions_and_plain_plans_are_not_allegations(text: str) -> None:
    assert "allegation" not in [c.kind for c in find_candidates(text)]


def test_a_list_item_opening_with_a_bare_verb_is_a_pledge_unless_its_lead_in_says_else() -> None:
    pledges = (
        "BY THE END OF MY FIRST TERM\n\n"
        "1) Create 5,000 new apprenticeships.\n2) Plant a million trees.\n"
    )
    assert [c.kind for c in find_candidates(pledges)] == ["commitment", "commitment"]
    asked = (
        "The panel recommends that the Commissioner:\n"
        "- publish 101 figures monthly;\n- appoint a deputy to lead the work.\n"
    )
    assert [c.kind for c in find_candidates(asked)] == ["proposal", "proposal"]


def _read(text: str) -> list[tuple[str, str, tuple[float, str] | None, dt.date | None]]:
    from service.sources.ranker import rank_candidates

    found = rank_candidates(text, written_on=dt.date(2026, 10, 1))
    assert all(c.quote == text[c.quote_start : c.quote_end] for c in found)
    return [
        (c.quote, c.kind, c.quantity and (c.quantity.value, c.quantity.unit), c.due_on)
        for c in found
    ]


def test_two_promises_of_one_sentence_each_with_its_date_and_figure_are_two_suggestions() -> None:
    text = (
        "He said the company would add three collection crews from 19 October 2026 and would"
        " clear all outstanding missed collections by 31 October 2026."
    )
    assert _read(text) == [
        (
            "He said the company would add three collection crews from 19 October 2026",
            "commitment", (3, "crews"), dt.date(2026, 10, 19),
        ),
        (
            "and would clear all outstanding missed collections by 31 October 2026.",
            "commitment", None, dt.date(2026, 10, 31),
        ),
    ]  # fmt: skip


def test_two_findings_of_one_sentence_with_different_figures_are_two_suggestions() -> None:
    text = (
        "The leaked spreadsheet suggests that 41 children missed at least a week of school in"
        " September, and that six of them were still at home a month later."
    )
    assert [(quote, kind, quantity) for quote, kind, quantity, _ in _read(text)] == [
        (
            "The leaked spreadsheet suggests that 41 children missed at least a week of school"
            " in September",
            "allegation", (41, "children"),
        ),
        ("and that six of them were still at home a month later.", "allegation", (6, "children")),
    ]  # fmt: skip


def test_two_orders_of_one_sentence_are_two_suggestions() -> None:
    text = (
        "The judge ordered the company to pay £75,000 in compensation to the angling association,"
        " and to fund a programme of fish restocking by 31 March 2026."
    )
    assert [(quote, quantity) for quote, _, quantity, _ in _read(text)] == [
        (
            "The judge ordered the company to pay £75,000 in compensation to the angling"
            " association",
            (75_000, "GBP"),
        ),
        ("and to fund a programme of fish restocking by 31 March 2026.", None),
    ]


def test_a_promise_is_not_counted_in_what_led_to_it() -> None:
    text = (
        "Cllr Ames said the council would clear the Pell Beck culvert by the end of October, after"
        " 23 homes in Pell Green flooded in January."
    )
    assert [(kind, quantity) for _, kind, quantity, _ in _read(text)] == [("commitment", None)]
    cited = (
        "The cabinet had agreed to run a public consultation until 31 October 2026 on closing the"
        " centre, citing an annual operating deficit of about £185,000."
    )
    assert [quantity for _, _, quantity, _ in _read(cited)] == [None]


@pytest.mark.parametrize(
    "text",
    [
        # the second part is what the first leads to: one date, no figure of its own
        "The trust said it had already begun an audit of every discharge from the unit in the"
        " past year and would publish the findings by the end of the year.",
        # two dates, but no figure to tell the parts apart
        "She said OHNR would double its enforcement team by the end of March 2027 and is set to"
        " publish its first enforcement decisions by the end of December.",
        # the second clause goes on about the first
        "We will also fund 1,200 additional river wardens, paid for by a levy on water company"
        " profits, and these wardens will have powers to enter treatment works without notice.",
    ],
)
def test_a_promise_and_its_detail_stay_one_suggestion(text: str) -> None:
    assert [quote for quote, *_ in _read(text)] == [text]


def test_the_sentences_of_a_paragraph_that_are_claims_of_their_own_are_suggested_apart() -> None:
    text = (
        "12. The council said it would recruit an additional grants caseworker by October. It"
        " said it would publish a guide for applicants explaining how they can use their own"
        " builder.\n"
    )
    assert _read(text) == [
        (
            "The council said it would recruit an additional grants caseworker by October.",
            "commitment", (1, "caseworkers"), dt.date(2026, 10, 31),
        ),
        (
            "It said it would publish a guide for applicants explaining how they can use their"
            " own builder.",
            "commitment", None, None,
        ),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        # an initial is not the end of a sentence
        (
            "• Cllr J. Okafor said the council would recruit 12 wardens by May. The wardens will"
            " patrol the town centre.\n",
            (12, "wardens"),
        ),
        # a sentence that goes on about the one before with a figure speaks of all of it
        (
            "• Allegation that evidence was lost in relation to a report that a victim had been"
            " raped on four occasions. This allegation relates to one officer.\n",
            (1, "officers"),
        ),
    ],
)
def test_a_passage_that_holds_one_claim_is_one_suggestion(
    text: str, quantity: tuple[float, str]
) -> None:
    ((quote, _, read, _),) = _read(text)
    assert quote == text.strip().removeprefix("• ") and read == quantity


def test_a_denial_answers_the_last_finding_of_a_passage_suggested_apart() -> None:
    from service.sources.ranker import rank_candidates

    text = (
        "• Inspectors found that only 46% of activity places were filled. Inspectors also found"
        " that 12 of the 20 classrooms were closed.\n\n"
        "The council denied that classrooms had been closed and said the inspection was flawed.\n"
    )
    filled, closed, denial = rank_candidates(text, written_on=dt.date(2026, 10, 1))
    assert (filled.kind, closed.kind, denial.kind) == ("allegation", "allegation", "reply")
    assert denial.answers == closed.id
