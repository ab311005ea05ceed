"""HTML routes of sources: the archived text with every quoted span highlighted and linked."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.db import SessionDep
from service.sources import service as sources
from service.sources.text import quoted_segments
from service.web.deps import CurrentPrincipal
from service.web.templates import conditional_page, page_context, render

router = APIRouter(include_in_schema=False)

SOURCE_PAGE = "sources/source.html"


@router.get("/sources/{slug}")
def source_page(
    slug: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    context = page_context(request, principal)

    def build() -> Response:
        source = sources.get(session, slug=slug)
        spans = sources.quote_spans(session, source_id=source.id)  # type: ignore[arg-type]
        context.update(source=source, spans=spans, segments=quoted_segments(source.text, spans))
        return render(request, SOURCE_PAGE, context)

    return conditional_page(request, session, context, build)
