"""JSON routes of sources: the list, and one source with its text, hash and quoted spans."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.db import SessionDep
from service.sources import service as sources
from service.sources.models import SourceList, SourcePublic, SourceWithText
from service.web.conditional import conditional
from service.web.problems import NOT_MODIFIED, PROBLEM
from service.web.responses import json_bytes

router = APIRouter(prefix="/api/v1", tags=["sources"])


@router.get("/sources", response_model=SourceList, responses=NOT_MODIFIED, summary="Sources")
def list_sources(request: Request, session: SessionDep) -> Response:
    return conditional(
        request,
        session,
        lambda: json_bytes(
            SourceList(sources=[SourcePublic.of(s) for s in sources.get_all(session)])
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
        spans = sources.quote_spans(session, source_id=source.id)  # type: ignore[arg-type]
        return json_bytes(SourceWithText.with_spans(source, spans))

    return conditional(request, session, build)
