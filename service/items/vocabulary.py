"""The tracker's vocabulary: kinds of item, their statuses, labels and phases.

This table is the one place where the lifecycles live. The API serves it, the forms build their
selects from it and the database checks statuses against it, so a new kind or status is an edit
here plus a migration that updates the check constraint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

PHASES: Final = ("open", "active", "resolved")
PHASE_LABELS: Final = {"open": "Open", "active": "Active", "resolved": "Resolved"}


Phase = Literal["open", "active", "resolved"]


@dataclass(frozen=True, slots=True)
class Status:
    code: str
    label: str
    phase: Phase


@dataclass(frozen=True, slots=True)
class Kind:
    code: str
    label: str
    plural: str
    statuses: tuple[Status, ...]

    @property
    def initial_status(self) -> str:
        return self.statuses[0].code

    def status(self, code: str) -> Status | None:
        return next((status for status in self.statuses if status.code == code), None)


KINDS: Final = (
    Kind(
        "commitment",
        "Commitment",
        "Commitments",
        (
            Status("pledged", "Pledged", "open"),
            Status("in_progress", "In progress", "active"),
            Status("stalled", "Stalled", "active"),
            Status("delivered", "Delivered", "resolved"),
            Status("partially_delivered", "Partially delivered", "resolved"),
            Status("broken", "Broken", "resolved"),
            Status("withdrawn", "Withdrawn", "resolved"),
        ),
    ),
    Kind(
        "allegation",
        "Allegation",
        "Allegations",
        (
            Status("reported", "Reported", "open"),
            Status("under_investigation", "Under investigation", "active"),
            Status("upheld", "Upheld", "resolved"),
            Status("not_upheld", "Not upheld", "resolved"),
            Status("withdrawn", "Withdrawn", "resolved"),
        ),
    ),
    Kind(
        "proposal",
        "Proposal",
        "Proposals",
        (
            Status("proposed", "Proposed", "open"),
            Status("consultation", "In consultation", "active"),
            Status("enacted", "Enacted", "resolved"),
            Status("rejected", "Rejected", "resolved"),
            Status("withdrawn", "Withdrawn", "resolved"),
        ),
    ),
)

KIND_BY_CODE: Final = {kind.code: kind for kind in KINDS}
KIND_CODES: Final = tuple(KIND_BY_CODE)
# Every status code of any kind (a code such as `withdrawn` is shared by several kinds).
STATUS_CODES: Final = tuple(dict.fromkeys(s.code for kind in KINDS for s in kind.statuses))
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


KindCode = Literal["commitment", "allegation", "proposal"]
StatusCode = Literal[STATUS_CODES]  # type: ignore[valid-type]
