"""The corrections page (`/corrections`): every correction and retraction made in public, newest
first, for everyone."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from service.delivery.conditional import Document
from service.events import service as events
from service.shapes import MAX_ID
from service.web.deps import CurrentPrincipal, SessionDep
from service.web.templates import conditional_page, page

router = APIRouter(include_in_schema=False, redirect_slashes=False)

CORRECTIONS_PAGE = "events/corrections.html"


@router.get("/corrections")
def corrections_page(
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    before: int | None = Query(default=None, ge=1, le=MAX_ID),
) -> Response:
    def build() -> Document:
        found = events.corrections(session, before=before, limit=50)
        return page(request, principal, CORRECTIONS_PAGE, {"found": found})

    return conditional_page(request, session, principal, build)
