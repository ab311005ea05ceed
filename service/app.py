"""create_app(): routers, static files, error handlers and middleware."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from service import urls
from service.accounts.views import router as accounts_views
from service.actors.api import router as actors_router
from service.actors.views import router as actors_views
from service.audit.api import router as audit_router
from service.audit.views import router as audit_views
from service.config import Settings, get_settings
from service.delivery import masking
from service.delivery.fastpath import FastPathMiddleware
from service.delivery.store import store
from service.embeds.views import FRAMEABLE_PATHS
from service.embeds.views import framed_router as embeds_framed
from service.embeds.views import router as embeds_router
from service.events.api import router as events_router
from service.events.feeds import router as events_feeds
from service.events.views import router as events_views
from service.imports import reading
from service.imports.api import router as imports_router
from service.imports.views import router as imports_views
from service.items.api import router as items_router
from service.items.bulk_api import router as items_bulk
from service.items.bulk_views import router as items_bulk_views
from service.items.dashboard import router as items_dashboard
from service.items.editing import router as items_editing
from service.items.item_page import router as items_page
from service.items.publication_api import router as items_publication
from service.items.publication_views import router as items_publication_views
from service.items.reply_form import router as items_reply_form
from service.items.status_change import router as items_status_change
from service.links.api import router as links_router
from service.links.views import router as links_views
from service.reports.views import router as reports_views
from service.sources.api import router as sources_router
from service.sources.views import router as sources_views
from service.system import api_docs
from service.system.api import router as system_router
from service.system.api_docs import router as api_docs_router
from service.web import problems
from service.web.compression import CompressionMiddleware
from service.web.cors import CorsMiddleware
from service.web.http_semantics import HeadAsGetMiddleware
from service.web.middleware import (
    BodyLimitMiddleware,
    RefuseNulMiddleware,
    SecurityHeadersMiddleware,
)
from service.web.observability import ObservabilityMiddleware
from service.web.query import KNOWN_QUERY_ONLY, UNKNOWN_PARAMETER
from service.web.static import StaticFilesForever
from service.withheld import service as withheld
from service.withheld.api import router as withheld_router
from service.withheld.views import router as withheld_views

SESSION_COOKIE = "tracker_session"


def is_anonymous(headers: Headers) -> bool:
    """No credentials at all: no bearer token and no session cookie."""
    return "authorization" not in headers and SESSION_COOKIE not in headers.get("cookie", "")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Accountability tracker",
        # The package's version (api_docs.install sets it, for the document and the API).
        description=(
            "What public bodies promised, are accused of and propose, each tied word for word "
            "to the archived text it came from, and followed until it is resolved."
        ),
        # No redirect to the URL with or without a trailing slash: Starlette would build its
        # Location from the Host header, which the client chooses. `/api/v1/items/` is a 404.
        redirect_slashes=False,
        # Swagger UI and ReDoc are served from this origin (service/system/api_docs.py).
        docs_url=None,
        redoc_url=None,
        # The tracker's telemetry is /metrics (service/web/observability.py): FastAPI's own
        # OpenTelemetry is off, and an OTLP endpoint in the environment changes nothing.
        telemetry={
            "tracing": False,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    store.entries = settings.response_cache_entries
    # Every public value is masked with the withheld names of the data it was read from.
    masking.install(withheld.masker)

    # The JSON API (and the feeds beside it): a query parameter a route does not take is a 400.
    for router in (
        system_router,
        items_bulk,
        items_router,
        items_publication,
        links_router,
        audit_router,
        withheld_router,
        events_router,
        sources_router,
        actors_router,
        imports_router,
    ):
        app.include_router(router, dependencies=[KNOWN_QUERY_ONLY], responses=UNKNOWN_PARAMETER)
    app.include_router(api_docs_router)
    # Following one thing, and embeds (each route refuses unknown query parameters itself).
    for router in (events_feeds, embeds_router, embeds_framed):
        app.include_router(router)
    # Dashboard: the HTML pages and their static files.
    # The item forms first: /items/new is not an item called "new".
    for router in (
        items_editing,
        items_dashboard,
        items_bulk_views,
        items_page,
        items_status_change,
        items_reply_form,
        items_publication_views,
        links_views,
        events_views,
        audit_views,
        withheld_views,
        sources_views,
        actors_views,
        accounts_views,
        reports_views,
        imports_views,
    ):
        app.include_router(router)
    app.mount("/static", StaticFilesForever(directory=settings.web_dir / "static"), name="static")
    problems.install(app)
    # The OpenAPI document as the API's contract (operation ids, problem+json, the version).
    api_docs.install(app)

    # Dashboard sessions: a signed cookie, HttpOnly, SameSite=Lax, Secure when served over https.
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=14 * 24 * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    # A spreadsheet to import may be larger than any other body (multipart's framing aside).
    spreadsheet = reading.MAX_BYTES + 64 * 1024
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        larger={urls.imports(): spreadsheet, "/api/v1/imports": spreadsheet},
    )
    # Inside the fast path, which sends its kept bodies already encoded.
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(FastPathMiddleware, is_anonymous=is_anonymous)
    # Outside the fast path, so that its answers carry the CORS headers too.
    if settings.cors_origin_list:
        app.add_middleware(CorsMiddleware, origins=settings.cors_origin_list)
    app.add_middleware(RefuseNulMiddleware)
    if settings.trusted_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.trusted_host_names)
    # HEAD is the GET it stands for, without the body. It wraps every layer that answers or
    # changes a body (the fast path, compression, the refusals above), so that a HEAD gets the
    # GET's status and headers and costs no more; only headers are added outside it.
    app.add_middleware(HeadAsGetMiddleware)
    app.add_middleware(
        SecurityHeadersMiddleware, https=settings.served_over_https, frameable=FRAMEABLE_PATHS
    )
    # Outermost: the request's id is set before any other layer runs (their log lines and
    # problem bodies carry it), and every answer, refusals and the fast path's included, is
    # counted, timed and logged.
    app.add_middleware(ObservabilityMiddleware, settings=settings)
    return app
