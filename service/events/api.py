"""The change feed for pollers (JSON) and the Atom feed of the latest events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from service import urls
from service.config import get_settings
from service.db import get_engine
from service.delivery.conditional import API, FEED, Document, answer
from service.errors import Busy
from service.events import atom, following
from service.events import service as events
from service.events.models import ChangeFeed, Corrections, WindowEnd, WindowStart
from service.items.vocabulary import KindName, StatusName
from service.shapes import MAX_ID
from service.web.deps import SessionDep
from service.web.paging import link_next, next_page
from service.web.problems import NOT_MODIFIED, PROBLEM
from service.web.responses import json_bytes

router = APIRouter(tags=["changes"], redirect_slashes=False)


@router.get(
    "/api/v1/changes",
    response_model=ChangeFeed,
    responses={**NOT_MODIFIED, 422: PROBLEM, 503: PROBLEM},
    summary="Every event after an id, in id order (for pollers), in a window of time",
    description="`since`/`until` select by when an event was recorded here (`at`); "
    "`occurred_since`/`occurred_until` by when it happened in the world (`occurred_on`, a day; "
    "an event without one by when it was recorded). Each takes an ISO 8601 date or date-time "
    "(UTC unless it has an offset); a date given as a start is the start of that day, as an "
    "end the whole day. `has_more` says whether more events of the window follow, and `next` "
    '(also the `Link` header, `rel="next"`) is the URL of the next page.',
)
def changes(
    request: Request,
    session: SessionDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Last event id seen; 0 from the start.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    since: Annotated[
        WindowStart | None, Query(description="Recorded at or after (date: from its start).")
    ] = None,
    until: Annotated[
        WindowEnd | None, Query(description="Recorded at or before (date: to its end).")
    ] = None,
    occurred_since: Annotated[
        WindowStart | None, Query(description="Happened on or after (else recorded).")
    ] = None,
    occurred_until: Annotated[
        WindowEnd | None, Query(description="Happened on or before (else recorded).")
    ] = None,
) -> Response:
    window = events.change_window(
        since=since, until=until, occurred_since=occurred_since, occurred_until=occurred_until
    )
    # Before the session's snapshot is taken: on PostgreSQL, the id up to which the feed may go.
    try:
        upto = events.feed_horizon(get_engine())
    except events.HorizonTimeout:
        raise Busy("Changes are still being written; try again in a second.") from None

    def build() -> Document:
        page = events.feed(session, after=after, limit=limit, upto=upto, window=window)
        last_id = page.events[-1].id if page.events else after
        next_url = next_page(request, after=last_id) if page.has_more else None
        feed = ChangeFeed(events=page.events, last_id=last_id, has_more=page.has_more,
                          next=next_url)  # fmt: skip
        # Newer events committed after the horizon was read: this page stops short of what the
        # data version covers, so it is neither kept nor given an ETag.
        return Document(feed, json_bytes, headers=link_next(next_url), momentary=not page.settled)

    return answer(request, session, API, build)


@router.get(
    "/feed.atom",
    responses={
        200: {"content": {"application/atom+xml": {}}, "description": "Atom feed"},
        **NOT_MODIFIED,
        422: PROBLEM,
    },
    response_class=Response,
    summary="Atom feed of the latest events, of the items of a kind, a status and an actor",
)
def feed_atom(
    request: Request,
    session: SessionDep,
    kind: Annotated[KindName | None, Query(max_length=40, description="A kind's code.")] = None,
    status: Annotated[
        StatusName | None, Query(max_length=40, description="The items' status now (a code).")
    ] = None,
    actor: Annotated[
        str | None,
        Query(max_length=120, description="The items' actor (slug), as the dashboard filters."),
    ] = None,
) -> Response:
    base_url = get_settings().base_url.rstrip("/")
    chosen = following.feed_filters(session, kind=kind, status=status, actor=actor)
    query = {"kind": chosen.kind or "", "status": chosen.status or "",
             "actor": chosen.actor_slug or ""}  # fmt: skip

    def build() -> Document:
        if not chosen.narrowed:
            latest = events.latest(session, limit=following.FEED_SIZE)
            return Document(atom.TitledEvents(title=atom.LATEST, events=latest), write)
        found = following.filtered(session, filters=chosen)
        return Document(atom.TitledEvents(title=following.describe(chosen), events=found), write)

    def write(shown: atom.TitledEvents) -> bytes:
        return atom.render(
            shown.events, base_url=base_url, path=urls.feed(**query), title=shown.title,
            alternate=urls.dashboard(**query), feed_id=following.feed_id(chosen),
        )  # fmt: skip

    return answer(request, session, FEED, build)


@router.get(
    "/api/v1/corrections",
    response_model=Corrections,
    responses={**NOT_MODIFIED, 422: PROBLEM},
    summary="Every correction and retraction made in public, newest first",
    tags=["corrections"],
)
def list_corrections(
    request: Request,
    session: SessionDep,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID, description="From `next_before`.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    def build() -> Document:
        found = events.corrections(session, before=before, limit=limit)
        following = found.next_before
        next_url = next_page(request, before=following) if following is not None else None
        return Document(found, json_bytes, headers=link_next(next_url))

    return answer(request, session, API, build)


@router.get(
    "/corrections.atom",
    responses={
        200: {"content": {"application/atom+xml": {}}, "description": "Atom feed"},
        **NOT_MODIFIED,
    },
    response_class=Response,
    summary="Atom feed of the corrections and retractions",
    tags=["corrections"],
)
def corrections_atom(request: Request, session: SessionDep) -> Response:
    base_url = get_settings().base_url.rstrip("/")

    def write(found: Corrections) -> bytes:
        return atom.render(
            found.corrections, base_url=base_url, path=urls.corrections_feed(),
            title="Accountability tracker: corrections", alternate=urls.corrections(),
        )  # fmt: skip

    return answer(request, session, FEED, lambda: Document(events.corrections(session), write))
