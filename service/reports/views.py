"""The report page (`/report?from=DATE&to=DATE`) and its twins `/report.json` and `/report.md`:
the report's inputs read once, masked by the delivery path as every public value is, then made
into the report (`build.make_report`) and written out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from service.config import get_settings
from service.delivery.conditional import API, Document, Policy, answer
from service.errors import Invalid
from service.reports import build, html, markdown
from service.reports import service as reports
from service.reports.models import Report
from service.reports.window import window_of
from service.web.deps import CurrentPrincipal, SessionDep
from service.web.problems import NOT_MODIFIED, PROBLEM
from service.web.query import KNOWN_QUERY_ONLY, UNKNOWN_PARAMETER
from service.web.responses import json_bytes
from service.web.templates import conditional_page, page, render_form

router = APIRouter(tags=["reports"], redirect_slashes=False)

REPORT_PAGE = "report/report.html"
MARKDOWN = Policy(media_type="text/markdown; charset=utf-8")

From = Annotated[
    str | None,
    Query(alias="from", max_length=40, description="The first day (UTC), as 2026-01-31; "
          "by default 6 days before `to`."),
]  # fmt: skip
To = Annotated[
    str | None,
    Query(
        alias="to",
        max_length=40,
        description="The last day (UTC), not after today; by default today.",
    ),
]
TWIN_ERRORS: dict[int | str, dict[str, Any]] = {**NOT_MODIFIED, 422: PROBLEM}


def _field_errors(error: Invalid) -> dict[str, str]:
    found: dict[str, str] = {}
    for field_error in error.errors:
        found.setdefault(field_error.field, field_error.message)
    return found


@router.get("/report", include_in_schema=False)
def report_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    start: From = None,
    end: To = None,
) -> Response:
    typed = {"from": start or "", "to": end or ""}
    try:
        window = window_of(start, end)
    except Invalid as error:
        echo = {"values": typed, "errors": _field_errors(error), "report": None}
        return render_form(request, principal, REPORT_PAGE, echo, status_code=422)
    base_url = get_settings().base_url.rstrip("/")
    values = {"from": window.start.isoformat(), "to": window.end.isoformat()}

    def build_page() -> Document:
        found = reports.inputs(session, window=window)
        shown = page(request, principal, REPORT_PAGE, {"inputs": found},
                     echo={"values": values, "errors": {}})  # fmt: skip

        def write(masked: dict[str, Any]) -> bytes:
            report = build.make_report(masked["inputs"])
            return shown.write({**masked, **html.context(report, base_url=base_url)})

        return Document(shown.value, write, shown.status, shown.headers)

    return conditional_page(request, session, principal, build_page)


def _answer_twin(
    request: Request, session: SessionDep, start: str | None, end: str | None, policy: Policy,
    write: Any,
) -> Response:  # fmt: skip
    window = window_of(start, end)
    return answer(
        request, session, policy,
        lambda: Document(reports.inputs(session, window=window),
                         lambda inputs: write(build.make_report(inputs))),
    )  # fmt: skip


@router.get(
    "/report.json",
    response_model=Report,
    dependencies=[KNOWN_QUERY_ONLY],
    responses={**TWIN_ERRORS, **UNKNOWN_PARAMETER},
    summary="The report of a window of days, as JSON (the report page's twin)",
)
def report_json(
    request: Request, session: SessionDep, start: From = None, end: To = None
) -> Response:
    return _answer_twin(request, session, start, end, API, json_bytes)


@router.get(
    "/report.md",
    response_class=Response,
    dependencies=[KNOWN_QUERY_ONLY],
    responses={
        200: {"content": {"text/markdown": {}}, "description": "The report, as Markdown"},
        **TWIN_ERRORS,
        **UNKNOWN_PARAMETER,
    },
    summary="The report of a window of days, as Markdown (the report page's twin)",
)
def report_md(
    request: Request, session: SessionDep, start: From = None, end: To = None
) -> Response:
    base_url = get_settings().base_url.rstrip("/")

    def write(report: Report) -> bytes:
        return markdown.render(report, base_url=base_url).encode("utf-8")

    return _answer_twin(request, session, start, end, MARKDOWN, write)
