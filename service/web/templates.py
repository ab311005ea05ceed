"""The dashboard's rendering: the Jinja2 environment (jinja2-fragments), template globals and
filters, "a block for htmx, the whole page for everyone else", and the HTML error page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import jinja2
import orjson
from jinja2_fragments import render_block
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.actors.models import ACTOR_KINDS
from service.config import get_settings
from service.delivery import masking
from service.delivery.conditional import (
    HTML,
    PAGE,
    PAGE_CACHE_CONTROL,
    PAGE_VARY,
    Document,
    Policy,
    Viewer,
    answer,
)
from service.delivery.keys import cache_key
from service.delivery.version import data_version
from service.items import vocabulary
from service.links.models import RELATION_WORDS
from service.shapes import json_number
from service.sources.models import PRECISIONS
from service.sources.text import paragraph_around, quoted_segments
from service.web import csrf
from service.web.static import HTMX_FILE, static_url

if TYPE_CHECKING:
    from service.errors import TrackerError

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


def format_moment(value: str | dt.datetime | None) -> str:
    """2026-11-23T06:53:12+00:00: a moment for a `<time datetime>` attribute, to the second and
    with its offset (HTML allows three fractional digits at most; the tracker keeps six)."""
    moment = _as_datetime(value)
    return moment.isoformat(timespec="seconds") if moment else ""


def format_recorded_day(value: str | dt.datetime | None) -> str:
    """23 Nov 2026: the day something was recorded here (the time is in the datetime)."""
    moment = _as_datetime(value)
    return f"{moment.day} {moment:%b %Y}" if moment else ""


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


def format_published(source: Any) -> str:
    """A source's date as precisely as its text supports it: 3 March 2015, March 2015, 2015."""
    day = source.published_on
    if not day:
        return "not stated"
    precision = source.published_precision or "day"
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{day:%B %Y}"
    return format_day(day)


def today_iso() -> str:
    """Today in UTC, the latest day a form accepts for when something happened."""
    return dt.datetime.now(dt.UTC).date().isoformat()


def format_percent(share: float | None) -> str:
    return "" if share is None else f"{round(share * 100)}%"


# ---------------------------------------------------------------------------------------------
# The environment


@lru_cache
def templates() -> Jinja2Blocks:
    env = jinja2.Environment(
        extensions=["jinja2.ext.do"],
        loader=jinja2.FileSystemLoader(get_settings().web_dir / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        when=format_when,
        moment=format_moment,
        recorded_day=format_recorded_day,
        day=format_day,
        number=format_number,
        amount=format_amount,
        percent=format_percent,
        plain=json_number,
        published=format_published,
    )
    env.globals.update(
        KINDS=vocabulary.KINDS,
        KIND_BY_CODE=vocabulary.KIND_BY_CODE,
        PHASES=vocabulary.PHASES,
        PHASE_LABELS=vocabulary.PHASE_LABELS,
        ACTOR_KINDS=ACTOR_KINDS,
        PRECISIONS=PRECISIONS,
        status_label=vocabulary.label_of,
        status_label_anywhere=vocabulary.label_anywhere,
        meter_counts=vocabulary.meter_counts,
        today=today_iso,
        SHARED_STATUS_CODES=vocabulary.SHARED_STATUS_CODES,
        OUTCOME_LABELS=vocabulary.OUTCOME_LABELS,
        RELATION_WORDS=RELATION_WORDS,
        urls=urls,
        published=format_published,
        # A quote in its paragraph, and a source's text cut at its quotes: worked out while the
        # page is written, from the values it shows (masked, for the public).
        paragraph_around=paragraph_around,
        quoted_segments=quoted_segments,
        static_url=static_url,
        HTMX_FILE=HTMX_FILE,
        HTMX_CONFIG=orjson.dumps(HTMX_CONFIG).decode(),
    )
    # The shared macros are a global, so that a block rendered on its own can call them too.
    env.globals["ui"] = env.get_template("_partials/ui.html").module
    env.globals["forms"] = env.get_template("_partials/forms.html").module
    return Jinja2Blocks(env=env)


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
        "csrf": csrf.token(request) if principal.user_id is not None else None,
    }


def viewer(request: Request, principal: Principal) -> Viewer:
    """Who a page is made for: the signed-in user and their CSRF token are part of its HTML
    (empty for anonymous readers, whose pages are shared); editors read withheld names."""
    if principal.user_id is None:
        return Viewer()
    return Viewer(key=f"{principal.user_id}|{csrf.token(request)}", sees_names=principal.can_edit)


def page(
    request: Request,
    principal: Principal | None,
    name: str,
    data: Mapping[str, Any],
    *,
    echo: Mapping[str, Any] | None = None,
    block: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    announce: str | None = None,
) -> Document:
    """A page (or, for htmx, its block `block`) before it is written: `data`, the values it
    shows (masked for whoever cannot edit, by the delivery layer), `echo`, what the reader typed
    (shown as typed), and the layout's own values (who is signed in, the CSRF token)."""
    signed = page_context(request, principal) if principal else {"principal": None, "csrf": None}
    layout = {"request": request, "announce": announce, **signed}
    fragment = block if block is not None and wants_fragment(request) else None

    def write(shown: Mapping[str, Any]) -> bytes:
        values = {**shown, **(echo or {}), **layout}
        env = templates().env
        if fragment is not None:
            html = render_block(env, name, fragment, values)
        else:
            html = env.get_template(name).render(values)
        return html.encode("utf-8")

    all_headers = {"Vary": ", ".join(PAGE_VARY), "Cache-Control": PAGE_CACHE_CONTROL}
    return Document(dict(data), write, status_code, {**all_headers, **(headers or {})})


def conditional_page(
    request: Request,
    session: Session,
    principal: Principal,
    build: Callable[[], Document],
    *,
    policy: Policy = PAGE,
) -> Response:
    """A page through the one conditional GET: 304 when the viewer's copy is current; for
    anonymous readers the fast path may serve it next time."""
    return answer(request, session, policy, build, viewer=viewer(request, principal))


def render(
    request: Request, session: Session, principal: Principal, document: Document
) -> Response:
    """A page answered at once (after a form, a fragment of a row): no ETag, masked as the
    conditional pages are, in the request's own session."""
    shown = document.value
    if not principal.can_edit:
        shown = masking.public(shown, masking.masker(session, data_version(session)))
    return Response(
        document.write(shown), document.status, headers=dict(document.headers), media_type=HTML
    )


def render_form(
    request: Request,
    principal: Principal | None,
    name: str,
    echo: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A page that shows no stored data, only the form and what the reader typed in it (signing
    in, an empty form for a new source or actor): nothing to mask."""
    document = page(
        request, principal, name, {}, echo=echo, status_code=status_code, headers=headers
    )
    return Response(document.write({}), document.status, dict(document.headers), media_type=HTML)


def error_page(
    request: Request, error: TrackerError, status: int, headers: Mapping[str, str]
) -> Response:
    context = {
        "request": request,
        "error": error,
        "status": status,
        "principal": None,
        "csrf": None,
        "announce": None,
    }
    block = "error" if wants_fragment(request) else None
    return templates().TemplateResponse(
        request, "error.html", context, status, headers=dict(headers), block_name=block
    )


def fragment_etag(request: Request, principal: Principal, target: str, version: str) -> str:
    """The ETag htmx will get for the block `target` of this same URL, so that a page can hand
    it to its own conditional refresh (`data-etag`)."""
    return cache_key(
        request.url.path,
        request.query_params.multi_items(),
        version,
        viewer=viewer(request, principal).key,
        headers={"HX-Request": "true", "HX-Target": target},
        vary=PAGE_VARY,
    )


def macro(template: str, name: str) -> Callable[..., Markup]:
    """A macro of a template, to render a part of a page on its own (as HTML, escaped as the
    page would escape it) and put it into the page later."""
    return getattr(templates().env.get_template(template).module, name)  # type: ignore[no-any-return]
