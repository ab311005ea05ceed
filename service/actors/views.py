"""HTML routes of actors: an actor's scorecard and items."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from service import http, web
from service.actors import service as actors
from service.db import SessionDep
from service.deps import CurrentPrincipal
from service.items import listing

router = APIRouter(include_in_schema=False)

ACTOR_PAGE = "actors/actor.html"
PAGE_SIZE = 50


@router.get("/actors/{slug}")
def actor_page(
    slug: str,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    cursor: str | None = None,
) -> Response:
    context = web.page_context(request, principal)
    etag = web.page_etag(request, http.data_version(session), context, "page")
    if http.etag_matches(request, etag):
        return web.not_modified(etag)
    actor = actors.get(session, slug=slug)
    page = listing.list_page(
        session, filters=listing.ItemFilters(actor=slug), limit=PAGE_SIZE, cursor=cursor
    )
    next_cursor = page["next_cursor"]
    context.update(
        actor=actor,
        scorecard=actors.scorecard(session, actor_id=actor.id),  # type: ignore[arg-type]
        page=page,
        next_url=f"/actors/{slug}?{urlencode({'cursor': next_cursor})}" if next_cursor else None,
    )
    return web.render(request, ACTOR_PAGE, context, headers={"ETag": etag})
