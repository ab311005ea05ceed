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
from service.events import atom
from service.events import service as events
from service.events.models import ChangeFeed, Corrections, EventPublic
from service.shapes import MAX_ID
from service.web.deps import SessionDep
from service.web.problems import NOT_MODIFIED, PROBLEM
from service.web.responses import json_bytes

router = APIRouter(tags=["changes"], redirect_slashes=False)


@router.get(
    "/api/v1/changes",
    response_model=ChangeFeed,
    responses={**NOT_MODIFIED, 422: PROBLEM},
    summary="Every event after an id, in id order (for pollers)",
)
def changes(
    request: Request,
    session: SessionDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Last event id seen; 0 from the start.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    # Before the session's snapshot is taken: on PostgreSQL, the id up to which the feed may go.
    try:
        upto = events.feed_horizon(get_engine())
    except events.HorizonTimeout:
        raise Busy("Changes are still being written; try again in a second.") from None

    def build() -> Document:
        page = events.feed(session, after=after, limit=limit, upto=upto)
        feed = ChangeFeed(events=page, last_id=page[-1].id if page else after)
        # Newer events committed after the horizon was read: this page stops short of what the
        # data version covers, so it is neither kept nor given an ETag.
        short = upto is not None and len(page) < limit and events.newest_id(session) > upto
        return Document(feed, json_bytes, momentary=short)

    return answer(request, session, API, build)


@router.get(
    "/feed.atom",
    responses={
        200: {"content": {"application/atom+xml": {}}, "description": "Atom feed"},
        **NOT_MODIFIED,
    },
    response_class=Response,
    summary="Atom feed of the latest events",
)
def feed_atom(request: Request, session: SessionDep) -> Response:
    base_url = get_settings().base_url.rstrip("/")

    def write(latest: list[EventPublic]) -> bytes:
        return atom.render(latest, base_url=base_url)

    return answer(request, session, FEED, lambda: Document(events.latest(session, limit=50), write))


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
    return answer(
        request,
        session,
        API,
        lambda: Document(events.corrections(session, before=before, limit=limit), json_bytes),
    )


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
