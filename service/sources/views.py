"""HTML routes of sources: the archived text with every quoted span highlighted and linked."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service import http, web
from service.db import SessionDep
from service.deps import CurrentPrincipal
from service.sources import service as sources
from service.sources.text import quoted_segments

router = APIRouter(include_in_schema=False)

SOURCE_PAGE = "sources/source.html"


@router.get("/sources/{slug}")
def source_page(
    slug: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    context = web.page_context(request, principal)
    etag = web.page_etag(request, http.data_version(session), context, "page")
    if http.etag_matches(request, etag):
        return web.not_modified(etag)
    source = sources.get(session, slug=slug)
    spans = sources.quote_spans(session, source_id=source.id)  # type: ignore[arg-type]
    context.update(source=source, spans=spans, segments=quoted_segments(source.text, spans))
    return web.render(request, SOURCE_PAGE, context, headers={"ETag": etag})
