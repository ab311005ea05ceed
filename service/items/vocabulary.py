"""The tracker's vocabulary: kinds of item, their statuses, labels and phases.

This table is the one place where the lifecycles live. The API serves it, the forms build their
selects from it and the database checks statuses against it, so a new kind or status is an edit
here plus a migration that updates the check constraint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal

from pydantic import WithJsonSchema

PHASES: Final = ("open", "active", "resolved")
PHASE_LABELS: Final = {"open": "Open", "active": "Active", "resolved": "Resolved"}


Phase = Literal["open", "active", "resolved"]

# What a status says about the result, read from the standpoint of the body's record: a kept
# promise or an enacted proposal is positive, a broken one or an upheld allegation negative, a
# partial delivery mixed; a withdrawal, or an allegation not upheld (no finding, which is not a
# vindication), neutral; anything unresolved pending. Badges and meters are coloured by it,
# always beside the status's own words.
OUTCOMES: Final = ("positive", "mixed", "negative", "neutral", "pending")
Outcome = Literal["positive", "mixed", "negative", "neutral", "pending"]


@dataclass(frozen=True, slots=True)
class Status:
    code: str
    label: str
    phase: Phase
    outcome: Outcome = "pending"


@dataclass(frozen=True, slots=True)
class MeterPart:
    """One segment of a kind's outcome meter: a resolved status, or every unresolved one."""

    key: str
    label: str
    outcome: Outcome
    statuses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Kind:
    code: str
    label: str
    plural: str
    statuses: tuple[Status, ...]
    # What its unresolved items are called in the outcome meter.
    pending_label: str = "Pending"

    @property
    def initial_status(self) -> str:
        return self.statuses[0].code

    def status(self, code: str) -> Status | None:
        return next((status for status in self.statuses if status.code == code), None)

    @property
    def meter(self) -> tuple[MeterPart, ...]:
        """Kept, partly, broken, withdrawn, pending (or upheld, not upheld, ..., open): each
        resolved status on its own, then every status still waiting for an outcome together."""
        resolved = [
            MeterPart(s.code, s.label, s.outcome, (s.code,))
            for s in self.statuses
            if s.phase == "resolved"
        ]
        waiting = tuple(s.code for s in self.statuses if s.phase != "resolved")
        return (*resolved, MeterPart("pending", self.pending_label, "pending", waiting))


KINDS: Final = (
    Kind(
        "commitment",
        "Commitment",
        "Commitments",
        (
            Status("pledged", "Pledged", "open"),
            Status("in_progress", "In progress", "active"),
            Status("stalled", "Stalled", "active"),
            Status("delivered", "Delivered", "resolved", "positive"),
            Status("partially_delivered", "Partially delivered", "resolved", "mixed"),
            Status("broken", "Broken", "resolved", "negative"),
            Status("withdrawn", "Withdrawn", "resolved", "neutral"),
        ),
    ),
    Kind(
        "allegation",
        "Allegation",
        "Allegations",
        (
            Status("reported", "Reported", "open"),
            Status("under_investigation", "Under investigation", "active"),
            Status("upheld", "Upheld", "resolved", "negative"),
            Status("not_upheld", "Not upheld", "resolved", "neutral"),
            Status("withdrawn", "Withdrawn", "resolved", "neutral"),
        ),
        "Open",
    ),
    Kind(
        "proposal",
        "Proposal",
        "Proposals",
        (
            Status("proposed", "Proposed", "open"),
            Status("consultation", "In consultation", "active"),
            Status("enacted", "Enacted", "resolved", "positive"),
            Status("rejected", "Rejected", "resolved", "negative"),
            Status("withdrawn", "Withdrawn", "resolved", "neutral"),
        ),
        "Open",
    ),
)

KIND_BY_CODE: Final = {kind.code: kind for kind in KINDS}
KIND_CODES: Final = tuple(KIND_BY_CODE)
# Every status code of any kind (a code such as `withdrawn` is shared by several kinds).
STATUS_CODES: Final = tuple(dict.fromkeys(s.code for kind in KINDS for s in kind.statuses))
# Codes that several kinds share (withdrawn): a filter offers them once, for any kind.
SHARED_STATUS_CODES: Final = frozenset(
    code for code in STATUS_CODES if sum(kind.status(code) is not None for kind in KINDS) > 1
)
RESOLVED_STATUSES: Final = frozenset(
    s.code for kind in KINDS for s in kind.statuses if s.phase == "resolved"
)
# (kind, status) pairs, as the database check constraint lists them.
KIND_STATUS_PAIRS: Final = tuple((kind.code, s.code) for kind in KINDS for s in kind.statuses)


def label_of(kind: str, status: str | None) -> str | None:
    """The status's label, or None for no status; an unknown code is shown as it is."""
    if status is None:
        return None
    found = KIND_BY_CODE[kind].status(status) if kind in KIND_BY_CODE else None
    return found.label if found else status


def label_anywhere(status: str) -> str:
    """The label of a status code whatever its kind (codes shared by kinds share a label)."""
    return next((s.label for k in KINDS for s in k.statuses if s.code == status), status)


def outcome_of(kind: str, status: str) -> Outcome:
    """The status's outcome; an unknown kind or status is pending."""
    found = KIND_BY_CODE[kind].status(status) if kind in KIND_BY_CODE else None
    return found.outcome if found else "pending"


def statuses_with_outcome(outcomes: Sequence[str]) -> list[tuple[str, str]]:
    """The (kind, status) pairs whose outcome is one of `outcomes`."""
    return [(k.code, s.code) for k in KINDS for s in k.statuses if s.outcome in outcomes]


def meter_counts(kind: str, by_status: dict[str, int]) -> list[tuple[MeterPart, int]]:
    """A kind's outcome meter filled in from counts by status."""
    return [
        (part, sum(by_status.get(code, 0) for code in part.statuses))
        for part in KIND_BY_CODE[kind].meter
    ]


def progress_target(kind: str, quantity_value: float | None) -> float | None:
    """What progress counts towards: only a commitment makes progress, and only on a positive
    quantity (62 staff); an allegation's 10 officers or a proposal's 5 years are counts."""
    if kind == "commitment" and quantity_value is not None and quantity_value > 0:
        return quantity_value
    return None


def status_of(kind: str, status: str) -> Status:
    found = KIND_BY_CODE[kind].status(status)
    if found is None:
        raise KeyError(f"{status!r} is not a status of {kind!r}")
    return found


def kind_status_check_sql() -> str:
    """SQL for the check constraint that keeps each item's status within its kind."""
    return " OR ".join(f"(kind = '{k}' AND status = '{s}')" for k, s in KIND_STATUS_PAIRS)


OUTCOME_LABELS: Final = {
    "positive": "Kept or enacted",
    "mixed": "Partly kept",
    "negative": "Broken, upheld or rejected",
    "neutral": "Withdrawn or not upheld",
    "pending": "No outcome yet",
}

# The kinds and the statuses as the API documents them: one named enum each (`Kind`, `Status`),
# which the OpenAPI document keeps once as a component and refers to everywhere.
NAMED_ENUM = "x-named-enum"
KIND_SCHEMA: Final[dict[str, Any]] = {
    "type": "string",
    "enum": list(KIND_CODES),
    "description": "The kind of item.",
    NAMED_ENUM: "Kind",
}
STATUS_SCHEMA: Final[dict[str, Any]] = {
    "type": "string",
    "enum": list(STATUS_CODES),
    "description": "A status; each kind allows its own (`GET /api/v1/vocabulary`).",
    NAMED_ENUM: "Status",
}
KindCode = Annotated[Literal["commitment", "allegation", "proposal"], WithJsonSchema(KIND_SCHEMA)]
StatusCode = Annotated[
    Literal[STATUS_CODES],  # type: ignore[valid-type]
    WithJsonSchema(STATUS_SCHEMA),
]
# Inputs whose kind or status the service checks itself (the status within its kind), with
# its own message: documented as the same enums.
KindName = Annotated[str, WithJsonSchema(KIND_SCHEMA)]
StatusName = Annotated[str, WithJsonSchema(STATUS_SCHEMA)]
