"""The report made from its inputs: one pure function, which the tracker's own pages and
`tracker report` (reading another tracker's JSON API) both call, so that both give the same
report for the same window."""

from __future__ import annotations

import datetime as dt

from service import urls
from service.events.models import EventPublic
from service.items import vocabulary
from service.items.charts import progress_chart
from service.items.models import ItemPublic, KindSummary, Summary
from service.reports.models import (
    CountRow,
    OutcomeCounts,
    OverdueItem,
    ProgressPoint,
    Report,
    ReportChange,
    ReportInputs,
    ReportItem,
    StatusChangeGroup,
    TargetHistory,
    TargetProgress,
)

ANY_KIND = "Any kind"
NEW_TYPES = ("created", "published")
CORRECTION_TYPES = ("correction", "retracted")


def _item(slug: str, title: str) -> ReportItem:
    return ReportItem(slug=slug, title=title, url=urls.item(slug))


def _change(event: EventPublic) -> ReportChange:
    return ReportChange(
        item=_item(event.item.slug, event.item.title),
        type=event.type,
        at=event.at,
        occurred_on=event.occurred_on,
        from_status_label=event.from_status_label,
        to_status_label=event.to_status_label,
        note=event.note,
        by=event.actor.name if event.actor is not None else None,
    )


def kind_of_change(from_status: str | None, to_status: str) -> str | None:
    """The kind whose statuses a change went between (a status event does not name its item's
    kind, and a later correction may have changed it); None when several kinds share them."""
    found = [
        kind.code
        for kind in vocabulary.KINDS
        if kind.status(to_status) is not None
        and (from_status is None or kind.status(from_status) is not None)
    ]
    return found[0] if len(found) == 1 else None


def _outcome(kind: str | None, status: str) -> str:
    if kind is not None:
        return vocabulary.outcome_of(kind, status)
    outcomes = {found.outcome for k in vocabulary.KINDS if (found := k.status(status)) is not None}
    return outcomes.pop() if len(outcomes) == 1 else "pending"


def _status_changes(events: list[EventPublic]) -> list[StatusChangeGroup]:
    groups: dict[tuple[str | None, str], list[ReportChange]] = {}
    for event in events:
        if event.type != "status" or event.to_status is None:
            continue
        kind = kind_of_change(event.from_status, event.to_status)
        groups.setdefault((kind, _outcome(kind, event.to_status)), []).append(_change(event))
    kind_order = {code: n for n, code in enumerate(vocabulary.KIND_CODES)}
    outcome_order = {code: n for n, code in enumerate(vocabulary.OUTCOMES)}
    ordered = sorted(
        groups.items(),
        key=lambda g: (kind_order.get(g[0][0] or "", len(kind_order)), outcome_order[g[0][1]]),
    )
    return [
        StatusChangeGroup(
            kind=kind,
            kind_label=vocabulary.KIND_BY_CODE[kind].plural if kind else ANY_KIND,
            outcome=outcome,
            changes=changes,
        )
        for (kind, outcome), changes in ordered
    ]


def _new_items(events: list[EventPublic]) -> list[ReportChange]:
    """Items that became public in the window: created public, or published (each once)."""
    seen: set[str] = set()
    found = []
    for event in events:
        if event.type in NEW_TYPES and event.item.slug not in seen:
            seen.add(event.item.slug)
            found.append(_change(event))
    return found


def _counts(start: Summary, end: Summary) -> tuple[list[CountRow], list[OutcomeCounts]]:
    rows: list[CountRow] = []
    outcomes: list[OutcomeCounts] = []
    starts: dict[str, KindSummary] = {str(k): v for k, v in start.kinds.items()}
    ends: dict[str, KindSummary] = {str(k): v for k, v in end.kinds.items()}
    for kind in vocabulary.KINDS:
        before, after = starts.get(kind.code), ends.get(kind.code)
        if before is None or after is None:
            continue
        rows.append(
            CountRow(
                kind=kind.code, label=kind.plural, status=None, start=before.total, end=after.total
            )
        )
        rows.extend(
            CountRow(
                kind=kind.code,
                label=status.label,
                status=status.code,
                start=before.by_status.get(status.code, 0),
                end=after.by_status.get(status.code, 0),
            )
            for status in kind.statuses
        )
        outcomes.append(
            OutcomeCounts(
                kind=kind.code,
                label=kind.plural,
                start=dict(before.by_outcome),
                end=dict(after.by_outcome),
            )
        )
    return rows, outcomes


def _overdue(items: list[ItemPublic]) -> list[OverdueItem]:
    found = [
        OverdueItem(
            item=_item(item.slug, item.title),
            kind=item.kind,
            status_label=item.status_label,
            actor=item.actor.name,
            due_on=item.due_on,
        )
        for item in items
        if item.due_on is not None and item.publication == "published"
    ]
    return sorted(found, key=lambda o: (o.due_on, o.item.slug))


def _target(target: TargetHistory, end: dt.datetime) -> TargetProgress | None:
    item = target.item
    if not item.tracks_progress or item.quantity is None or item.publication != "published":
        return None
    chart = progress_chart(item, [e for e in target.history if e.at <= end])
    points = chart.points if chart else []
    value = points[-1].value if points else None
    goal = float(item.quantity.value)
    return TargetProgress(
        item=_item(item.slug, item.title),
        status_label=item.status_label,
        unit=item.quantity.unit,
        target=goal,
        value=value,
        percent=round(100 * value / goal, 1) if value is not None and goal else None,
        points=[ProgressPoint(day=p.day, dated=p.dated, value=p.value) for p in points],
    )


def make_report(inputs: ReportInputs) -> Report:
    """The report of `inputs.window`: a function of its inputs alone."""
    window = inputs.window
    end = dt.datetime.combine(window.end, dt.time.max, tzinfo=dt.UTC)
    events = sorted(inputs.events, key=lambda e: e.id)
    counts, outcomes = _counts(inputs.start, inputs.end)
    targets = [found for t in inputs.targets if (found := _target(t, end)) is not None]
    return Report(
        window=window,
        start_as_of=window.day_before,
        end_as_of=window.end,
        status_changes=_status_changes(events),
        new_items=_new_items(events),
        replies=[_change(e) for e in events if e.type == "reply"],
        corrections=[_change(e) for e in events if e.type in CORRECTION_TYPES],
        counts=counts,
        outcomes=outcomes,
        totals=CountRow(
            kind="all",
            label="All items",
            status=None,
            start=inputs.start.total,
            end=inputs.end.total,
        ),
        overdue=_overdue(inputs.overdue),
        targets=sorted(targets, key=lambda t: t.item.slug),
    )
