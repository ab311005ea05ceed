"""The Atom feeds of one item (`/items/{slug}/feed.atom`) and of one actor
(`/actors/{slug}/feed.atom`): to follow one thing rather than the whole tracker. The filtered feed
(`/feed.atom?kind=...`) lives beside the latest changes, in `events.api`."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import RedirectResponse, Response

from service import urls
from service.actors import service as actors
from service.config import get_settings
from service.delivery.conditional import FEED, Document, answer
from service.errors import not_found
from service.events import atom, following
from service.events.models import EventPublic
from service.items import service as items
from service.web.deps import SessionDep
from service.web.problems import NOT_MODIFIED, PROBLEM
from service.web.query import KNOWN_QUERY_ONLY, UNKNOWN_PARAMETER

router = APIRouter(
    tags=["changes"],
    redirect_slashes=False,
    dependencies=[KNOWN_QUERY_ONLY],
    responses={**UNKNOWN_PARAMETER, **NOT_MODIFIED, 404: PROBLEM},
)
ATOM_RESPONSE = {"content": {"application/atom+xml": {}}, "description": "Atom feed"}


@router.get(
    "/items/{ref}/feed.atom",
    response_class=Response,
    responses={
        200: ATOM_RESPONSE,
        301: {"description": "Asked by id or by an old slug: the feed at the item's slug."},
    },
    summary="Atom feed of one item's changes",
)
def item_feed(ref: str, request: Request, session: SessionDep) -> Response:
    item = items.get(session, ref=ref)
    if item.publication == "draft":
        raise not_found("item", ref)  # a draft is in no feed, for anyone
    if ref != item.slug:
        return RedirectResponse(urls.item_feed(item.slug), status_code=301)
    return _feed(
        request, session, path=urls.item_feed(item.slug), alternate=urls.item(item.slug),
        feed_id=f"item/{item.id}/changes", title=f"Changes: {item.title}",
        events=lambda: following.of_item(session, item_id=item.id),
    )  # fmt: skip


@router.get(
    "/actors/{slug}/feed.atom",
    response_class=Response,
    responses={200: ATOM_RESPONSE},
    summary="Atom feed of the changes to one actor's items, and its replies",
)
def actor_feed(slug: str, request: Request, session: SessionDep) -> Response:
    actor = actors.get(session, slug=slug)
    assert actor.id is not None  # read from its table
    actor_id = actor.id
    return _feed(
        request, session, path=urls.actor_feed(actor.slug), alternate=urls.actor(actor.slug),
        feed_id=f"actor/{actor_id}/changes", title=f"Changes: {actor.name}",
        events=lambda: following.of_actor(session, actor_id=actor_id),
    )  # fmt: skip


def _feed(
    request: Request,
    session: Session,
    *,
    path: str,
    alternate: str,
    feed_id: str,
    title: str,
    events: Callable[[], list[EventPublic]],
) -> Response:
    """The Atom feed of one thing: its events, titled (the title masked with them)."""
    base_url = get_settings().base_url.rstrip("/")

    def write(shown: atom.TitledEvents) -> bytes:
        return atom.render(
            shown.events, base_url=base_url, path=path, title=shown.title, alternate=alternate,
            feed_id=feed_id,
        )  # fmt: skip

    def build() -> Document:
        return Document(atom.TitledEvents(title=title, events=events()), write)

    return answer(request, session, FEED, build)
