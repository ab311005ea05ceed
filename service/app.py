"""create_app(): routers, static files, error handlers and middleware."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response
from starlette.routing import Match, Route

from service import http, web
from service.config import Settings, get_settings
from service.errors import FieldError, TrackerError, busy, invalid
from service.fastpath import SESSION_COOKIE, FastPathMiddleware
from service.middleware import BodyLimitMiddleware, RefuseNulMiddleware, SecurityHeadersMiddleware

log = logging.getLogger("tracker")

PROBLEM = "application/problem+json"


def problem_response(request: Request, error: TrackerError) -> Response:
    # Dashboard: pages (and htmx) get an HTML error page; /api/* always gets problem+json.
    if web.wants_html(request):
        return web.error_page(request, error)
    return Response(
        http.json_bytes(error.as_problem(instance=request.url.path)),
        error.status,
        headers=error.headers or None,
        media_type=PROBLEM,
    )


def _field_name(loc: tuple[object, ...]) -> str:
    # A repeated query parameter reports its index (status.0); the field is what matters.
    in_query = bool(loc) and loc[0] == "query"
    parts = [
        str(p)
        for p in loc
        if p not in ("body", "query", "path", "header") and not (in_query and isinstance(p, int))
    ]
    return ".".join(parts) or str(loc[0] if loc else "body")


async def _on_tracker_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TrackerError)
    return problem_response(request, exc)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        # A JSON syntax error is located by its offset (body, 22): the field is the body.
        FieldError(
            "body" if e["type"] == "json_invalid" else _field_name(tuple(e["loc"])), e["msg"]
        )
        for e in exc.errors()
    ]
    return problem_response(request, invalid(*errors))


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 400: "Bad request"}
    detail = exc.detail if isinstance(exc.detail, str) else "The request could not be handled."
    if exc.status_code == 404:
        detail = f"Nothing at {request.url.path}."
    if exc.status_code == 400:
        # The body could not be decoded (not UTF-8, not JSON): a bad value like any other.
        return problem_response(
            request, invalid(FieldError("body", "must be a JSON document in UTF-8"))
        )
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    error = TrackerError(
        detail,
        exc.status_code,
        titles.get(exc.status_code, "Error"),
        titles.get(exc.status_code, "error").lower().replace(" ", "-"),
        headers=headers,
    )
    return problem_response(request, error)


def _allowed_methods(request: Request) -> list[str]:
    """Every method of every route at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods:
            match, _ = route.matches({**request.scope, "method": "GET"})
            if match != Match.NONE:
                methods |= route.methods
    return sorted(methods)


async def _on_database_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, sa.exc.OperationalError) and "locked" in str(exc).lower():
        return problem_response(request, busy())
    log.exception("database error on %s %s", request.method, request.url.path)
    return problem_response(
        request, TrackerError("An internal error occurred.", 500, "Internal error", "internal")
    )


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem_response(
        request, TrackerError("An internal error occurred.", 500, "Internal error", "internal")
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Accountability tracker",
        version="1.0.0",
        description=(
            "What public bodies promised, are accused of and propose, each tied word for word "
            "to the archived text it came from, and followed until it is resolved."
        ),
    )
    http.response_cache.capacity = settings.response_cache_entries

    from service.actors.api import router as actors_router
    from service.events.api import router as events_router
    from service.items.api import router as items_router
    from service.sources.api import router as sources_router
    from service.system.api import router as system_router

    for router in (system_router, items_router, events_router, sources_router, actors_router):
        app.include_router(router)

    # Dashboard: the HTML pages and their static files.
    from service.accounts.views import router as accounts_views
    from service.actors.views import router as actors_views
    from service.items.views import router as items_views
    from service.sources.views import router as sources_views

    for router in (items_views, sources_views, actors_views, accounts_views):
        app.include_router(router)
    app.mount(
        "/static",
        web.StaticFilesForever(directory=settings.web_dir / "static"),
        name="static",
    )

    app.add_exception_handler(TrackerError, _on_tracker_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(sa.exc.SQLAlchemyError, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)

    # Dashboard sessions: a signed cookie, HttpOnly, SameSite=Lax, Secure when served over https.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=14 * 24 * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(FastPathMiddleware)
    app.add_middleware(RefuseNulMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
