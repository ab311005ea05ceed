"""Reading the deadline a claim's sentence states, as the day it ends, counted from the source's
date where it needs one."""

from __future__ import annotations

import datetime as dt

import pytest

from service.sources.deadlines import Deadline, action_table_row, find, polling_day, table_due

WRITTEN_ON = dt.date(2026, 3, 5)  # a Thursday

EXAMPLES = [
    ("The work will be finished by 31 March 2027.", dt.date(2027, 3, 31), "by 31 March 2027"),
    ("It will report by 1 September 2026.", dt.date(2026, 9, 1), "by 1 September 2026"),
    ("The road will reopen by October.", dt.date(2026, 10, 31), "by October"),
    ("It will reply before the end of April.", dt.date(2026, 4, 30), "before the end of April"),
    ("It will publish a plan by end of June.", dt.date(2026, 6, 30), "by end of June"),
    ("It will build 300 homes by 2030.", dt.date(2030, 12, 31), "by 2030"),
    ("The hall will reopen by the end of 2027.", dt.date(2027, 12, 31), "by the end of 2027"),
    ("The fund will be spent by 2027-28.", dt.date(2028, 3, 31), "by 2027-28"),
    ("It will decide before the end of the year.", dt.date(2026, 12, 31), None),
    ("It will decide by the end of this year.", dt.date(2026, 12, 31), None),
    ("It will decide by the end of next year.", dt.date(2027, 12, 31), None),
    ("Repairs will be done by the end of the month.", dt.date(2026, 3, 31), None),
    ("Repairs will be done by the end of next month.", dt.date(2026, 4, 30), None),
    ("It will balance the books by the end of the financial year.", dt.date(2026, 3, 31), None),
    ("The plan will be ready by March next year.", dt.date(2027, 3, 31), None),
    ("The plan will be ready by next March.", dt.date(2027, 3, 31), None),
    ("It will pay within one month.", dt.date(2026, 4, 5), "within one month"),
    ("Within three months, it will review every case.", dt.date(2026, 6, 5), None),
    ("It will act in the next 12 months.", dt.date(2027, 3, 5), None),
    ("It will act within the next six months.", dt.date(2026, 9, 5), None),
    ("It will pay within twenty-eight days.", dt.date(2026, 4, 2), None),
    ("It will answer within 10 working days.", dt.date(2026, 3, 19), None),
    ("It will answer within a fortnight.", dt.date(2026, 3, 19), None),
    ("The hall will reopen in six weeks' time.", dt.date(2026, 4, 16), None),
    ("It must respond within 56 days of the date of this report.", dt.date(2026, 4, 30), None),
    ("It must pay within 14 days of the judgment.", dt.date(2026, 3, 19), "within 14 days"),
    ("It will reply by Friday.", dt.date(2026, 3, 6), "by Friday"),
    ("It will publish by Friday 20 March.", dt.date(2026, 3, 20), "by Friday 20 March"),
    ("The scanner will be installed by mid-December.", dt.date(2026, 12, 15), None),
    (
        "1. The registered person must appoint a manager. Due date: 31 October 2026",
        dt.date(2026, 10, 31),
        "Due date: 31 October 2026",
    ),
    ("Deadline: 30 June 2026", dt.date(2026, 6, 30), None),
    ("Power will be back by midday on Monday.", dt.date(2026, 3, 9), "by midday on Monday"),
    ("The wall will be repaired before next winter.", dt.date(2026, 11, 30), None),
    ("Roads will be gritted ahead of the winter.", dt.date(2026, 11, 30), None),
    ("The pool will reopen by the summer.", dt.date(2026, 8, 31), None),
    ("The new hospital will open in the summer of 2028.", dt.date(2028, 8, 31), None),
    ("It intends to consult this spring.", dt.date(2026, 5, 31), "this spring"),
    ("The pool will reopen by the end of the summer.", dt.date(2026, 8, 31), None),
    ("The pool will reopen by spring 2027.", dt.date(2027, 5, 31), None),
    ("The pool will reopen before spring 2027.", dt.date(2027, 2, 28), None),
    ("The pool will reopen by the end of spring 2027.", dt.date(2027, 5, 31), None),
    ("The new service will start on 1 April 2027.", dt.date(2027, 4, 1), "on 1 April 2027"),
    ("Every family will be rehoused by Christmas.", dt.date(2026, 12, 25), None),
    ("Roads are to be gritted by 6pm.", dt.date(2026, 3, 5), "by 6pm"),
    ("The cap stays until at least the end of June.", dt.date(2026, 6, 30), None),
    ("It will reply by tomorrow.", dt.date(2026, 3, 6), None),
    # when something is to be done, in a sentence about what is to come
    ("It will close the school in August 2027.", dt.date(2027, 8, 31), "in August 2027"),
    ("It will put a plan to councillors in July.", dt.date(2026, 7, 31), "in July"),
    ("He will recruit 60 officers next year.", dt.date(2027, 12, 31), None),
    ("The strategy will be published later this year.", dt.date(2026, 12, 31), None),
    ("Work is now set to begin in 2027.", dt.date(2027, 12, 31), "in 2027"),
    ("It will repair 12,000 potholes in the next financial year.", dt.date(2027, 3, 31), None),
    (
        "It should publish figures from the start of the next financial year.",
        dt.date(2026, 4, 1),
        None,
    ),
    ("She would meet the families in the new year.", dt.date(2027, 1, 31), None),
    ("He undertook to bring a plan to the Cabinet's October meeting.", dt.date(2026, 10, 31), None),
    ("It will fund 20 extra care packages from Monday.", dt.date(2026, 3, 9), "from Monday"),
    ("I will run the routes myself from next spring.", dt.date(2027, 3, 1), None),
    (
        "It must send an action plan within 28 days of the publication of this report.",
        dt.date(2026, 4, 2),
        None,
    ),
    (
        "Within one month of my final decision, the council will apologise.",
        dt.date(2026, 4, 5),
        None,
    ),
    # what is to start on a day falls due that day (or on the first of the month)
    ("Four routes will be withdrawn from 6 April.", dt.date(2026, 4, 6), "from 6 April"),
    ("Council tax will rise by 4.99% from April.", dt.date(2026, 4, 1), "from April"),
    ("(b) two stations move to day-crewing from 1 April 2027", dt.date(2027, 4, 1), None),
    ("It will publish figures every month, beginning in July.", dt.date(2026, 7, 31), None),
    # spans and days counted from the source's date (5 March 2026, a Thursday)
    ("It would deliver water within the next 24 hours.", dt.date(2026, 3, 6), None),
    ("It will invest £18m over the next three years.", dt.date(2029, 3, 5), None),
    ("The board will respond within the next week.", dt.date(2026, 3, 12), None),
    ("The hours will be reviewed after 12 months.", dt.date(2027, 3, 5), "after 12 months"),
    ("It will review the arrangement on Friday.", dt.date(2026, 3, 6), "on Friday"),
    ("I will place a copy in the Library this week.", dt.date(2026, 3, 6), "this week"),
    ("Payments will be made before the end of next week.", dt.date(2026, 3, 13), None),
    ("Officers would be on duty tonight.", dt.date(2026, 3, 5), "tonight"),
    ("Checks will start with immediate effect.", dt.date(2026, 3, 5), None),
    ("It said it would meet the landlord next month.", dt.date(2026, 4, 30), "next month"),
    ("They have agreed to hold the first exercise next March.", dt.date(2027, 3, 31), None),
    ("It will make £12m available this financial year.", dt.date(2026, 3, 31), None),
    ("It should review its budget before the next financial year.", dt.date(2026, 3, 31), None),
    ("Supplies will be restored by 22:00.", dt.date(2026, 3, 5), "by 22:00"),
    ("A plan would be sent within eight weeks of publication.", dt.date(2026, 4, 30), None),
    ("A decision is due to be confirmed by the cabinet on Monday.", dt.date(2026, 3, 9), None),
]


@pytest.mark.parametrize(("sentence", "due_on", "words"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_examples(sentence: str, due_on: dt.date, words: str | None) -> None:
    deadline = find(sentence, written_on=WRITTEN_ON)
    assert deadline is not None
    assert deadline.due_on == due_on
    if words is not None:
        assert deadline.words == words


@pytest.mark.parametrize(
    "sentence",
    [
        "It should publish an evaluation within 18 months of its start.",
        "It will bring 150 empty homes back into use in its first two years.",
        "She was told in February.",
        "It closed in March 2025.",
        "It opened on 1 April 2025.",
        "An internal audit report from May, which the council did not publish.",
        "It was rated inadequate in 2025.",
        "Permits will go up from £45 to £52.",
        "The stations moved to day-crewing from 1 April 2025.",
        "It will meet last winter's demand.",
        "The grant is worth £46m this year.",
        "They will meet before the summer recess.",
        "It failed to spend the fund before the winter.",
        "It will set the budget for 2027-28.",
        "It said it would act.",
        "It has pledged to reopen the pool, which closed after a flood in January.",
        "The trust will hire nurses, after the ward shut in October.",
        "Every patient will see a GP within 48 hours.",
        "The plan was announced today by the minister.",
        "In a judgment handed down on Tuesday, the judge found for the council.",
        "Four of them started this month.",
        "It will not add to the precept, which rose by £14 in April.",
    ],
)
def test_no_deadline_is_read_where_none_is_stated(sentence: str) -> None:
    assert find(sentence, written_on=WRITTEN_ON) is None


@pytest.mark.parametrize(
    "sentence",
    ["It will pay within 28 days.", "It will act by the end of the year.", "by Friday"],
)
def test_what_counts_from_the_source_date_needs_one(sentence: str) -> None:
    assert find(sentence, written_on=None) is None


def test_a_promise_dates_what_it_states_in_its_own_clause() -> None:
    """A promise or a proposal speaks of what is to come: "Open a new station in spring 2027."
    dates it, though the clause has no "will"; a date in a clause of its own, or a day of the
    week, still needs one ("handed down on Tuesday")."""
    bullet = "Open a new ambulance station, funded by a £4.8m grant, in spring 2027."
    assert find(bullet, written_on=WRITTEN_ON) is None
    promised = find(bullet, written_on=WRITTEN_ON, to_come=True)
    assert promised == Deadline(dt.date(2027, 5, 31), "in spring 2027")
    for sentence in (
        "It will not add to the precept, which rose by £14 in April.",
        "In a judgment handed down on Tuesday, the judge found for the families.",
        "Publish figures, as it did in January 2025.",
    ):
        assert find(sentence, written_on=WRITTEN_ON, to_come=True) is None, sentence


def test_a_term_counted_from_taking_office_or_polling_day_needs_the_day_named() -> None:
    elected = dt.date(2026, 5, 7)
    office = "We will clear the backlog within 12 months of taking office."
    assert find(office, written_on=WRITTEN_ON) is None
    assert find(office, written_on=WRITTEN_ON, term_from=elected) == Deadline(
        dt.date(2027, 5, 7), "within 12 months of taking office"
    )
    poll = "We call on the board to publish its plan before polling day."
    assert find(poll, written_on=WRITTEN_ON) is None
    assert find(poll, written_on=WRITTEN_ON, term_from=elected) == Deadline(
        elected, "before polling day"
    )


def test_a_date_with_its_year_needs_no_source_date() -> None:
    deadline = find("by 31 March 2027", written_on=None)
    assert deadline is not None and deadline.due_on == dt.date(2027, 3, 31)


def test_a_first_terms_deadlines_count_from_the_polling_day_the_text_names() -> None:
    text = "Polling day: Thursday 4 May 2028\n\nIN MY FIRST 100 DAYS I WILL:\n• cap fares"
    elected = polling_day(text, dt.date(2028, 4, 12))
    assert elected == dt.date(2028, 5, 4)
    first = find("IN MY FIRST 100 DAYS I WILL:", written_on=WRITTEN_ON, term_from=elected)
    assert first == Deadline(dt.date(2028, 8, 12), "IN MY FIRST 100 DAYS")
    year = find("by the end of my first year in office", written_on=WRITTEN_ON, term_from=elected)
    assert year is not None and year.due_on == dt.date(2029, 5, 4)
    # Without an election day to count from, a first term states no date.
    assert find("within our first 100 days", written_on=WRITTEN_ON) is None
    assert polling_day("We will build 300 homes.", WRITTEN_ON) is None
    assert polling_day("the elections on Thursday 7 May", WRITTEN_ON) == dt.date(2026, 5, 7)


def test_a_tables_target_date_is_its_rows_deadline() -> None:
    text = (
        "Action | Lead | Target date\n"
        "Ban on personal messaging groups | Chief Fire Officer | 1 November 2026\n"
        "Training for all 640 staff | Director of People | June\n\n"
        "Pledge | Cost a year\n"
        "Front counters | £0.7m\n"
    )

    def row(words: str) -> tuple[int, int]:
        return text.index(words), text.index(words) + len(words)

    ban = table_due(text, *row("Ban on personal"), written_on=WRITTEN_ON)
    assert ban == Deadline(dt.date(2026, 11, 1), "1 November 2026")
    # A date without its year counts from the source's date, and is not guessed without it.
    assert table_due(text, *row("Training"), written_on=WRITTEN_ON) == Deadline(
        dt.date(2026, 6, 30), "June"
    )
    assert table_due(text, *row("Training"), written_on=None) is None
    assert table_due(text, *row("Action | Lead"), written_on=WRITTEN_ON) is None  # headings
    assert table_due(text, *row("Front counters"), written_on=WRITTEN_ON) is None
    assert action_table_row(text, *row("Ban on personal"))
    assert not action_table_row(text, *row("Front counters"))  # a table of costs, not actions
    pledges = "Pledge | Scale | Deadline\nRecruit damp surveyors | 12 posts | 1 April 2027\n"
    at = pledges.index("Recruit")
    assert action_table_row(pledges, at, at + 10)
    assert table_due(pledges, at, at + 10, written_on=None) == Deadline(
        dt.date(2027, 4, 1), "1 April 2027"
    )
