"""The figures of a run that docs/RELIABILITY.md quotes: counted by the tests, gathered from every
pytest-xdist worker, and printed at the end under "reliability figures"."""

from __future__ import annotations

from collections import Counter
from typing import Any


class Figures(Counter[str]):
    """Three kinds of figure, so that they add up the same however the tests are shared out
    between workers: `figures[name] += n` counts (summed over the workers);
    `figures.state(name, value)` states what a test found, the same wherever it ran (the
    largest is kept); `figures.distinct(name, thing)` counts different things seen (the
    workers' sets are joined)."""

    def __init__(self) -> None:
        super().__init__()
        self.stated: set[str] = set()
        self.seen: dict[str, set[str]] = {}

    def state(self, name: str, value: int) -> None:
        self[name] = value
        self.stated.add(name)

    def distinct(self, name: str, thing: str) -> None:
        self.seen.setdefault(name, set()).add(thing)
        self[name] = len(self.seen[name])

    def as_json(self) -> dict[str, Any]:
        """What a worker sends to the controller (execnet carries plain types only)."""
        return {
            "counted": {
                k: v for k, v in self.items() if k not in self.stated and k not in self.seen
            },
            "stated": {k: self[k] for k in self.stated},
            "seen": {k: sorted(v) for k, v in self.seen.items()},
        }

    def merge(self, sent: dict[str, Any]) -> None:
        for name, value in sent["counted"].items():
            self[name] += value
        for name, value in sent["stated"].items():
            self.state(name, max(self.get(name, value), value))
        for name, things in sent["seen"].items():
            for thing in things:
                self.distinct(name, thing)

    def report(self, terminalreporter: Any) -> None:
        if not self:
            return
        terminalreporter.section("reliability figures")
        for name in sorted(self):
            terminalreporter.write_line(f"{name}: {self[name]}")


FIGURES = Figures()
