"""The dashboard (`/`): the summary, the headlines, the filter bar, the items table and the latest
changes. htmx asks for one block of it (the results, the summary, the latest changes) by its id;
everyone else gets the whole page. Its query is read by `dashboard_query`."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from markupsafe import Markup
from sqlmodel import Session
from starlette.responses import Response

from service.accounts.service import Principal
from service.actors import service as actors
from service.db import one_build_at_a_time
from service.delivery import masking
from service.delivery.conditional import PAGE, PAGE_UNKEPT, Document
from service.delivery.store import Scope, scope, store
from service.delivery.version import data_version
from service.errors import Invalid
from service.events import service as events
from service.items import dashboard_query as query
from service.items import listing, vocabulary
from service.items import summary as summaries
from service.items.claim_dates import SourceDate, source_dates
from service.items.deadlines import Deadlines, deadlines
from service.items.filters import ItemFilters
from service.items.models import ItemList, ItemPublic, Summary
from service.links import service as links
from service.links.models import ItemBrief
from service.web.deps import CurrentPrincipal, SessionDep
from service.web.templates import (
    conditional_page,
    fragment_etag,
    hx_target,
    macro,
    page,
    render,
    wants_fragment,
)

router = APIRouter(include_in_schema=False, redirect_slashes=False)

DASHBOARD = "items/dashboard.html"
DASHBOARD_PARTS = "items/_dashboard_parts.html"
PAGE_SIZE = 25
TARGETS_SIZE = 12
HEADLINE_SIZE = 4
LATEST_CHANGES = 8
# The dashboard's parts that htmx may ask for by id (HX-Target); the results are the default.
DASHBOARD_BLOCKS = ("summary", "results", "latest")
# What a form that redirects to the dashboard (the bulk status change) leaves in the session
# for the page to say once.
FLASH_KEY = "dashboard_flash"
# Sent with a change, so that the dashboard's summary and latest changes reload themselves.
CHANGED_EVENT = "tracker:changed"
EMPTY_PAGE = ItemList(items=[], next_cursor=None, total=0)


def _block(request: Request) -> str | None:
    if not wants_fragment(request):
        return None
    target = hx_target(request)
    return target if target in DASHBOARD_BLOCKS else "results"


@dataclass(frozen=True)
class ActorChoice:
    """An actor as the filter bar offers it (plain values, safe to share between requests)."""

    slug: str
    name: str


@dataclass
class DashboardParts:
    """The dashboard's parts that depend on the data alone (and on today, and on whether the
    viewer edits), not on the view's search, filters or page: computed once per data version
    and kept with it (`delivery.store`). The parts kept as HTML are rendered from values
    already masked for whoever cannot edit."""

    session: Session
    version: str
    can_edit: bool
    where: Scope = field(init=False)

    def __post_init__(self) -> None:
        self.where = scope(self.session.get_bind().engine.url, self.version)

    def _kept(self, key: Hashable, make: Callable[[], Any]) -> Any:
        # The viewer's role is part of every key: a part rendered for an editor (who reads
        # withheld names) is never handed to anyone else.
        return store.value(self.where, (key, self.can_edit), make)

    def _shown(self, value: Any) -> Any:
        if self.can_edit:
            return value
        return masking.public(value, masking.masker(self.session, self.version))

    def parts_of(self, page: ItemList) -> dict[int, list[ItemBrief]]:
        """The parts of the page's items, read only for those that have any."""
        parents = store.value(self.where, "parents", lambda: links.parents(self.session))
        return links.parts_of(self.session, [i.id for i in page.items if i.id in parents])

    @property
    def actors(self) -> tuple[ActorChoice, ...]:
        def make() -> tuple[ActorChoice, ...]:
            choices = tuple(ActorChoice(a.slug, a.name) for a in actors.get_all(self.session))
            # In the order of the names as this viewer reads them (the order of a withheld
            # name would tell where it sorts).
            return tuple(sorted(self._shown(choices), key=lambda a: (a.name, a.slug)))

        return self._kept("actors", make)  # type: ignore[no-any-return]

    def deadlines(self, filters: ItemFilters) -> Deadlines:
        """The deadlines of a view (its search included); kept when there is no search."""

        def make() -> Deadlines:
            return deadlines(self.session, filters=filters, today=dt.datetime.now(dt.UTC).date())

        if filters.q is None:
            return self._kept(("deadlines", filters.model_dump_json()), make)  # type: ignore[no-any-return]
        return make()

    def summary(self, filters: ItemFilters) -> Summary:
        """The summary of a view. Without a search it depends on the data and the view's
        filters alone, and is kept whole; with one, its counts and its overdue count are of the
        search's matches, and the last change is kept."""
        overdue = self.deadlines(filters).overdue
        if filters.q is None:
            return self._kept(  # type: ignore[no-any-return]
                ("summary", filters.model_dump_json()),
                lambda: summaries.summary(self.session, filters=filters, overdue=overdue),
            )
        last_change_at = self._kept("last_change_at", lambda: events.last_change_at(self.session))
        return summaries.summary(
            self.session, filters=filters, overdue=overdue, last_change_at=last_change_at
        )

    @property
    def source_dates(self) -> dict[str, SourceDate]:
        return self._kept("source_dates", lambda: source_dates(self.session))  # type: ignore[no-any-return]

    @property
    def headlines_html(self) -> Markup:
        return self._kept(  # type: ignore[no-any-return]
            "headlines",
            lambda: macro(DASHBOARD_PARTS, "headlines")(**self._shown(_headlines(self.session))),
        )

    @property
    def latest_html(self) -> Markup:
        return self._kept(  # type: ignore[no-any-return]
            "latest",
            lambda: macro(DASHBOARD_PARTS, "latest_changes")(
                self._shown(events.latest(self.session, limit=LATEST_CHANGES))
            ),
        )


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


def _results(
    request: Request,
    principal: Principal,
    session: Session,
    view: query.DashboardView,
    shared: DashboardParts,
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """The items table: its data, what the reader typed and the links of the view, and the
    status code (422 when a filter is wrong)."""
    filters, errors = view.filters, dict(view.errors)
    found, status_code, before = EMPTY_PAGE, 200, 0
    cursor = request.query_params.get("cursor")
    if errors and set(errors) != {"sort"}:
        status_code = 422
    else:
        try:
            found = listing.list_page(
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
    link = request.url.query
    # The ways out name actors as the public reads them.
    named = {a.slug: a.name for a in shared._shown(shared.actors)}
    data = {"page": found, "parts": shared.parts_of(found)}
    echo = {
        "filters": view.shown,
        "filter_errors": errors,
        "filter_notices": view.notices,
        "sort": view.sort,
        "sort_url": query.sort_url(request, view.filters),
        "default_sort": listing.effective_sort(view.filters, None),
        "first_shown": before + 1,
        "last_shown": before + len(found.items),
        "ways_out": query.ways_out(request, view, named) if found.total == 0 else [],
        "results_url": request.url.path + ("?" + link if link else ""),
        "results_etag": fragment_etag(request, principal, "results", shared.version),
        "next_url": query.page_url(request, found.next_cursor) if found.next_cursor else None,
        "first_url": query.page_url(request, None) if cursor else None,
        "summary_query": {k: view.shown[k] for k in ("actor", "q", "responsible") if view.shown[k]},
    }
    return data, echo, status_code


DRAFTS_SHOWN = 20


# The bulk status change's fields, named as the API names them.
BULK_FIELDS = ("status", "note", "occurred_on", "evidence_url")


@dataclass
class BulkForm:
    """The form that changes the status of many items at once (editors only), as typed: the
    items ticked (by id), whether the whole page or every item that matches the filter was
    chosen, the fields, what went wrong, the items that changed since the page was loaded, and
    what was done."""

    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(BULK_FIELDS, ""))
    ticked: set[int] = field(default_factory=set)
    page_all: bool = False
    matching: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    item_errors: list[str] = field(default_factory=list)
    stale: list[ItemPublic] = field(default_factory=list)
    done: str | None = None

    @property
    def first_error(self) -> str | None:
        return next((name for name in ("items", *BULK_FIELDS) if name in self.errors), None)

    @property
    def in_use(self) -> bool:
        """Whether the form has something to show (it is then open, even on a phone)."""
        return bool(self.errors or self.item_errors or self.stale or self.done or self.ticked)


@dataclass(frozen=True)
class BulkChoices:
    """What the bulk form offers on a page: the view's query (posted back), the newest event
    id when the page was read (items with a later event have changed since), and the kinds of
    the items that match the filter."""

    query: str
    as_of: int
    kinds: tuple[str, ...]
    # The matching items and their versions, as the page read them (empty when the page does
    # not offer "all that match").
    digest: str = ""


def matching_digest(session: Session, view: query.DashboardView) -> str:
    """A digest of every item the view matches, with its version: the same digest later means
    that no matching item changed, appeared or went since, whatever the event ids (on
    PostgreSQL a change committed just after the page was read may hold a lower id than the
    newest the page saw)."""
    return versions_digest(
        (row.id, row.version) for row in listing.iter_all(session, filters=view.filters)
    )


def versions_digest(pairs: Iterable[tuple[int, int]]) -> str:
    """The digest of items' (id, version) pairs, whatever their order."""
    return hashlib.sha256(repr(sorted(pairs)).encode()).hexdigest()[:32]


def _matching_kinds(session: Session, view: query.DashboardView, total: int) -> tuple[str, ...]:
    """The kinds of the items the view matches (one query per kind, without a kind filter)."""
    if view.filters.kind:
        return (view.filters.kind,)
    if total == 0:
        return ()
    found = []
    for kind in vocabulary.KIND_CODES:
        try:
            page = listing.page_rows(
                session, filters=view.filters.model_copy(update={"kind": kind}), limit=1
            )
        except Invalid:
            continue
        if page.total:
            found.append(kind)
    return tuple(found)


def dashboard_document(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    block: str | None,
    bulk: BulkForm | None = None,
    announce: str | None = None,
    status_code: int | None = None,
    headers: dict[str, str] | None = None,
) -> Document:
    """The dashboard (or its block `block`) for the view in `request`'s query; for editors
    with the bulk form (`bulk`: as typed, after a post)."""
    shared = DashboardParts(session, data_version(session), principal.can_edit)
    view = query.read_view(request)
    found_status = 200
    data: dict[str, Any] = {}
    echo: dict[str, Any] = {
        "edit": None,
        "focus_edit": False,
        # A table swapped by htmx brings the parts around it that follow the view: the
        # panels before and after it, and the status list of the chosen kind.
        "oob_parts": block == "results",
        "filtered": view.filtered,
        "bulk": None,
        "bulk_choices": None,
        "flash": announce,
    }
    if block in (None, "summary", "results"):
        summary_filters = view.filters if not view.errors else ItemFilters()
        # The counts follow the view's actor and text, not its kind or status: the meters
        # are where a reader picks those.
        summary_filters = summary_filters.model_copy(
            update={"kind": None, "status": [], "outcome": [], "overdue": None}
        )
        data["summary"] = shared.summary(summary_filters)
        data["deadlines"] = shared.deadlines(summary_filters)
        echo["summary_filtered"] = not summary_filters.is_empty
        results, typed, found_status = _results(request, principal, session, view, shared)
        data.update(results)
        data["source_dates"] = shared.source_dates
        echo.update(typed)
        if principal.can_edit and block in (None, "results"):
            echo["bulk"] = bulk or BulkForm()
            total = results["page"].total
            offers_matching = view.filtered and total > 1 and not view.errors
            echo["bulk_choices"] = BulkChoices(
                query=request.url.query,
                as_of=events.newest_id(session),
                kinds=_matching_kinds(session, view, total),
                digest=matching_digest(session, view) if offers_matching else "",
            )
    if block in (None, "latest"):
        data["latest_html"] = shared.latest_html
    if block is None:
        data["actors"] = shared.actors
    if block in (None, "results"):
        # The front page's own panels ignore the view's filters: with a filter they step
        # aside, and the results come first.
        data["headlines_html"] = Markup() if view.filtered else shared.headlines_html
        # Editors' pages are their own (the viewer is in the page's key): drafts waiting
        # to be published, newest first.
        data["drafts"] = listing.list_page(
            session, filters=ItemFilters(publication="draft"), sort="-updated_at",
            limit=DRAFTS_SHOWN,
        ) if principal.can_edit and not view.filtered else None  # fmt: skip
    all_headers = dict(headers or {})
    refresh = request.headers.get("hx-trigger") == "results"
    if block == "results" and refresh and request.headers.get("if-none-match"):
        # The table's conditional refresh found new data: the other parts follow. (Only
        # the refresh: a browser may revalidate any other request with a cached ETag.)
        all_headers["HX-Trigger"] = CHANGED_EVENT
    return page(
        request, principal, DASHBOARD, data, echo=echo, block=block,
        status_code=status_code or found_status, headers=all_headers,
    )  # fmt: skip


@router.get("/")
def dashboard(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    block = _block(request)
    # A message left by a form that redirected here (the bulk status change): shown once,
    # never a 304, never reused.
    signed_in = principal.user_id is not None and block is None
    flash = request.session.pop(FLASH_KEY, None) if signed_in else None
    if flash is not None:
        with one_build_at_a_time(session):
            document = dashboard_document(
                request, session, principal, block=block, announce=str(flash)
            )
        return render(request, session, principal, document)

    def build() -> Document:
        with one_build_at_a_time(session):
            return dashboard_document(request, session, principal, block=block)

    # The table's refresh carries a trigger for the other parts: only its 304 is reused.
    policy = PAGE_UNKEPT if block == "results" else PAGE
    return conditional_page(request, session, principal, build, policy=policy)
