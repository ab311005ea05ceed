"""Reading the quantity a claim names: money, counts of people and things, shares and
durations, in digits or in words."""

from __future__ import annotations

import pytest

from service.sources.candidates import _quantity as quantity_of
from service.sources.candidates import find_candidates, prepare
from service.sources.quantities import (
    Quantity,
    elided_counts,
    find_quantities,
    main_mention,
    main_quantity,
)

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
    ("will hold a 12-week public consultation", 12, "weeks"),
    ("The party will build 1.5 million homes in five years.", 1_500_000, "homes"),
    ("The county will plant 20 thousand trees.", 20_000, "trees"),
    ("twenty-one officers", 21, "officers"),
    ("one hundred and twenty nurses", 120, "nurses"),
    ("replacing 300 broken drain covers", 300, "covers"),
    ("wants ministers to fund at least 150 more officers", 150, "officers"),
    # a change: where it ends
    ("will raise the grant from £2m to £3m", 3_000_000, "GBP"),
    ("cut the number of managers earning over £80,000 from 12 to 8", 8, "managers"),
    ("to cut the share of late trains from 40% to 25%", 25, "percent"),
    # a part of a whole
    ("had repaired only 15 of the town's 90 bridges", 15, "bridges"),
    ("will inspect all 23 of its care homes", 23, "homes"),
    # the last noun of a compound, and job titles of two words
    ("will fund 30 parks wardens", 30, "wardens"),
    ("will hire eight more care workers", 8, "care workers"),
    ("will train 12 call handlers", 12, "call handlers"),
    ("will fund 10 new youth workers", 10, "workers"),
    # a count of one
    ("will hire an additional planning officer", 1, "officers"),
    ("wants an extra nurse on every ward", 1, "nurses"),
    ("will open one new school", 1, "schools"),
    # a single person or thing a finding is about is not its count: what it says of them is
    ("One man had been held in segregation for 97 days without the reviews", 97, "days"),
    ("given only two weeks' notice", 2, "weeks"),
    # what a claim does comes before what it costs, a sum before a cap for each
    ("will hire 30 wardens at a cost of £1.2m a year", 30, "wardens"),
    ("will recruit two additional surveyors, at a cost of up to £96,000 a year", 2, "surveyors"),
    ("to buy up to 30 homes within a capital budget of £7.5 million", 30, "homes"),
    ("will replace all 640 monitors by 2027, as part of a £48 million programme", 640, "monitors"),
    ("will close three of its eleven custody suites, saving £4.1 million a year", 3, "suites"),
    # a part counted from a whole
    ("In a sample of 500 completed jobs, 38% were closed without a visit", 38, "percent"),
    ("Of the 3,120 schools surveyed, 214 schools have defects", 214, "schools"),
    ("It will recruit 40 officers, the chief constable said.", 40, "officers"),
    ("will replace the bridge at a cost of £1.2m", 1_200_000, "GBP"),
    ("Landlords can borrow up to £25,000 from the £8m scheme", 8_000_000, "GBP"),
    ("the council will be spending over £2m on roads", 2_000_000, "GBP"),
    # a time span that is promised, beside one that is a deadline
    ("will cut waits to two weeks within six months", 2, "weeks"),
    ("locked in their cells for 22 hours a day", 22, "hours"),
    # a dozen, pence and kilometres written on to the number, a count of more, a noun with a
    # hyphen
    ("at least a dozen other flats have similar problems", 12, "flats"),
    ("half a dozen officers will join the team", 6, "officers"),
    ("raising town-centre parking charges by 20p an hour from June", 0.2, "GBP"),
    ("150km of protected cycle lanes, linking every town centre", 150, "kilometres"),
    ("were routinely given caseloads of 30 or more children", 30, "children"),
    ("and that three call-backs were missed altogether", 3, "call-backs"),
    # a cut by a third or by half, a length joined to its number, a change in what is counted
    ("Cut the running costs of the office by a third, ending all spending on PR.", 33.3, "percent"),
    ("no dividends until spills have been cut by at least half", 50, "percent"),
    ("a 200-metre rock revetment below Cliff Road would be in place by March", 200, "metres"),
    ("Neighbourhood officer numbers have fallen by 114 since he took office", 114, "officers"),
    ("The number of neighbourhood officers has fallen by 58 since 2024.", 58, "officers"),
    # every one of several places a claim covers, when it names nothing else
    ("would commission an independent review of staffing at all nine homes", 9, "homes"),
    ("install flow monitors at all 61 works by 31 March 2027", 61, "works"),
    ("will pay £2m a year for a review of staffing at all nine homes", 2_000_000, "GBP"),
    # a count of more, second to any other figure
    (
        "38% of its social workers, and children have had three or more social workers",
        38,
        "percent",
    ),
    # shares written as ratios and fractions
    ("found that one in four calls went unanswered", 25, "percent"),
    ("had missed 3 out of 10 appointments", 30, "percent"),
    ("has cut the grant by a quarter", 25, "percent"),
    ("I will halve the mayor's office budget", 50, "percent"),
    # hours and minutes, one span
    ("waited an average of 7 hours 40 minutes for a bed", 460, "minutes"),
    ("lay on the floor for six hours and 40 minutes", 400, "minutes"),
    ("will cut the list by a fifth within two years, with no wait over 52 weeks", 52, "weeks"),
    # the days or nights something happened on are a count
    ("ran short of staff on 40 nights, across the three homes", 40, "nights"),
    # modifiers joined by "and"
    ("will fill 40 vacant education and training places", 40, "places"),
    ("will fund 30 extra home care packages", 30, "home care packages"),
    # a number that labels something is not a count
    ("served 40 section 21 notices", 40, "notices"),
    ("will hire 20 band 5 nurses", 20, "nurses"),
    ("1.5 million homes will be insulated", 1_500_000, "homes"),
    # a half is part of the number
    ("were unlocked for just two and a half hours a day", 2.5, "hours"),
    ("will spend one and a half million pounds", 1_500_000, "GBP"),
    # words with accents, and nouns that are the same in the plural
    ("The three crisis cafés will open by the end of the year.", 3, "cafés"),
    ("killed an estimated 3,000 fish in the river", 3000, "fish"),
    # the stretch a count was found along is second to it
    ("killed an estimated 3,000 fish along a four-mile stretch of the river", 3000, "fish"),
    ("the spill left a 6km stretch of the river with almost no oxygen", 6, "kilometres"),
    # a family that a complaint is about is whom it concerns, not what it counts
    ("left her and her three children in bed and breakfast for 19 weeks", 19, "weeks"),
    # a target that says where a count is to be brought
    ("reduce the number of open cases to fewer than 20 by the end of the year", 20, "cases"),
    # where a change ends, not where it starts; not what it is measured against
    ("the estimated cost has risen from £18.5m when it was approved to £31.2m", 31_200_000, "GBP"),
    (
        "just 118,000 homes had been completed, at an average cost of £11,400 per home against a"
        " planned £6,300",
        118_000,
        "homes",
    ),
    # what a body or person described in passing does is background
    (
        "Castlebridge Council, which owns the centre and pays the trust £2.3m a year, said it would"
        " audit all four of the trust's pools",
        4,
        "pools",
    ),
    ("waited 14 months for damp to be treated despite three repair requests", 14, "months"),
    # "all 34 of them": the things the sentence named before
    ("said its monitors had failed and it would replace all 34 of them", 34, "monitors"),
    # a share written in words is a share, second to any figure written out beside it
    ("Victims were offered a say in only a third of cases.", 33.3, "percent"),
    ("I will give half of my councillor's allowance to the community fund", 50, "percent"),
    ("no household receives less than three quarters of the pre-risk value", 75, "percent"),
    ("The use of force had risen by two-thirds since 2022", 66.7, "percent"),
    ("the council cut its budget by a third since 2023, from £1.2m to £800,000", 800_000, "GBP"),
    # a share in brackets gives the one in words exactly
    ("found that almost one in five patients (19%) waited more than 12 hours", 19, "percent"),
    # "74 of them" is a part of what was counted before
    (
        "with 291 assaults recorded in the previous 12 months, 74 of them against staff",
        291,
        "assaults",
    ),
    # a plural that starts a clause describing the noun before it
    ("In nine of the 31 cases inspectors sampled, enquiries were started late", 9, "cases"),
    # "three of the seven councils" counts councils
    ("three of the seven councils that applied had withdrawn their bids", 3, "councils"),
    # a share with its noun inside it, or out of a thousand
    ("roughly one call in twelve had been abandoned before it was answered", 8.3, "percent"),
    (
        "If it misses more than one in every 1,000 collections in a month, it will pay",
        0.1,
        "percent",
    ),
    ("two officers in 12 months", 2, "officers"),
    # half an hour
    ("calls were being cut off after half an hour to keep the figures down", 30, "minutes"),
    # a figure in a clause describing a body in passing, with a comma in a figure of its own
    (
        "The council expects its recycling rate, which stood at 38% last year against an average of"
        " 44%, to reach half of all household waste by 2030.",
        50,
        "percent",
    ),
    # what a proposal would cost, said in passing
    (
        "urged the board to fund 60 step-down beds, which he said would cost about £4m a year",
        60,
        "beds",
    ),
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
        "as Standing Order 22.4 requires",
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
        # what funds a claim, and a cap beside a count, are second to what is done
        ("will recruit ten inspectors, funded by a £700,000 increase", "inspectors"),
        ("will put 60 officers on patrol, paid for from the £4.3m precept", "officers"),
        ("will hire 12 wardens under the £3 parking charge cap", "wardens"),
        ("will keep the £3 parking charge cap", "GBP"),
        ("20 staff over three years, 10% of the budget", "staff"),
    ],
)
def test_money_comes_first_then_people_then_things_shares_and_durations(
    text: str, unit: str
) -> None:
    quantity = main_quantity(text)
    assert quantity is not None and quantity.unit == unit


@pytest.mark.parametrize(
    "text",
    [
        "will report within 28 days",
        "will see every patient within 48 hours",
        "calls were not answered within ten seconds",
        "will decide within the next six months",
        "failed to decide within the three months the rules allow",
        "will act in the next 12 months",
        "will bring forward a bill within our first 100 days",
        "will spend the grant over the next three years",
        "open seven days a week",
        "inspected once every three years",
        "asked again two months later",
        # when, not how long: "four days after", "eight days late", "three years on,"
        "she was found four days after the fall",
        "the discharge letter was sent eight days late",
        "Three years on, the unit is still closed",
        # a length of time as an adjective describes its noun
        "a six-week limit on stays in bed and breakfast",
        "three-year funding settlements for councils",
        "a 24-hour helpline for tenants",
        "will answer within 2 hours 30 minutes",
        "arrived 3 hours, 20 minutes later",
        "a town of more than 5,000 people",
        "a waiting list of over 300 families",
        "staff paid over £60,000",
        "every item of spending over £500",
        "a petition of 2,000 signatures",
        "a clinic three miles away",
        "will write to every household within 50 metres of the cliff edge",
        "in the flat she rents with her two children",
        "Ferrowdale Council, which subsidises three evening services run by the company, said",
        "A technician, who worked for Brantwick for nine years and asked not to be named, says",
        "has not issued a single fine, despite receiving more than 2,600 complaints",
        "an independent audit of all repair jobs closed in the last two years",
        "councils in the 20 districts will be told",
        "the 999 calls were not answered",
        "the service on the 101 line",
        "will hold a meeting in the 20 wards",
        "will look at the other two sites",
        "to stay under the £10,000 threshold",
        "1.4 Information and facilities: Inadequate",
        "Larkmoor Water, which supplies 1.4 million customers, under-reported spills",
        "missed the one fact residents needed",
        "and in one case the notes were lost",
        "Five former nurses told us the ward was unsafe",
        "answered category 2 calls late",
        "the year 7 pupils",
        "more covid-19 patients",
        "Two officers, who asked not to be named, said the unit was closed",
        "there was only one officer on each landing at night",
        "We saw one person given food of the wrong texture at lunch",
        # a telephone line by its number, however the words after it run
        "will publish monthly 101 answer times",
        "a breakdown of 101 abandoned calls by time of day",
        "publish 999 and 101 answering times for every district",
        "average 101 waits have risen",
        "she called 999 twice",
        # the people a report heard from, however they are introduced
        "Two consultants at the trust, who asked not to be named, said they were not told",
        "based on interviews with 23 current and former staff",
        "A paramedic with 15 years' service said crews were told to leave",
        # an age or a wait that picks out the cases a claim is about
        "will clear every complaint older than six months by June",
        "to review every call waiting longer than 30 minutes",
        "chase every repair that is more than 28 days overdue",
        "how many families they keep in B&B for longer than six weeks",
        # a size that picks out each of many things a claim covers
        "will require affordable housing on every development of ten homes or more",
        "on any development of ten or more homes",
        # neither pence nor kilometres: a time of day
        "the meeting closed at 1.45pm",
        # half past six is a time
        "the hub will be open by half past six",
        # the councils a claim is made with or asked of are who acts
        "asked the five borough councils to consider giving buses priority",
        # a telephone service's response times
        "We will publish 999 and 101 response times for every neighbourhood, every month.",
        # routes named by their numbers
        "We will ask the combined authority to restore the Sunday service on the 14 and 22 routes.",
    ],
)
def test_deadlines_thresholds_and_places_are_not_the_claims_quantity(text: str) -> None:
    assert main_quantity(text) is None


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        (
            "Of the 3,120 schools surveyed so far, 214 have planks at risk of failure.",
            214,
            "schools",
        ),
        ("An audit of 400 closed jobs had found 63 where no visit could be evidenced.", 63, "jobs"),
        (
            "In a sample of 120 incidents, officers attended 37 later than the target.",
            37,
            "incidents",
        ),
        ("no referral waits longer than 24 hours", 24, "hours"),  # a standard, not a selection
        ("The average 101 wait will fall below five minutes.", 5, "minutes"),
        ("We will recruit 40 officers, and 20 will be in post by May.", 40, "officers"),
    ],
)
def test_a_count_whose_noun_is_left_out_is_of_the_noun_named_before_it(
    text: str, value: float, unit: str
) -> None:
    quantity = main_quantity(text)
    assert quantity is not None and (quantity.value, quantity.unit) == (value, unit)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        (
            "An audit found 412 complaints open.\n\nOnly 41 had been replaced by June.",
            41,
            "complaints",
        ),
        (
            "The prison had 38 recommendations.\n\nIt failed to achieve 14 of them.",
            14,
            "recommendations",
        ),
        ("It promised 200 homes.\n\nIt has completed 38.", 38, "homes"),
        (
            "We found 412 complaints unrecorded. Of those, 97 had not been assigned at all.",
            97,
            "complaints",
        ),
        (
            "It has bought 80 homes.\n\nIt plans to buy a further 120 over the next two years,"
            " funded by a £31 million loan.",
            120,
            "homes",
        ),
        (
            "The council has set aside £3.2m.\n\nThe money would pay for 25 agency social workers.",
            25,
            "social workers",
        ),
    ],
)
def test_a_count_whose_noun_was_named_in_the_sentences_before_takes_that_noun(
    text: str, value: float, unit: str
) -> None:
    last = find_candidates(text, min_score=0.0)[-1]
    assert last.quantity is not None and (last.quantity.value, last.quantity.unit) == (value, unit)


def test_a_year_or_a_count_of_one_is_never_a_count_whose_noun_is_left_out() -> None:
    assert elided_counts("Of these, 2024 was the worst year. One had been closed.") == []


def test_a_sum_that_picks_out_what_a_claim_covers_is_read_only_when_nothing_else_is() -> None:
    alone = main_quantity("We will publish every contract over £25,000 online.")
    assert alone is not None and (alone.value, alone.unit) == (25_000, "GBP")
    beside = main_quantity("We will hire two auditors to check every contract over £25,000.")
    assert beside is not None and (beside.value, beside.unit) == (2, "auditors")


def test_a_rise_given_as_a_share_comes_before_what_it_adds_to_a_band_d_bill() -> None:
    rise = main_quantity(
        "raise council tax by 4.99% from 1 April, taking a Band D bill to £1,893.40"
    )
    assert rise is not None and (rise.value, rise.unit) == (4.99, "percent")
    alone = main_quantity("to raise the fire precept by £5 a year for a Band D household")
    assert alone is not None and (alone.value, alone.unit) == (5, "GBP")


def test_a_share_as_a_threshold_is_still_read_when_it_is_claimed() -> None:
    quantity = main_quantity("will freeze council tax rises at no more than 2%")
    assert quantity is not None and (quantity.value, quantity.unit) == (2, "percent")


def test_offsets_cover_what_was_read() -> None:
    text = "It has pledged £1.2m and 62 additional staff."
    spans = [text[m.start : m.end] for m in find_quantities(text)]
    assert spans == ["£1.2m", "62 additional staff"]


def _quantities(text: str) -> list[tuple[float, str] | None]:
    return [
        (c.quantity.value, c.quantity.unit) if c.quantity else None for c in find_candidates(text)
    ]


@pytest.mark.parametrize(
    ("text", "carried"),
    [
        (
            "The trust has pledged to recruit 30 extra midwives.\n\n"
            "It said it would fund these posts from its reserves.",
            (30, "midwives"),
        ),
        (
            "The council has pledged to build 40 homes by 2030.\n\n"
            "It said these homes would be funded by borrowing.",
            (40, "homes"),
        ),
        (
            "The council has pledged £2m for the scheme.\n\n"
            "It will spend the money over two years.",
            (2_000_000, "GBP"),
        ),
        (
            "The council has pledged to create 120 posts.\n\n"
            "It said it would consult the unions on every one of these posts.",
            (120, "posts"),
        ),
        (
            "The trust has pledged to recruit 85 nurses.\n\n"
            "It said the posts would be funded for the first two years.",
            (85, "nurses"),
        ),
    ],
)
def test_a_claim_that_refers_back_takes_the_quantity_of_a_paragraph_before(
    text: str, carried: tuple[float, str]
) -> None:
    assert _quantities(text)[-1] == carried


def test_a_reference_to_money_is_not_read_as_the_counts_beside_it() -> None:
    text = "The town has 500 empty shops, so we will put this money to work at once."
    assert _quantities(text) == [None]


def test_in_a_passage_of_sentences_those_before_the_cue_are_background() -> None:
    text = (
        "1. The fund is worth £10m this year. Its rules reward the wrong councils. The"
        " department has failed to change them.\n\n2. The department should publish the rules."
    )
    assert _quantities(text)[0] is None


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        # a finding: how long a failing went on is not what it is about
        (
            "Inspectors found that the council had failed to reply to her for more than two years.",
            None,
        ),
        (
            "The ombudsman found that the landlord left the family without heating for almost"
            " 18 months.",
            None,
        ),
        # a measured total is
        (
            "The regulator found that the company had illegally discharged sewage for more"
            " than 19,000 hours.",
            (19_000, "hours"),
        ),
        # a promise's or a proposal's bound is
        (
            "The council says it will keep the holding lanes in place for at least 48 hours.",
            (48, "hours"),
        ),
        (
            "Officials could go to prison for up to five years under plans being considered.",
            (5, "years"),
        ),
    ],
)
def test_a_findings_bound_on_a_span_of_time_is_not_its_quantity(
    text: str, quantity: tuple[float, str] | None
) -> None:
    assert _quantities(text) == [quantity]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        (
            "Install a knife surrender bin in each of the force's nine policing districts by 31"
            " August 2026.",
            9,
            "knife surrender bins",
        ),
        ("Hold a public meeting in every one of Lowmoor's eight districts.", 8, "public meetings"),
        ("We will open a new library in each of the three towns.", 3, "new libraries"),
        # more than one for each: the count as written
        ("We will put two advisers in each of the four districts.", 2, "advisers"),
    ],
)
def test_one_of_something_for_each_of_many_is_that_many_of_it(
    text: str, value: float, unit: str
) -> None:
    quantity = main_quantity(text)
    assert quantity is not None and (quantity.value, quantity.unit) == (value, unit)


def test_in_a_finding_how_many_times_it_happened_comes_before_whom_it_concerned() -> None:
    text = "On 11 nights in August a single nurse was responsible for all 41 residents."
    as_read = main_mention(text)
    assert as_read is not None and as_read.quantity == Quantity(41, "residents")
    found = main_mention(text, occasions_first=True)
    assert found is not None and found.quantity == Quantity(11, "nights")
    fined = main_mention(
        "The company was fined £3.2m after it let sewage into the river on 47 days.",
        occasions_first=True,
    )
    assert fined is not None and fined.quantity == Quantity(3_200_000, "GBP")  # a sum still first


def test_a_title_and_an_initial_do_not_end_the_sentence_a_quantity_is_read_from() -> None:
    """A suggestion of the second reading has no cue to read from: its quantity comes from its
    first sentence, which "Ms J. Hollins" does not end."""
    text = (
        "Ms J. Hollins, of Stanbury, said she had waited 47 minutes for a 101 call to be"
        " answered in April, and that no officer had ever called back."
    )
    ready = prepare(text)
    assert quantity_of(text, ready.found, 0, None, "allegation") == Quantity(47, "minutes")


def test_in_a_finding_nights_counted_at_least_are_a_count_not_a_bound_on_a_span() -> None:
    text = (
        "Rotas suggest that on at least 38 nights last year a single care worker was left in"
        " charge of up to 22 residents."
    )
    found = main_mention(text, bounds=False, occasions_first=True)
    assert found is not None and found.quantity == Quantity(38, "nights")
