"""The units a quantity is counted in: nouns for people, durations and things, each known in the
plural the unit is written in and in the singular ("one officer" is 1 officers), and what each
measures."""

from __future__ import annotations

from enum import IntEnum


class Measure(IntEnum):
    """What a quantity measures. When a sentence holds several, the lowest one is its quantity:
    the money pledged says more than the years it is spread over."""

    MONEY = 0
    PEOPLE = 1
    THINGS = 2
    SHARE = 3
    DURATION = 4


# Nouns that name people, in the plural the unit is written in; the singular maps to it.
PEOPLE = {
    "officers": "officer", "staff": "staff", "detectives": "detective", "constables": "constable",
    "pcsos": "pcso", "nurses": "nurse", "doctors": "doctor", "midwives": "midwife",
    "surgeons": "surgeon", "consultants": "consultant", "gps": "gp", "paramedics": "paramedic",
    "carers": "carer", "teachers": "teacher", "councillors": "councillor",
    "officials": "official", "inspectors": "inspector", "investigators": "investigator",
    "wardens": "warden", "workers": "worker", "employees": "employee", "engineers": "engineer",
    "firefighters": "firefighter", "volunteers": "volunteer", "apprentices": "apprentice",
    "recruits": "recruit", "specialists": "specialist", "therapists": "therapist",
    "people": "person", "residents": "resident", "patients": "patient", "pupils": "pupil",
    "students": "student", "children": "child", "families": "family", "victims": "victim",
    "survivors": "survivor", "members": "member", "men": "man", "women": "woman",
    "tenants": "tenant", "households": "household", "personnel": "personnel",
    "managers": "manager", "caseworkers": "caseworker", "assistants": "assistant",
    "drivers": "driver", "loaders": "loader", "cleaners": "cleaner", "porters": "porter",
    "surveyors": "surveyor", "planners": "planner", "advisers": "adviser",
    "advisors": "advisor", "coordinators": "coordinator", "librarians": "librarian",
    "caretakers": "caretaker", "pharmacists": "pharmacist", "dentists": "dentist",
    "receptionists": "receptionist", "administrators": "administrator", "mentors": "mentor",
    "counsellors": "counsellor", "psychologists": "psychologist", "rangers": "ranger",
    "lifeguards": "lifeguard", "guards": "guard", "stewards": "steward", "marshals": "marshal",
}  # fmt: skip
DURATIONS = {
    "years": "year", "months": "month", "weeks": "week", "days": "day", "hours": "hour",
    "minutes": "minute", "seconds": "second", "decades": "decade", "nights": "night",
}  # fmt: skip
# Things counted often enough in claims to be known in the singular too ("one new school").
THINGS = {
    "posts": "post", "jobs": "job", "roles": "role", "places": "place", "beds": "bed",
    "homes": "home", "houses": "house", "schools": "school", "potholes": "pothole",
    "roads": "road", "repairs": "repair", "cameras": "camera", "vehicles": "vehicle",
    "cases": "case", "complaints": "complaint", "allegations": "allegation",
    "reports": "report", "recommendations": "recommendation", "libraries": "library",
    "centres": "centre", "clinics": "clinic", "wards": "ward", "operations": "operation",
    "appointments": "appointment", "miles": "mile", "sites": "site", "buses": "bus",
    "metres": "metre", "kilometres": "kilometre",
    # the same in the singular and the plural
    "fish": "fish", "sheep": "sheep", "deer": "deer", "aircraft": "aircraft",
}  # fmt: skip
SINGULAR_TO_PLURAL = {
    singular: plural for table in (PEOPLE, DURATIONS, THINGS) for plural, singular in table.items()
}


# Terms of two or three words, kept whole as the unit ("five care staff", "30 home care
# packages"); other modifiers are not part of it ("10 new youth workers" counts workers).
COMPOUNDS = frozenset(
    (
        "care staff", "care assistants", "care workers", "support workers", "social workers",
        "call handlers", "entry points", "family carers", "grit bins", "care packages",
        "home care packages",
    )
)  # fmt: skip


def compound_unit(before: list[str], unit: str) -> str:
    """The unit with the words before it when they make one term: "care" and "staff", "home
    care" and "packages"."""
    for count in (2, 1):
        joined = " ".join([*before[-count:], unit]).lower()
        if len(before) >= count and joined in COMPOUNDS:
            return joined
    return unit


def plural_unit(word: str) -> tuple[str, Measure] | None:
    """The unit for a counted noun as written, in the plural, and what it measures."""
    lower = word.lower().replace("\u2019", "'")
    plural = lower if lower in SINGULAR_TO_PLURAL.values() else SINGULAR_TO_PLURAL.get(lower)
    if plural is None:
        return None
    if plural in PEOPLE:
        unit = "GPs" if plural == "gps" else "PCSOs" if plural == "pcsos" else plural
        return unit, Measure.PEOPLE
    if plural in DURATIONS:
        return plural, Measure.DURATION
    return plural, Measure.THINGS
