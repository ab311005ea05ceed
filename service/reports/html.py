"""The report as HTML: the values the report page's template writes out (the report, its
charts' geometry, the base URL of its links), and the self-contained report.html that
`tracker report` writes (styles and SVG inline, nothing to fetch)."""

from __future__ import annotations

from typing import Any

from service.config import get_settings
from service.reports.charts import outcome_chart, target_chart
from service.reports.models import Report
from service.web.templates import format_day, templates

STANDALONE = "report/standalone.html"


def context(report: Report, *, base_url: str) -> dict[str, Any]:
    """What the report's templates need besides the layout."""
    return {
        "report": report,
        "base_url": base_url.rstrip("/"),
        "outcome_chart": outcome_chart(
            report.outcomes,
            start=format_day(report.start_as_of),
            end=format_day(report.end_as_of),
        ),
        "target_charts": {t.item.slug: target_chart(t) for t in report.targets},
    }


def stylesheet() -> str:
    """The tracker's stylesheet, to be written inline."""
    return (get_settings().web_dir / "static" / "app.css").read_text(encoding="utf-8")


def standalone(report: Report, *, base_url: str) -> str:
    """A whole HTML document of the report that fetches nothing: its styles inline, its
    charts inline SVG, its links absolute."""
    values = {**context(report, base_url=base_url), "stylesheet": stylesheet()}
    return templates().env.get_template(STANDALONE).render(values)
