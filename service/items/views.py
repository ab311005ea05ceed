"""HTML routes of items: the dashboard, an item's page, and the status form, both on the item's
page and inline in a table row. Every route answers htmx with a block of its page's template
and everyone else with the whole page; every form works without JavaScript (post, then 303)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from markupsafe import Markup
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from service import urls
from service.accounts.service import Principal
from service.actors import service as actors
from service.db import SessionDep, one_build_at_a_time, read_session, write_session
from service.errors import Conflict, Forbidden, Invalid
from service.events import service as events
from service.items import listing, replies, vocabulary
from service.items import service as items
from service.items.charts import progress_chart
from service.items.models import (
    DEFAULT_SORT,
    MAX_SEARCH,
    SORTS,
    ItemFilters,
    ItemList,
    ItemPublic,
    StatusChange,
    Summary,
)
from service.links import service as links
from service.links.models import ItemBrief
from service.sources import service as sources
from service.sources.text import paragraph_around
from service.web import csrf
from service.web.conditional import data_version
from service.web.deps import CurrentPrincipal
from service.web.forms import PostedForm, form_text, see_other, sentence, sign_in_redirect
from service.web.kept import kept
from service.web.kept import scope as kept_scope
from service.web.problems import field_errors
from service.web.templates import (
    conditional_page,
    fragment_etag,
    hx_target,
    macro,
    page_context,
    render,
    wants_fragment,
)
from service.withheld import service as withheld

router = APIRouter(include_in_schema=False, redirect_slashes=False)

DASHBOARD = "items/dashboard.html"
DASHBOARD_PARTS = "items/_dashboard_parts.html"
ITEM_PAGE = "items/item.html"
PAGE_SIZE = 25
TARGETS_SIZE = 12
HEADLINE_SIZE = 4
LATEST_CHANGES = 8
# The dashboard's parts that htmx may ask for by id (HX-Target); the results are the default.
DASHBOARD_BLOCKS = ("summary", "results", "latest")
STATUS_FIELDS = ("status", "note", "occurred_on", "evidence_url", "progress_value")
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


@dataclass
class DashboardView:
    """The filter bar's values as typed, the filters and order they make, what is wrong with
    them, and what was left out (a status of another kind) with the reason."""

    shown: dict[str, Any]
    filters: ItemFilters
    sort: str = DEFAULT_SORT
    errors: dict[str, str] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)


def _dashboard_filters(request: Request) -> DashboardView:
    query = request.query_params
    shown: dict[str, Any] = {
        name: query.get(name, "").strip() for name in ("kind", "status", "actor", "q")
    }
    shown["overdue"] = query.get("overdue") == "true"
    shown["outcome"] = [o for o in query.getlist("outcome") if o.strip()]
    shown["responsible"] = query.get("responsible", "").strip()
    errors: dict[str, str] = {}
    notices: list[str] = []
    statuses = [s.strip() for s in query.getlist("status") if s.strip()]
    unknown = [s for s in statuses if s not in vocabulary.STATUS_CODES]
    if unknown:
        errors["status"] = (
            f"“{unknown[0]}” is not a status the tracker knows: choose one from the list."
        )
    kind = vocabulary.KIND_BY_CODE.get(shown["kind"])
    if kind is not None:
        # A status of another kind cannot match: leave it out, and say so.
        for code in [s for s in statuses if s in vocabulary.STATUS_CODES]:
            if kind.status(code) is None:
                statuses.remove(code)
                owners = [k.plural.lower() for k in vocabulary.KINDS if k.status(code)]
                label = vocabulary.label_anywhere(code)
                notices.append(
                    f"“{label}” is a status of {' and '.join(owners)}, not of "
                    f"{kind.plural.lower()}, so it was left out."
                )
        shown["status"] = statuses[0] if statuses else ""
    asked = query.get("sort", "").strip() or None
    if asked is not None and asked not in SORTS:
        errors["sort"] = "That order is not one the list offers: showing the default order."
        asked = None
    given: dict[str, Any] = {
        name: shown[name] or None for name in ("kind", "actor", "q", "responsible")
    }
    given["status"] = [] if "status" in errors else statuses
    given["outcome"] = shown["outcome"]
    given["overdue"] = True if shown["overdue"] else None
    try:
        filters = ItemFilters.model_validate(given)
    except ValidationError as exc:
        for e in field_errors(list(exc.errors())):
            errors.setdefault(e.field, _FILTER_MESSAGES.get(e.field, sentence(e.message)))
        filters = ItemFilters()
    # Without an order asked for: the best matches first when searching, else the latest.
    return DashboardView(shown, filters, listing.effective_sort(filters, asked), errors, notices)


_FILTER_MESSAGES = {
    "kind": "Choose commitments, allegations or proposals.",
    "outcome": "That outcome is not one the tracker knows.",
    "q": f"Search for at most {MAX_SEARCH} characters.",
}


def _dashboard_url(
    request: Request, *, drop: tuple[str, ...] = (), add: tuple[tuple[str, str], ...] = ()
) -> str:
    """This view with some parameters left out or added; empty fields are left out."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in drop and v != ""]
    return "/" + ("?" + urlencode([*params, *add]) if params or add else "")


def _page_url(request: Request, cursor: str | None) -> str:
    return _dashboard_url(request, drop=("cursor",), add=(("cursor", cursor),) if cursor else ())


def _sort_url(request: Request, filters: ItemFilters) -> Any:
    default = listing.effective_sort(filters, None)

    def url(key: str) -> str:
        add = (("sort", key),) if key != default else ()
        return _dashboard_url(request, drop=("cursor", "sort"), add=add)

    return url


def _ways_out(request: Request, view: DashboardView, actors_by_slug: dict[str, str]) -> list[Any]:
    """For an empty result: each filter in words, with a link to the view without it."""
    shown, ways = view.shown, []
    kind = vocabulary.KIND_BY_CODE.get(shown["kind"])
    if kind:
        ways.append(
            (f"kind: {kind.plural.lower()}", _dashboard_url(request, drop=("kind", "cursor")))
        )
    if shown["status"] and view.filters.status:
        label = vocabulary.label_anywhere(shown["status"])
        ways.append((f"status: {label}", _dashboard_url(request, drop=("status", "cursor"))))
    if shown["outcome"]:
        labels = ", ".join(vocabulary.OUTCOME_LABELS.get(o, o).lower() for o in shown["outcome"])
        ways.append((f"outcome: {labels}", _dashboard_url(request, drop=("outcome", "cursor"))))
    for name, word in (("actor", "actor"), ("responsible", "responsible")):
        if shown[name]:
            who = actors_by_slug.get(shown[name], shown[name])
            ways.append((f"{word}: {who}", _dashboard_url(request, drop=(name, "cursor"))))
    if shown["q"]:
        ways.append((f"text: “{shown['q']}”", _dashboard_url(request, drop=("q", "cursor"))))
    if shown["overdue"]:
        ways.append(("only overdue", _dashboard_url(request, drop=("overdue", "cursor"))))
    return ways


def _results(
    request: Request,
    session: Session,
    context: dict[str, Any],
    view: DashboardView,
    shared: DashboardParts,
) -> int:
    """Fill in the items table; returns the status code (422 when a filter is wrong)."""
    filters, errors = view.filters, dict(view.errors)
    page, status_code, before = EMPTY_PAGE, 200, 0
    cursor = request.query_params.get("cursor")
    if errors and set(errors) != {"sort"}:
        status_code = 422
    else:
        try:
            page = listing.list_page(
                session, filters=filters, sort=view.sort, limit=PAGE_SIZE, cursor=cursor
            )
            if cursor:
                before = listing.rows_before(
                    session, filters=filters, sort=view.sort, cursor=cursor
                )
        except Invalid as exc:
            errors.update({e.field: e.message for e in exc.errors})
            status_code = 422
    if "cursor" in errors:
        errors["cursor"] = "This page link no longer works."
    if "sort" in errors:
        status_code = 422
    query = request.url.query
    actors_by_slug = {a.slug: a.name for a in shared.actors}
    context.update(
        filters=view.shown,
        filter_errors=errors,
        filter_notices=view.notices,
        sort=view.sort,
        sort_url=_sort_url(request, view.filters),
        page=page,
        first_shown=before + 1,
        last_shown=before + len(page.items),
        ways_out=_ways_out(request, view, actors_by_slug) if page.total == 0 else [],
        results_url=request.url.path + ("?" + query if query else ""),
        results_etag=fragment_etag(request, session, context, "results", shared.version),
        next_url=_page_url(request, page.next_cursor) if page.next_cursor else None,
        first_url=_page_url(request, None) if cursor else None,
        summary_query={k: view.shown[k] for k in ("actor", "q", "responsible") if view.shown[k]},
        parts=shared.parts_of(page),
    )
    return status_code


def _headlines(session: Session) -> dict[str, Any]:
    """What a reader opens the tracker for: the numeric targets, then what is still open."""

    def waiting(kind: str) -> ItemList:
        return listing.list_page(
            session,
            filters=ItemFilters.model_validate({"kind": kind, "outcome": ["pending"]}),
            sort="title",
            limit=HEADLINE_SIZE,
        )

    return {
        "targets": listing.with_targets(session, limit=TARGETS_SIZE),
        "open_allegations": waiting("allegation"),
        "live_proposals": waiting("proposal"),
    }


@dataclass(frozen=True)
class ActorChoice:
    """An actor as the filter bar offers it (plain values, safe to share between requests)."""

    slug: str
    name: str


@dataclass
class DashboardParts:
    """The dashboard's parts that depend on the data alone (and on today, and on whether the
    viewer edits), not on the view's search, filters or page: computed once per data version
    (`kept`) and reused by every request at that version. Each is built on first use."""

    session: Session
    version: str
    can_edit: bool
    scope: tuple[str, str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.scope = kept_scope(self.session, self.version)
        # The withheld names of this version: the search, the summary and the page's masking
        # ask for them, and need not read them again.
        names = kept.get(self.scope, "withheld", lambda: withheld.masker(self.session))
        withheld.use_masker(self.session, names)

    def _kept(self, key: Hashable, make: Callable[[], Any]) -> Any:
        # The viewer's role is part of every key: a part rendered for an editor (who sees
        # withheld names until the page is masked) is never handed to anyone else.
        return kept.get(self.scope, (key, self.can_edit), make)

    def parts_of(self, page: ItemList) -> dict[int, list[ItemBrief]]:
        """The parts of the page's items, read only for those that have any."""
        parents = kept.get(self.scope, "parents", lambda: links.parents(self.session))
        return links.parts_of(self.session, [i.id for i in page.items if i.id in parents])

    @property
    def actors(self) -> tuple[ActorChoice, ...]:
        return self._kept(  # type: ignore[no-any-return]
            "actors",
            lambda: tuple(ActorChoice(a.slug, a.name) for a in actors.get_all(self.session)),
        )

    def summary(self, filters: ItemFilters) -> Summary:
        """The summary of a view. Without a search it depends on the data and the view's
        filters alone, and is kept whole; with one, its counts are of the search's matches, but
        its overdue count (which the search does not narrow) and the last change are kept."""
        if filters.q is None:
            return self._kept(  # type: ignore[no-any-return]
                ("summary", filters.model_dump_json()),
                lambda: listing.summary(self.session, filters=filters),
            )
        today = dt.datetime.now(dt.UTC).date()
        besides_search = filters.model_copy(update={"q": None})
        overdue = self._kept(
            ("overdue", besides_search.model_dump_json()),
            lambda: listing.overdue_count(self.session, filters=besides_search, today=today),
        )
        last_change_at = self._kept("last_change_at", lambda: events.last_change_at(self.session))
        return listing.summary(
            self.session, filters=filters, overdue=overdue, last_change_at=last_change_at
        )

    @property
    def headlines_html(self) -> Markup:
        return self._kept(  # type: ignore[no-any-return]
            "headlines", lambda: macro(DASHBOARD_PARTS, "headlines")(**_headlines(self.session))
        )

    @property
    def latest_html(self) -> Markup:
        return self._kept(  # type: ignore[no-any-return]
            "latest",
            lambda: macro(DASHBOARD_PARTS, "latest_changes")(
                events.latest(self.session, limit=LATEST_CHANGES)
            ),
        )


@router.get("/")
def dashboard(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    context = page_context(request, principal)
    block = _dashboard_block(request)

    def build() -> Response:
        with one_build_at_a_time(session):
            return build_page()

    def build_page() -> Response:
        context.update(edit=None, focus_edit=False, oob_summary=block == "results")
        shared = DashboardParts(session, data_version(session), principal.can_edit)
        view = _dashboard_filters(request)
        status_code = 200
        if block in (None, "summary", "results"):
            summary_filters = view.filters if not view.errors else ItemFilters()
            # The counts follow the view's actor and text, not its kind or status: the meters
            # are where a reader picks those.
            summary_filters = summary_filters.model_copy(
                update={"kind": None, "status": [], "outcome": [], "overdue": None}
            )
            context["summary"] = shared.summary(summary_filters)
            context["summary_filtered"] = not summary_filters.is_empty
        if block in (None, "latest"):
            context["latest_html"] = shared.latest_html
        if block in (None, "summary", "results"):
            status_code = _results(request, session, context, view, shared)
        if block is None:
            context["actors"] = shared.actors
            context["headlines_html"] = shared.headlines_html
        headers = {}
        if block == "results" and request.headers.get("if-none-match"):
            # The table's conditional refresh found new data: the other parts follow.
            headers["HX-Trigger"] = CHANGED_EVENT
        return render(
            request,
            DASHBOARD,
            context,
            block=block,
            status_code=status_code,
            headers=headers,
            session=session,
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
        values = dict.fromkeys(STATUS_FIELDS, "")
        values["status"] = item.status
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
    occurred_on: dt.date | None = None
    raw_day = values["occurred_on"].strip()
    if raw_day:
        try:
            occurred_on = dt.date.fromisoformat(raw_day)
        except ValueError:
            state.errors["occurred_on"] = "Give a date such as 2015-03-03, or leave it empty."
    if state.errors:
        return state, None
    try:
        change = StatusChange(
            status=values["status"],
            note=values["note"],
            evidence_url=values["evidence_url"].strip() or None,
            progress_value=progress,
            expected_version=version,
            occurred_on=occurred_on,
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
        "source": source,
        "history": history,
        "chart": progress_chart(item, history),
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
            request,
            ITEM_PAGE,
            item_context(session, item, context, None, announce),
            block="item",
            session=session,
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
    with read_session() as session:
        parts = links.parts_of(session, [item.id])
    context = {
        **context,
        "item": item,
        "edit": edit,
        "announce": announce,
        "focus_edit": True,
        "parts": parts,
    }
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
            with write_session(alone=False) as session:
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
