"""Reading the quantity a claim names: money, counts of people and things, shares and
durations, in digits or in words."""

from __future__ import annotations

import pytest

from service.sources.quantities import find_quantities, main_quantity

EXAMPLES = [
    ("The government has pledged £1.2m to tackle it.", 1_200_000, "GBP"),
    ("It will spend £450,000 on roads.", 450_000, "GBP"),
    ("a £5m fund", 5_000_000, "GBP"),
    ("I have committed 62 additional staff to the unit.", 62, "staff"),
    ("six officers were disciplined", 6, "officers"),
    ("from 30 to 45 detectives", 45, "detectives"),
    ("could go to prison for up to five years", 5, "years"),
    ("a ban of at least ten years", 10, "years"),
    ("Fourteen officers are under investigation.", 14, "officers"),
    ("it would investigate 10 officers", 10, "officers"),
    ("Sixty, additional South Yorkshire Police officers will be on duty", 60, "officers"),
    ("it would investigate 10 South Yorkshire police officers over", 10, "officers"),
    ("This allegation relates to one officer.", 1, "officers"),
    ("increase the number of detectives from 30 to 45 by April", 45, "detectives"),
    ("a £2.5bn programme", 2_500_000_000, "GBP"),
    ("1.5 million pounds", 1_500_000, "GBP"),
    ("raising council tax by 4.99 per cent", 4.99, "percent"),
    ("a 24-bed surgical ward", 24, "beds"),
    ("a six-week consultation", 6, "weeks"),
    ("within 28 days", 28, "days"),
    ("twenty-one officers", 21, "officers"),
    ("one hundred and twenty nurses", 120, "nurses"),
    ("replacing 300 broken drain covers", 300, "covers"),
    ("wants ministers to fund at least 150 more officers", 150, "officers"),
]


@pytest.mark.parametrize(("text", "value", "unit"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_examples(text: str, value: float, unit: str) -> None:
    quantity = main_quantity(text)
    assert quantity is not None
    assert (quantity.value, quantity.unit) == (value, unit)


@pytest.mark.parametrize(
    "text",
    [
        "a 14-year-old girl",
        "a 21 year old man",
        "between 9 March 2003 and 3 April 2003",
        "Between April 1, 2014 and December 31, 2014",
        "between 1.45pm and 2.45pm",
        "on the 11th of January",
        "one of the most important things",
        "They arrested four, aged between 15 and 35 for breach of the peace.",
        "someone said so",
    ],
)
def test_dates_ages_times_and_pronouns_are_not_quantities(text: str) -> None:
    assert find_quantities(text) == []


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        (
            "Raped on four occasions, 100% consensual. This allegation relates to one officer.",
            "officers",
        ),
        ("£5m for 20 staff over three years", "GBP"),
        ("20 staff over three years, 10% of the budget", "staff"),
    ],
)
def test_money_comes_first_then_people_then_things_shares_and_durations(
    text: str, unit: str
) -> None:
    quantity = main_quantity(text)
    assert quantity is not None and quantity.unit == unit


def test_offsets_cover_what_was_read() -> None:
    text = "It has pledged £1.2m and 62 additional staff."
    spans = [text[m.start : m.end] for m in find_quantities(text)]
    assert spans == ["£1.2m", "62 additional staff"]
