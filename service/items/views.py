"""HTML routes of items: the dashboard, an item's page, and the status form, both on the item's
page and inline in a table row. Every route answers htmx with a block of its page's template
and everyone else with the whole page; every form works without JavaScript (post, then 303)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from service import urls
from service.accounts.service import Principal
from service.actors import service as actors
from service.db import SessionDep, read_session, write_session
from service.errors import Conflict, Forbidden, Invalid
from service.events import service as events
from service.items import listing, replies
from service.items import service as items
from service.items.models import ItemFilters, ItemList, ItemPublic, StatusChange
from service.links import service as links
from service.sources import service as sources
from service.sources.text import paragraph_around
from service.web import csrf
from service.web.deps import CurrentPrincipal
from service.web.forms import PostedForm, form_text, see_other, sentence, sign_in_redirect
from service.web.problems import field_errors
from service.web.templates import (
    conditional_page,
    fragment_etag,
    hx_target,
    page_context,
    render,
    wants_fragment,
)
from service.withheld import service as withheld

router = APIRouter(include_in_schema=False, redirect_slashes=False)

DASHBOARD = "items/dashboard.html"
ITEM_PAGE = "items/item.html"
PAGE_SIZE = 25
LATEST_CHANGES = 8
# The dashboard's parts that htmx may ask for by id (HX-Target); the results are the default.
DASHBOARD_BLOCKS = ("summary", "results", "latest")
STATUS_FIELDS = ("status", "note", "evidence_url", "progress_value")
# Sent with a change, so that the dashboard's summary and latest changes reload themselves.
CHANGED_EVENT = "tracker:changed"
FLASH_KEY = "flash"
EMPTY_PAGE = ItemList(items=[], next_cursor=None, total=0)


# ---------------------------------------------------------------------------------------------
# The dashboard


def _dashboard_block(request: Request) -> str | None:
    if not wants_fragment(request):
        return None
    target = hx_target(request)
    return target if target in DASHBOARD_BLOCKS else "results"


def _dashboard_filters(
    request: Request,
) -> tuple[dict[str, Any], ItemFilters, dict[str, str]]:
    """The filter bar's values as typed, the filters they make, and what is wrong with them."""
    query = request.query_params
    shown: dict[str, Any] = {
        name: query.get(name, "").strip() for name in ("kind", "status", "actor", "q")
    }
    shown["overdue"] = query.get("overdue") == "true"
    given: dict[str, Any] = {name: shown[name] or None for name in ("kind", "actor", "q")}
    given["status"] = [s.strip() for s in query.getlist("status") if s.strip()]
    given["overdue"] = True if shown["overdue"] else None
    try:
        return shown, ItemFilters.model_validate(given), {}
    except ValidationError as exc:
        errors = {e.field: sentence(e.message) for e in field_errors(list(exc.errors()))}
        return shown, ItemFilters(), errors


def _dashboard_url(request: Request, cursor: str | None) -> str:
    """This filtered view at another page (or the first); empty fields are left out."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor" and v != ""]
    if cursor:
        params.append(("cursor", cursor))
    return "/" + ("?" + urlencode(params) if params else "")


def _results(request: Request, session: Session, context: dict[str, Any]) -> int:
    """Fill in the items table; returns the status code (422 when a filter is wrong)."""
    shown, filters, errors = _dashboard_filters(request)
    page, status_code = EMPTY_PAGE, 200
    if errors:
        status_code = 422
    else:
        try:
            page = listing.list_page(
                session, filters=filters, limit=PAGE_SIZE, cursor=request.query_params.get("cursor")
            )
        except Invalid as exc:
            errors = {e.field: e.message for e in exc.errors}
            status_code = 422
    if "cursor" in errors:
        errors["cursor"] = "This page link no longer works."
    query = request.url.query
    context.update(
        filters=shown,
        filter_errors=errors,
        page=page,
        results_url=request.url.path + ("?" + query if query else ""),
        results_etag=fragment_etag(request, session, context, "results"),
        next_url=_dashboard_url(request, page.next_cursor) if page.next_cursor else None,
        first_url=_dashboard_url(request, None) if request.query_params.get("cursor") else None,
    )
    return status_code


@router.get("/")
def dashboard(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    context = page_context(request, principal)
    block = _dashboard_block(request)

    def build() -> Response:
        context.update(edit=None, focus_edit=False)
        status_code = 200
        if block in (None, "summary"):
            context["summary"] = listing.summary(session)
        if block in (None, "latest"):
            context["latest"] = events.latest(session, limit=LATEST_CHANGES)
        if block in (None, "results"):
            status_code = _results(request, session, context)
        if block is None:
            context["actors"] = actors.get_all(session)
        headers = {}
        if block == "results" and request.headers.get("if-none-match"):
            # The table's conditional refresh found new data: the other parts follow.
            headers["HX-Trigger"] = CHANGED_EVENT
        return render(
            request, DASHBOARD, context, block=block, status_code=status_code, headers=headers
        )

    # The table's refresh carries a trigger for the other parts: only its 304 is reused.
    return conditional_page(request, session, context, build, cache_body=block != "results")


# ---------------------------------------------------------------------------------------------
# The status form


@dataclass
class StatusForm:
    """What the status form shows: the values (as typed), the version the editor started from,
    and what went wrong."""

    values: dict[str, str]
    expected_version: int
    errors: dict[str, str] = field(default_factory=dict)
    conflict: str | None = None
    focus_status: bool = False

    @property
    def first_error(self) -> str | None:
        return next((name for name in STATUS_FIELDS if name in self.errors), None)

    @classmethod
    def blank(cls, item: ItemPublic, *, version: int | None = None) -> StatusForm:
        values = {"status": item.status, "note": "", "evidence_url": "", "progress_value": ""}
        return cls(values=values, expected_version=version or item.version)


_PYDANTIC_MESSAGES = {
    "string_too_short": "This cannot be empty.",
    "missing": "This cannot be empty.",
}


def _read_status_form(form: FormData, item: ItemPublic) -> tuple[StatusForm, StatusChange | None]:
    values = {name: form_text(form, name) for name in STATUS_FIELDS}
    expected = form_text(form, "expected_version").strip()
    version = (
        int(expected) if expected.isascii() and expected.isdigit() and len(expected) < 10 else None
    )
    state = StatusForm(values=values, expected_version=version or item.version)
    progress: float | None = None
    raw_progress = values["progress_value"].strip()
    if raw_progress:
        try:
            progress = float(raw_progress)
        except ValueError:
            progress = None
        if progress is None or not math.isfinite(progress) or progress < 0:
            state.errors["progress_value"] = "Give a number of zero or more, such as 40."
    if state.errors:
        return state, None
    try:
        change = StatusChange(
            status=values["status"],
            note=values["note"],
            evidence_url=values["evidence_url"].strip() or None,
            progress_value=progress,
            expected_version=version,
        )
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "form"
            message = _PYDANTIC_MESSAGES.get(error["type"], error["msg"])
            state.errors.setdefault(name if name in STATUS_FIELDS else "form", message)
        return state, None
    return state, change


@dataclass
class PageForm:
    """A form of the item page other than the status form (a reply, a link): the values as
    typed and what went wrong, by field."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def item_context(
    session: Session,
    item: ItemPublic,
    context: dict[str, Any],
    state: StatusForm | None,
    announce: str | None = None,
    *,
    reply_form: PageForm | None = None,
    link_form: PageForm | None = None,
    withheld_form: PageForm | None = None,
) -> dict[str, Any]:
    principal: Principal = context["principal"]
    source = sources.get(session, slug=item.source.slug)
    before, quote, after = paragraph_around(source.text, item.quote_start, item.quote_end)
    history = events.history(session, item_id=item.id)
    editing: dict[str, Any] = {"reply_form": None, "link_form": None, "withheld_form": None}
    if principal.can_edit:
        editing = {
            "withheld_form": withheld_form or PageForm(),
            "withheld_names": withheld.of_item(session, item_id=item.id),
            "reply_form": reply_form or PageForm(values={"by": item.actor.slug}),
            "link_form": link_form or PageForm(),
            "actor_options": [(a.slug, a.name) for a in actors.get_all(session)],
            "source_options": [(s.slug, s.title) for s in sources.get_all_public(session)],
        }
    return {
        **context,
        **editing,
        "item": item,
        "history": history,
        "replies": replies.of_history(history),
        "linked": links.links_of(session, item_id=item.id),
        "quote": {"before": before, "text": quote, "after": after},
        "state": (state or StatusForm.blank(item)) if principal.can_edit else None,
        "announce": announce,
    }


@router.get("/items/{ref}")
def item_page(
    ref: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    item = items.get(session, ref=ref)
    if ref != item.slug:
        return RedirectResponse(urls.item(item.slug), status_code=301)
    context = page_context(request, principal)
    announce = request.session.pop(FLASH_KEY, None) if principal.user_id is not None else None

    def build() -> Response:
        return render(
            request, ITEM_PAGE, item_context(session, item, context, None, announce), block="item"
        )

    if announce is not None:  # shown once: never a 304, never reused
        return build()
    return conditional_page(request, session, context, build)


def _row(
    request: Request,
    context: dict[str, Any],
    item: ItemPublic,
    *,
    edit: StatusForm | None = None,
    announce: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {**context, "item": item, "edit": edit, "announce": announce, "focus_edit": True}
    return render(
        request, DASHBOARD, context, block="row", status_code=status_code, headers=headers
    )


@router.get("/items/{ref}/row")
def item_row(
    ref: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    """A table row, as htmx swaps it back after an inline edit is cancelled."""
    item = items.get(session, ref=ref)
    if not wants_fragment(request):
        return see_other(urls.item(item.slug))
    return _row(request, page_context(request, principal), item)


@router.get("/items/{ref}/row/edit")
def item_row_edit(
    ref: str,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    version: int | None = None,
) -> Response:
    """A table row holding the status form (`version` is the one the editor saw in the table)."""
    item = items.get(session, ref=ref)
    if principal.user_id is None:
        return sign_in_redirect(request, urls.item(item.slug))
    if not principal.can_edit:
        raise Forbidden("Editors and admins only.")
    if not wants_fragment(request):
        return see_other(urls.item(item.slug) + "#change-status")
    state = StatusForm.blank(item, version=version)
    state.focus_status = True
    return _row(request, page_context(request, principal), item, edit=state)


@router.post("/items/{ref}/status")
def change_status(
    ref: str, request: Request, principal: CurrentPrincipal, form: PostedForm
) -> Response:
    if principal.user_id is None:
        return sign_in_redirect(request, urls.item(ref))
    csrf.check(request, form)
    if not principal.can_edit:
        raise Forbidden("Editors and admins only.")
    with read_session() as session:
        before = items.get(session, ref=ref)
    state, change = _read_status_form(form, before)
    updated = None
    if change is not None:
        try:
            with write_session() as session:
                updated = items.record_status_change(
                    session, ref=before.id, change=change, user_id=principal.user_id
                )
        except Invalid as exc:
            for error in exc.errors:
                name = error.field if error.field in STATUS_FIELDS else "form"
                state.errors.setdefault(name, sentence(error.message))
        except Conflict as exc:
            state.conflict = exc.detail
    announce = None
    if updated is not None:
        announce = f"Status of “{updated.title}” changed to {updated.status_label}."
        if not wants_fragment(request):
            request.session[FLASH_KEY] = announce
            return see_other(urls.item(updated.slug))
    status_code = 200 if updated is not None else 409 if state.conflict else 422
    headers = {"HX-Trigger": CHANGED_EVENT} if updated is not None else {}
    context = page_context(request, principal)
    with read_session() as session:
        item = items.get(session, ref=before.id)
        if state.conflict:
            # Show the new state, keep what the editor typed, and let them save over it knowingly.
            state.expected_version = item.version
        if updated is not None:
            state = StatusForm.blank(item)
        if wants_fragment(request) and hx_target(request).startswith("row-"):
            return _row(
                request,
                context,
                item,
                edit=None if updated is not None else state,
                announce=announce,
                status_code=status_code,
                headers=headers,
            )
        return render(
            request,
            ITEM_PAGE,
            item_context(session, item, context, state, announce),
            block="item",
            status_code=status_code,
            headers=headers,
        )
