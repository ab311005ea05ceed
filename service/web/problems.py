"""The one place where errors become responses: each domain error class gets its HTTP status
here, and every error is shaped once, as problem+json (RFC 9457) for the API and clients that
don't ask for HTML, or as the error page for browsers.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response
from starlette.types import Send

from service import urls
from service.errors import (
    Busy,
    Conflict,
    FieldError,
    Forbidden,
    Internal,
    Invalid,
    Moved,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    RateLimited,
    SignInFirst,
    TooLarge,
    TrackerError,
    Unauthenticated,
    UnknownParameter,
    invalid,
)
from service.web import templates
from service.web.http_semantics import allowed_methods
from service.web.observability import with_request_id
from service.web.responses import PROBLEM_JSON, json_bytes

log = logging.getLogger("tracker")

# Most specific first: a subclass takes its parent's status unless listed itself.
STATUS: tuple[tuple[type[TrackerError], int], ...] = (
    (UnknownParameter, 400),
    (Invalid, 422),
    (NotFound, 404),
    (Conflict, 409),
    (PreconditionFailed, 412),
    (PreconditionRequired, 428),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (RateLimited, 429),
    (TooLarge, 413),
    (Busy, 503),
)


class MethodNotAllowed(TrackerError):
    code = "method-not-allowed"
    title = "Method not allowed"


def status_of(error: TrackerError) -> int:
    if isinstance(error, MethodNotAllowed):
        return 405
    return next((status for cls, status in STATUS if isinstance(error, cls)), 500)


def headers_of(error: TrackerError) -> dict[str, str]:
    if isinstance(error, Unauthenticated):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, RateLimited | Busy):
        return {"Retry-After": str(error.retry_after)}
    return {}


class ProblemFieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """The problem+json body (RFC 9457); `errors` names each bad field."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemFieldError] | None = None
    current_version: int | None = None
    request_id: str | None = Field(
        default=None, description="The request's id (`X-Request-ID`): quote it when reporting."
    )


# OpenAPI response declarations shared by the routers. The model registers the `Problem`
# schema; the document (service/system/api_docs.py) keeps it under problem+json alone, the one
# type an error is sent as.
PROBLEM_SCHEMA_REF = "#/components/schemas/Problem"
PROBLEM: dict[str, Any] = {
    "model": Problem,
    "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
}
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `If-None-Match` ETag is current."}
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    status: PROBLEM for status in (401, 403, 404, 409, 413, 422)
}


def problem_body(error: TrackerError, instance: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"/problems/{error.code}",
        "title": error.title,
        "status": status_of(error),
        "detail": error.detail,
    }
    if instance:
        body["instance"] = instance
    if error.errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    body.update(error.extra)
    return with_request_id(body)


def wants_html(request: Request) -> bool:
    """Pages get an HTML error page; the API and clients that do not ask for HTML get
    problem+json."""
    if request.url.path.startswith("/api/"):
        return False
    return templates.is_htmx(request) or "text/html" in request.headers.get("accept", "")


def problem_response(request: Request, error: TrackerError) -> Response:
    status = status_of(error)
    if wants_html(request):
        headers = {k: v for k, v in headers_of(error).items() if k != "WWW-Authenticate"}
        return templates.error_page(request, error, status, headers)
    return Response(
        json_bytes(problem_body(error, instance=request.url.path)),
        status,
        headers=headers_of(error) or None,
        media_type=PROBLEM_JSON,
    )


async def send_problem(send: Send, error: TrackerError, extra_headers: list[Any]) -> None:
    """The same problem+json, sent by an ASGI middleware before any routing."""
    body = json_bytes(problem_body(error))
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        *[(k.lower().encode(), v.encode()) for k, v in headers_of(error).items()],
        *extra_headers,
    ]
    await send({"type": "http.response.start", "status": status_of(error), "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _field_name(loc: tuple[object, ...]) -> str:
    # A repeated query parameter reports its index (status.0); the field is what matters.
    in_query = bool(loc) and loc[0] == "query"
    parts = [
        str(p)
        for p in loc
        if p not in ("body", "query", "path", "header") and not (in_query and isinstance(p, int))
    ]
    return ".".join(parts) or str(loc[0] if loc else "body")


def field_errors(errors: list[Any]) -> list[FieldError]:
    """Pydantic's errors as the tracker's field errors (a JSON syntax error names the body)."""
    return [
        FieldError(
            "body" if e["type"] == "json_invalid" else _field_name(tuple(e["loc"])),
            str(e["msg"]),
        )
        for e in errors
    ]


def sign_in_redirect(request: Request, next_url: str) -> Response:
    """To the sign-in page, then back to `next_url` (htmx follows HX-Redirect instead)."""
    url = urls.login(urls.safe_next(next_url))
    if templates.is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def moved_redirect(request: Request, moved: Moved) -> Response:
    """The same URL with the old slug's path segment replaced by the new slug; 301 for reads,
    308 (the method kept) for writes."""
    old, new = urls.path_segment(moved.old_slug), urls.path_segment(moved.slug)
    parts = request.url.path.split("/")
    index = parts.index(old) if old in parts else -1
    if index < 0:
        return problem_response(request, NotFound(moved.detail))
    parts[index] = new
    query = request.url.query
    location = "/".join(parts) + ("?" + query if query else "")
    status = 301 if request.method in ("GET", "HEAD") else 308
    return RedirectResponse(location, status_code=status)


async def _on_tracker_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TrackerError)
    if isinstance(exc, SignInFirst):
        return sign_in_redirect(request, exc.detail)
    if isinstance(exc, Moved):
        return moved_redirect(request, exc)
    return problem_response(request, exc)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return problem_response(request, invalid(*field_errors(list(exc.errors()))))


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    error: TrackerError
    if exc.status_code == 404:
        error = NotFound(f"Nothing at {request.url.path}.")
    elif exc.status_code == 400:
        # The body could not be decoded (not UTF-8, not JSON): a bad value like any other.
        error = invalid(FieldError("body", "must be a JSON document in UTF-8"))
    elif exc.status_code == 405:
        error = MethodNotAllowed(f"{request.method} is not allowed here.")
        response = problem_response(request, error)
        # Every method of every route at this path (Starlette names only the first route's).
        response.headers["Allow"] = ", ".join(allowed_methods(request.scope))
        return response
    else:
        detail = exc.detail if isinstance(exc.detail, str) else "The request could not be handled."
        error = invalid(detail=detail)
    return problem_response(request, error)


async def _on_database_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, sa.exc.OperationalError) and "locked" in str(exc).lower():
        return problem_response(request, Busy())
    log.exception("database error on %s %s", request.method, request.url.path)
    return problem_response(request, Internal("An internal error occurred."))


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(request, Internal("An internal error occurred."))


def install(app: FastAPI) -> None:
    app.add_exception_handler(TrackerError, _on_tracker_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_exception_handler(sa.exc.SQLAlchemyError, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)
