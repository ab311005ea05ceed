"""The report of a window of days: its inputs (what the history and the counts say, all of it
public) and the report itself, one model that the page, its JSON and Markdown twins and
`tracker report` all write out."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel
from pydantic import Field as PField

from service.events.models import EventPublic
from service.items.models import ItemPublic, Summary
from service.items.vocabulary import KindName, StatusName
from service.shapes import Day, JsonNumber, Timestamp

# The longest window a report covers, in days (a year, leap day included).
MAX_DAYS = 366
# The window when none is asked for: the last 7 days, today included.
DEFAULT_DAYS = 7


class ReportWindow(BaseModel):
    """From the start of `start` to the end of `end` (UTC days), both included."""

    start: Day
    end: Day

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def day_before(self) -> dt.date:
        return self.start - dt.timedelta(days=1)


class TargetHistory(BaseModel):
    """A commitment with a numeric target, and its history."""

    item: ItemPublic
    history: list[EventPublic]


class ReportInputs(BaseModel):
    """What a report is made of, as the public reads it: the window's events (from the change
    feed), the counts as of the day before the window and as of its last day, the items overdue
    today, and the commitments with a numeric target with their histories."""

    window: ReportWindow
    events: list[EventPublic]
    start: Summary
    end: Summary
    overdue: list[ItemPublic]
    targets: list[TargetHistory]


class ReportItem(BaseModel):
    slug: str
    title: str
    url: str = PField(description="The item's page (a path on the tracker).")


class ReportChange(BaseModel):
    """One event of the window, as the report lists it."""

    item: ReportItem
    type: str
    at: Timestamp
    occurred_on: Day | None
    from_status_label: str | None
    to_status_label: str | None
    note: str | None
    by: str | None = PField(description="For a reply: the actor who replied.")


class StatusChangeGroup(BaseModel):
    """The window's status changes to statuses of one kind and outcome."""

    kind: KindName | None = PField(description="The kind, or null where the statuses do not say.")
    kind_label: str
    outcome: str
    changes: list[ReportChange]


class CountRow(BaseModel):
    """A count at the start and at the end of the window."""

    kind: KindName | Literal["all"] = PField(description="A kind, or `all` for the totals.")
    label: str
    status: StatusName | None = PField(description="A status code; null for the kind's total.")
    start: int
    end: int


class OutcomeCounts(BaseModel):
    kind: KindName
    label: str
    start: dict[str, int]
    end: dict[str, int]


class OverdueItem(BaseModel):
    item: ReportItem
    kind: KindName
    status_label: str
    actor: str
    due_on: Day


class ProgressPoint(BaseModel):
    day: Day
    dated: bool = PField(description="True: the day it happened; false: the day it was recorded.")
    value: JsonNumber


class TargetProgress(BaseModel):
    item: ReportItem
    status_label: str
    unit: str
    target: JsonNumber
    value: JsonNumber | None = PField(description="The latest progress by the window's end.")
    percent: float | None
    points: list[ProgressPoint]


class Report(BaseModel):
    """The report of a window: what changed in it, the counts at its start and end, what is
    overdue, and the progress of each numeric target."""

    window: ReportWindow
    start_as_of: Day = PField(description="The counts at the start: as of the day before.")
    end_as_of: Day
    status_changes: list[StatusChangeGroup]
    new_items: list[ReportChange]
    replies: list[ReportChange]
    corrections: list[ReportChange] = PField(description="Corrections and retractions.")
    counts: list[CountRow]
    outcomes: list[OutcomeCounts]
    totals: CountRow
    overdue: list[OverdueItem]
    targets: list[TargetProgress]
