"""The report's charts, drawn on the server as SVG (no script): the geometry is computed here,
the template only writes it out. Outcomes at the window's start and end, a pair of stacked bars
per kind; the progress of each numeric target is the item page's chart (items/charts.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from service.items import charts as item_charts
from service.items import vocabulary
from service.items.charts import ChartPoint, ProgressChart
from service.reports.models import OutcomeCounts, TargetProgress

LEFT_PAD, RIGHT_PAD, TOP_PAD, BOTTOM_PAD = (
    item_charts.LEFT, item_charts.RIGHT, item_charts.TOP, item_charts.BOTTOM,
)  # fmt: skip

WIDTH = 600
LABEL_W = 150
BAR_H = 16
GAP = 6
GROUP_GAP = 18
TOP = 6


@dataclass(frozen=True, slots=True)
class Segment:
    outcome: str
    count: int
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    y: float
    total: int
    segments: list[Segment]


@dataclass(frozen=True, slots=True)
class OutcomeChart:
    bars: list[Bar]
    kinds: list[tuple[str, float]]  # each kind's label and the y of its first bar
    height: float
    width: int = WIDTH
    label_w: int = LABEL_W
    bar_h: int = BAR_H


def outcome_chart(outcomes: list[OutcomeCounts], *, start: str, end: str) -> OutcomeChart:
    """Two bars per kind (at `start` and at `end`), each split by outcome, all on one scale."""
    top = max(
        [1, *(sum(o.start.values()) for o in outcomes), *(sum(o.end.values()) for o in outcomes)]
    )
    inner = WIDTH - LABEL_W - 40
    bars: list[Bar] = []
    kinds: list[tuple[str, float]] = []
    y = float(TOP)
    for counts in outcomes:
        kinds.append((counts.label, y))
        for label, by_outcome in ((start, counts.start), (end, counts.end)):
            x = float(LABEL_W)
            segments = []
            for outcome in vocabulary.OUTCOMES:
                count = by_outcome.get(outcome, 0)
                if count:
                    width = round(inner * count / top, 1)
                    segments.append(Segment(outcome, count, round(x, 1), width))
                    x += width
            bars.append(Bar(label, y, sum(by_outcome.values()), segments))
            y += BAR_H + GAP
        y += GROUP_GAP - GAP
    return OutcomeChart(bars=bars, kinds=kinds, height=round(y, 1))


def target_chart(target: TargetProgress) -> ProgressChart | None:
    """A target's progress over time, drawn as the item page draws it (a step line towards the
    target line), from the report's points."""
    if not target.points:
        return None
    points = target.points
    first, last = points[0].day, points[-1].day
    span = max((last - first).days, 1)
    top = max(float(target.target), max(float(p.value) for p in points)) or 1.0
    inner_w, inner_h = (
        item_charts.WIDTH - LEFT_PAD - RIGHT_PAD,
        item_charts.HEIGHT - TOP_PAD - BOTTOM_PAD,
    )

    def x_of(day: dt.date) -> float:
        if first == last:
            return LEFT_PAD + inner_w / 2
        return LEFT_PAD + inner_w * (day - first).days / span

    def y_of(value: float) -> float:
        return TOP_PAD + inner_h * (1 - value / top)

    drawn = [
        ChartPoint(
            p.day, p.dated, float(p.value), round(x_of(p.day), 1), round(y_of(float(p.value)), 1)
        )
        for p in points
    ]
    path = f"M{drawn[0].x},{drawn[0].y}"
    for before, point in itertools.pairwise(drawn):
        path += f" H{point.x} V{point.y}" if before.y != point.y else f" H{point.x}"
    return ProgressChart(points=drawn, target=float(target.target),
                         target_y=round(y_of(float(target.target)), 1), path=path,
                         first_day=first, last_day=last)  # fmt: skip
