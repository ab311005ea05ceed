"""What the demo data is written from: its actors, places, and the sentences its sources are made
of (claims, filler, notes), with blanks that `texts.fill` chooses."""

from __future__ import annotations

# Every slug of the demo data starts with it, and the demo editor is named with it.
PREFIX = "demo-"
DEMO_USER = "demo-editor"

ACTORS = (
    ("demo-northdale-police", "Northdale Police", "police_force"),
    ("demo-eastbrook-constabulary", "Eastbrook Constabulary", "police_force"),
    ("demo-eastbrook-council", "Eastbrook Borough Council", "council"),
    ("demo-kingsmere-council", "Kingsmere City Council", "council"),
    ("demo-northern-pcc", "Jane Alder, Police and Crime Commissioner for the North", "person"),
    ("demo-home-department", "Home Department", "government"),
    ("demo-families-department", "Department for Education and Families", "government"),
    ("demo-police-conduct-office", "Office for Police Conduct", "regulator"),
    ("demo-care-inspectorate", "Schools and Care Inspectorate", "regulator"),
    ("demo-childrens-commissioner", "Amira Okafor, Children\u2019s Commissioner", "person"),
    ("demo-councils-forum", "Forum of Local Councils", "other"),
    ("demo-northdale-health-trust", "Northdale Health Trust", "other"),
)
# Who makes each kind of claim (indexes into ACTORS), and who investigates allegations.
MAKERS = {
    "commitment": (0, 1, 2, 3, 4, 5, 6, 11),
    "allegation": (0, 1, 2, 3, 11),
    "proposal": (4, 5, 6, 9, 10, 8),
}
INVESTIGATORS = (7, 8)
AREAS = ("Northdale", "Eastbrook", "Kingsmere", "Hollowford", "Ashcombe", "Greywater")
WORDS = {
    "role": ("social workers", "detectives", "youth workers", "family support officers"),
    "unit": ("the child protection unit", "the exploitation taskforce", "the safeguarding hub"),
    "programme": ("victim support services", "specialist counselling", "school outreach work"),
    "facility": ("family centres", "youth hubs", "safe houses", "drop-in clinics"),
    "document": ("a full action plan", "the serious case review", "an audit of past referrals"),
    "skill": ("spotting signs of exploitation", "trauma-informed interviewing", "online safety"),
    "issue": ("taxi licensing", "missing children", "care homes", "online grooming"),
    "wrong": ("wilfully neglect children", "cover up abuse", "ignore repeated warnings"),
    "topic": ("complaints handling", "the missing persons policy", "children\u2019s services"),
    "duty": ("report suspected abuse", "share records with the police", "publish inspections"),
    "month": ("January", "March", "April", "June", "September", "December"),
}
# (kind, sentence, title, quantity unit or None); {n} is the quantity where there is one.
CLAIMS = (
    ("commitment", "{actor} has committed {n} additional {role} to {unit} by {month} {year}.",
     "{n} additional {role} for {unit}", "staff"),
    ("commitment", "{actor} pledged £{m}m for {programme} over the next {k} years.",
     "£{m}m for {programme}", "GBP"),
    ("commitment", "{actor} promised to open {n} new {facility} across {area} by {year}.",
     "{n} new {facility} in {area}", "centres"),
    ("commitment", "{actor} said it would publish {document} within {k} months.",
     "Publish {document} within {k} months", None),
    ("commitment", "{actor} committed to training {n} frontline officers in {skill}.",
     "Train {n} officers in {skill}", "officers"),
    ("allegation", "{actor} is accused of failing to act on {n} referrals about {issue}.",
     "Failure to act on {n} referrals about {issue}", "referrals"),
    ("allegation", "Campaigners allege that {actor} ignored warnings about {issue} for {k} years.",
     "Warnings about {issue} ignored for {k} years", None),
    ("allegation", "{investigator} is investigating {n} officers of {actor} over {issue}.",
     "{n} officers investigated over {issue}", "officers"),
    ("allegation", "A former employee claims that {actor} destroyed records about {issue}.",
     "Records about {issue} destroyed", None),
    ("proposal", "{actor} proposed up to {n} years in prison for officials who {wrong}.",
     "Up to {n} years in prison for officials who {wrong}", "years"),
    ("proposal", "{actor} called for an independent review of {topic} in {area}.",
     "Independent review of {topic} in {area}", None),
    ("proposal", "{actor} wants a new legal duty on councils to {duty}.",
     "Legal duty on councils to {duty}", None),
    ("proposal", "{actor} suggested a limit of {n} cases for each social worker in {area}.",
     "Limit of {n} cases per social worker in {area}", "cases"),
)  # fmt: skip
# Curly quotes, dashes and accents as in real pages, so that offsets count characters, not bytes.
FILLERS = (
    "The meeting at {area}\u2019s civic centre was attended by about {n} residents.",
    "One parent said: \u201cWe have heard promises like this before.\u201d",
    "Councillors from all parties spoke during the debate, which ran past {hh}:{mm}.",
    "A café owner near the station said the area felt safer than a year ago.",
    "Questions were taken from the floor; several were about funding for {programme}.",
    "The full report runs to {n} pages and is expected to be published online.",
    "Reporters were told that further statements would follow later in the week.",
    "Updated {hh}:{mm} \u2014 the session resumed after a short break.",
)
NOTES = (
    "Confirmed in the minutes of the {area} scrutiny committee.",
    "A spokesperson for {actor} confirmed this in a statement on {month} {day}.",
    "Reported by the local paper after a freedom of information request.",
    "Correction: the earlier status was recorded from a draft document.",
    "Announced at the public meeting; the written decision is still to come.",
    "The annual report for {year} gives the figures.",
    "Inspectors\u2019 follow-up visit in {month} found the work under way in {area}.",
)
DESCRIPTIONS = (
    "Made during the live coverage of the meeting in {area}; no start date was given.",
    "The text does not say how the work will be paid for.",
    "Repeated later in the day in a statement from {actor}.",
    None,
    None,
)
