"""The report as Markdown: what `/report.md` answers and `tracker report` writes to report.md.
Links are absolute, from the tracker's base URL."""

from __future__ import annotations

import re

from service import shapes
from service.reports.models import Report, ReportChange, ReportItem

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
NOTHING = "_None._"


def text(value: str | None) -> str:
    """Plain text, safe inside Markdown (one line: line breaks become spaces)."""
    return _SPECIAL.sub(r"\\\1", " ".join((value or "").split()))


def number(value: float | None) -> str:
    found = shapes.json_number(value)
    return "" if found is None else f"{found:,}" if isinstance(found, int) else f"{found:,.2f}"


def signed(value: int) -> str:
    return f"+{value}" if value > 0 else "0" if value == 0 else f"-{-value}"


def _link(item: ReportItem, base_url: str) -> str:
    return f"[{text(item.title)}]({base_url}{item.url})"


def _change_line(change: ReportChange, base_url: str) -> str:
    day = change.at.date().isoformat()
    line = f"- {day}: {_link(change.item, base_url)}"
    if change.type == "status":
        line += f": {text(change.from_status_label)} → {text(change.to_status_label)}"
    elif change.type == "reply" and change.by:
        line += f": reply from {text(change.by)}"
    elif change.type == "retracted":
        line += ": retracted"
    elif change.type == "correction":
        line += ": corrected"
    elif change.type in ("created", "published") and change.to_status_label:
        line += f" ({text(change.to_status_label)})"
    if change.occurred_on is not None:
        line += f" (happened {change.occurred_on.isoformat()})"
    if change.note and change.type != "created":
        line += f". {text(change.note)}"
    return line


def _changes(changes: list[ReportChange], base_url: str) -> list[str]:
    return [_change_line(c, base_url) for c in changes] or [NOTHING]


def render(report: Report, *, base_url: str) -> str:
    """The report as a Markdown document."""
    base_url = base_url.rstrip("/")
    window = report.window
    lines = [
        f"# Report: {window.start.isoformat()} to {window.end.isoformat()}",
        "",
        f"What changed on the tracker from {window.start.isoformat()} to "
        f"{window.end.isoformat()} ({window.days} days, UTC, both included), from its public "
        "history.",
        "",
        "## Counts at the start and the end",
        "",
        f"| | {report.start_as_of.isoformat()} | {report.end_as_of.isoformat()} | change |",
        "|---|---:|---:|---:|",
    ]
    for row in [report.totals, *report.counts]:
        label = text(row.label) if row.status else f"**{text(row.label)}**"
        lines.append(f"| {label} | {row.start} | {row.end} | {signed(row.end - row.start)} |")
    lines += ["", "## Status changes", ""]
    if not report.status_changes:
        lines.append(NOTHING)
    for group in report.status_changes:
        lines += [f"### {text(group.kind_label)}: {group.outcome} ({len(group.changes)})", ""]
        lines += _changes(group.changes, base_url)
        lines.append("")
    for title, changes in (
        ("New items", report.new_items),
        ("Replies", report.replies),
        ("Corrections and retractions", report.corrections),
    ):
        lines += ["", f"## {title} ({len(changes)})", "", *_changes(changes, base_url)]
    lines += ["", f"## Overdue today ({len(report.overdue)})", ""]
    if report.overdue:
        lines += ["| Due | Item | Status | Actor |", "|---|---|---|---|"]
        lines += [
            f"| {o.due_on.isoformat()} | {_link(o.item, base_url)} | {text(o.status_label)} "
            f"| {text(o.actor)} |"
            for o in report.overdue
        ]
    else:
        lines.append(NOTHING)
    lines += ["", f"## Targets ({len(report.targets)})", ""]
    if report.targets:
        lines += ["| Item | Status | Progress | Target | Share |", "|---|---|---:|---:|---:|"]
        for target in report.targets:
            value = "not recorded" if target.value is None else number(target.value)
            share = "" if target.percent is None else f"{number(target.percent)} %"
            lines.append(
                f"| {_link(target.item, base_url)} | {text(target.status_label)} | {value} "
                f"| {number(target.target)} {text(target.unit)} | {share} |"
            )
    else:
        lines.append(NOTHING)
    return "\n".join(lines).rstrip("\n").replace("\n\n\n", "\n\n") + "\n"
