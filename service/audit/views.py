"""The audit page (`/audit`): what editors did, newest first, for editors."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from service.audit import service as audit
from service.delivery.conditional import Document
from service.shapes import MAX_ID
from service.web.deps import FormEditor, SessionDep
from service.web.templates import conditional_page, page

router = APIRouter(include_in_schema=False, redirect_slashes=False)

AUDIT_PAGE = "audit/audit.html"


@router.get("/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    editor: FormEditor,
    before: int | None = Query(default=None, ge=1, le=MAX_ID),
) -> Response:
    def build() -> Document:
        found = audit.recent(session, before=before, limit=100)
        return page(request, editor, AUDIT_PAGE, {"audit": found})

    return conditional_page(request, session, editor, build)
