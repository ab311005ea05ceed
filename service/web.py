"""The dashboard's rendering: the Jinja2 environment (jinja2-fragments), template globals and
filters, the CSRF token, "fragment for htmx, page for everyone else", redirects that suit both,
and the HTML error page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import jinja2
import orjson
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from service import http
from service.accounts.service import Principal
from service.config import get_settings
from service.errors import TrackerError
from service.items import vocabulary

HTMX_FILE = "vendor/htmx-2.0.11.min.js"
CSRF_SESSION_KEY = "csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
# Every page that has fragments may answer the same URL with a fragment or a whole page.
VARY = "HX-Request"
# Pages differ by who is signed in: browsers may keep them, but must ask before reusing one.
PAGE_CACHE_CONTROL = "no-cache, private"

# htmx reads its configuration from a meta tag. Its own indicator styles are an inline <style>
# (refused by the CSP), 304 means "nothing changed, swap nothing", and 409/422 carry the form
# with its messages, which must be swapped in like a success. Back and forward load the page
# afresh rather than from snapshots kept in the browser's storage (which would hold stale rows
# and the session's CSRF token).
HTMX_CONFIG = {
    "includeIndicatorStyles": False,
    "allowEval": False,
    "allowScriptTags": False,
    "historyCacheSize": 0,
    "refreshOnHistoryMiss": True,
    "historyRestoreAsHxRequest": False,
    "responseHandling": [
        {"code": "204", "swap": False},
        {"code": "304", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "409", "swap": True},
        {"code": "422", "swap": True},
        {"code": "[45]..", "swap": False, "error": True},
    ],
}


# ---------------------------------------------------------------------------------------------
# Template filters


def _as_datetime(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(dt.UTC) if value.tzinfo else value.replace(tzinfo=dt.UTC)


def format_when(value: str | dt.datetime | None) -> str:
    """23 Nov 2026, 06:53 UTC"""
    moment = _as_datetime(value)
    return f"{moment.day} {moment:%b %Y, %H:%M} UTC" if moment else ""


def format_day(value: str | dt.date | None) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day} {day:%B %Y}"


def format_number(value: float | int | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_amount(value: float | int | None, unit: str | None) -> str:
    """62 staff; £1,200,000; 5 years."""
    if value is None:
        return ""
    if unit == "GBP":
        return "£" + format_number(value)
    if not unit:
        return format_number(value)
    if value == 1 and unit.endswith("s") and not unit.endswith("ss"):
        unit = unit[:-1]  # 1 officer, 1 year
    return f"{format_number(value)} {unit}"


def format_percent(share: float | None) -> str:
    return "" if share is None else f"{round(share * 100)}%"


def tracks_progress(item: Mapping[str, Any]) -> bool:
    """Whether progress may be recorded: a commitment with a positive quantity (the service
    sets the item's progress target from it)."""
    quantity = item.get("quantity")
    return item.get("kind") == "commitment" and bool(quantity) and quantity["value"] > 0


def status_label(kind: str, status: str | None) -> str:
    if status is None:
        return ""
    found = (
        vocabulary.KIND_BY_CODE[kind].status(status) if kind in vocabulary.KIND_BY_CODE else None
    )
    return found.label if found else status


# ---------------------------------------------------------------------------------------------
# Static files, with a content hash in every URL so that browsers may keep them for a year


class StaticFilesForever(StaticFiles):
    """Static files whose URLs carry a content hash (`?v=`): those may be cached for good."""

    def file_response(
        self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        if b"v=" in scope.get("query_string", b""):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response


@lru_cache(maxsize=64)
def static_url(path: str) -> str:
    file = get_settings().web_dir / "static" / path
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:12]
    return f"/static/{path}?v={digest}"


# ---------------------------------------------------------------------------------------------
# The environment


@lru_cache
def templates() -> Jinja2Blocks:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(get_settings().web_dir / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        when=format_when,
        day=format_day,
        number=format_number,
        amount=format_amount,
        percent=format_percent,
    )
    env.globals.update(
        KINDS=vocabulary.KINDS,
        KIND_BY_CODE=vocabulary.KIND_BY_CODE,
        PHASES=vocabulary.PHASES,
        PHASE_LABELS=vocabulary.PHASE_LABELS,
        ACTOR_KINDS=vocabulary.ACTOR_KINDS,
        status_label=status_label,
        tracks_progress=tracks_progress,
        static_url=static_url,
        HTMX_FILE=HTMX_FILE,
        HTMX_CONFIG=orjson.dumps(HTMX_CONFIG).decode(),
    )
    # The shared macros are a global, so that a block rendered on its own can call them too.
    env.globals["ui"] = env.get_template("_partials/ui.html").module
    return Jinja2Blocks(env=env)


# ---------------------------------------------------------------------------------------------
# CSRF: one random token per session, in every form and in htmx's X-CSRF-Token header


def csrf_token(request: Request) -> str:
    token = request.session.get(CSRF_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_SESSION_KEY] = token
    return str(token)


def new_csrf_token(request: Request) -> str:
    """A fresh token (at sign-in, so that a token seen before signing in is worth nothing)."""
    request.session[CSRF_SESSION_KEY] = secrets.token_urlsafe(32)
    return str(request.session[CSRF_SESSION_KEY])


def csrf_error() -> TrackerError:
    return TrackerError(
        "This form has expired or did not come from this site. Reload the page and try again.",
        403,
        "Forbidden",
        "csrf",
    )


def check_csrf(request: Request, form: Mapping[str, Any]) -> None:
    """Refuse an unsafe request that does not carry the session's token (as the form field or
    as htmx's header)."""
    expected = request.session.get(CSRF_SESSION_KEY)
    given = request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)
    if not expected or not isinstance(given, str) or not secrets.compare_digest(given, expected):
        raise csrf_error()


async def posted_form(request: Request) -> FormData:
    """The submitted form, read once (the handlers themselves run in the thread pool)."""
    return await request.form()


def form_text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


# ---------------------------------------------------------------------------------------------
# Pages and fragments


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def wants_fragment(request: Request) -> bool:
    """htmx asks for a part of the page; a history restore needs the whole page."""
    return is_htmx(request) and not request.headers.get("hx-history-restore-request")


def hx_target(request: Request) -> str:
    return request.headers.get("hx-target") or ""


def page_context(request: Request, principal: Principal) -> dict[str, Any]:
    """What the layout needs: who is signed in, and (for them) the CSRF token."""
    return {
        "principal": principal,
        "csrf": csrf_token(request) if principal.user_id is not None else None,
    }


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The block for htmx (when a block is given), the whole page otherwise."""
    all_headers = {"Vary": VARY, "Cache-Control": PAGE_CACHE_CONTROL, **(headers or {})}
    context = {"request": request, "announce": None, **context}
    if block is not None and wants_fragment(request):
        return templates().TemplateResponse(
            request, name, context, status_code, headers=all_headers, block_name=block
        )
    return templates().TemplateResponse(request, name, context, status_code, headers=all_headers)


def safe_next(url: str | None) -> str:
    """Only a path on this site may follow a sign-in (never //host or a scheme)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


def sign_in_redirect(request: Request, next_url: str) -> Response:
    from urllib.parse import quote

    url = "/login?next=" + quote(safe_next(next_url), safe="/")
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# ---------------------------------------------------------------------------------------------
# Errors


def wants_html(request: Request) -> bool:
    """Pages get an HTML error page; the API and clients that do not ask for HTML get
    problem+json."""
    if request.url.path.startswith("/api/"):
        return False
    return is_htmx(request) or "text/html" in request.headers.get("accept", "")


def error_page(request: Request, error: TrackerError) -> Response:
    headers = {k: v for k, v in error.headers.items() if k.lower() != "www-authenticate"}
    context = {
        "request": request,
        "error": error,
        "principal": None,
        "csrf": None,
        "announce": None,
    }
    block = "error" if wants_fragment(request) else None
    if block:
        return templates().TemplateResponse(
            request, "error.html", context, error.status, headers=headers, block_name=block
        )
    return templates().TemplateResponse(
        request, "error.html", context, error.status, headers=headers
    )


# ---------------------------------------------------------------------------------------------
# Conditional GETs of pages


def page_etag(request: Request, version: str, context: Mapping[str, Any], part: str) -> str:
    """A page (or one of its fragments) for this URL, at this data version, for this viewer: the
    signed-in user and their CSRF token are part of the HTML, so they are part of the ETag."""
    principal = context.get("principal")
    user = principal.user_id if principal is not None else None
    return http.make_etag(
        request, version, variant=http.page_variant(part, user, context.get("csrf"))
    )


def not_modified(etag: str) -> Response:
    return Response(
        status_code=304,
        headers={"ETag": etag, "Vary": VARY, "Cache-Control": PAGE_CACHE_CONTROL},
    )
