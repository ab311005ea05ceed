"""Progress over time for a commitment with a numeric target, drawn from its history as a small
server-rendered SVG (no script): the geometry is computed here, the template only writes it out.

Each point is a progress value from an event. Its day is when it happened in the world if the
editor said so, else the day it was recorded; the two are told apart (filled and hollow marks),
so that a record day is never passed off as a news date.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from service.events.models import EventPublic
from service.items.models import ItemPublic

WIDTH = 600
HEIGHT = 160
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 14, 22


@dataclass(frozen=True, slots=True)
class ChartPoint:
    day: dt.date
    dated: bool  # True: the day it happened; False: the day it was recorded
    value: float
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class ProgressChart:
    points: list[ChartPoint]
    target: float
    target_y: float
    path: str
    first_day: dt.date
    last_day: dt.date
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline_y(self) -> float:
        return HEIGHT - BOTTOM


def _value_of(event: EventPublic) -> float | None:
    if event.progress_value is not None:
        return float(event.progress_value)
    change: Any = (event.changes or {}).get("progress_value")
    if isinstance(change, list | tuple) and len(change) == 2 and change[1] is not None:
        return float(change[1])
    return None


def _day_of(moment: Any) -> dt.date:
    if isinstance(moment, dt.datetime):
        return moment.date()
    if isinstance(moment, dt.date):
        return moment
    return dt.datetime.fromisoformat(str(moment)).date()


def progress_chart(item: ItemPublic, history: list[EventPublic]) -> ProgressChart | None:
    """The chart of `item`'s recorded progress, or None when there is nothing to draw."""
    if not item.tracks_progress or item.quantity is None:
        return None
    target = float(item.quantity.value)
    found = []
    for event in history:
        value = _value_of(event)
        if value is None:
            continue
        day = event.occurred_on or _day_of(event.at)
        found.append((_day_of(day), event.occurred_on is not None, value))
    if not found:
        return None
    found.sort(key=lambda point: point[0])
    first, last = found[0][0], found[-1][0]
    span = max((last - first).days, 1)
    top = max(target, max(value for _, _, value in found))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(day: dt.date) -> float:
        if first == last:
            return LEFT + inner_w / 2
        return LEFT + inner_w * (day - first).days / span

    def y_of(value: float) -> float:
        return TOP + inner_h * (1 - value / top)

    points = [
        ChartPoint(day, dated, value, round(x_of(day), 1), round(y_of(value), 1))
        for day, dated, value in found
    ]
    # A step line: progress holds until the next figure.
    path = f"M{points[0].x},{points[0].y}"
    for before, point in itertools.pairwise(points):
        path += f" H{point.x} V{point.y}" if before.y != point.y else f" H{point.x}"
    return ProgressChart(
        points=points,
        target=target,
        target_y=round(y_of(target), 1),
        path=path,
        first_day=first,
        last_day=last,
    )
