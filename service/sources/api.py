"""JSON routes of sources: the list, and one source with its text, hash and quoted spans."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service import http
from service.db import SessionDep
from service.schemas import NOT_MODIFIED, PROBLEM, SourceList, SourceWithText
from service.sources import service as sources

router = APIRouter(prefix="/api/v1", tags=["sources"])


@router.get("/sources", response_model=SourceList, responses=NOT_MODIFIED, summary="Sources")
def list_sources(request: Request, session: SessionDep) -> Response:
    return http.conditional(
        request,
        session,
        lambda: http.json_bytes(
            {"sources": [sources.as_json(s) for s in sources.get_all(session)]}
        ),
    )


@router.get(
    "/sources/{slug}",
    response_model=SourceWithText,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="One source with its text, SHA-256 and every item's quoted span",
)
def get_source(request: Request, session: SessionDep, slug: str) -> Response:
    def build() -> bytes:
        source = sources.get(session, slug=slug)
        body = sources.as_json(source, with_text=True)
        body["quote_spans"] = sources.quote_spans(session, source_id=source.id)  # type: ignore[arg-type]
        return http.json_bytes(body)

    return http.conditional(request, session, build)
