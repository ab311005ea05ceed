"""HTML routes of actors: an actor's scorecard and items."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service import urls
from service.actors import service as actors
from service.db import SessionDep
from service.items import listing
from service.items.models import ItemFilters
from service.web.deps import CurrentPrincipal
from service.web.templates import conditional_page, page_context, render

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
    context = page_context(request, principal)

    def build() -> Response:
        actor = actors.get(session, slug=slug)
        page = listing.list_page(
            session, filters=ItemFilters(actor=slug), limit=PAGE_SIZE, cursor=cursor
        )
        context.update(
            actor=actor,
            scorecard=actors.scorecard(session, actor_id=actor.id),  # type: ignore[arg-type]
            page=page,
            next_url=urls.actor(slug, cursor=page.next_cursor) if page.next_cursor else None,
        )
        return render(request, ACTOR_PAGE, context)

    return conditional_page(request, session, context, build)
