"""JSON route of the audit: what editors did, newest first (editors only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from service.audit import service as audit
from service.audit.models import AuditList
from service.delivery.conditional import API, Document, Viewer, answer
from service.shapes import MAX_ID
from service.web.deps import CurrentEditor, SessionDep
from service.web.problems import NOT_MODIFIED, PROBLEM
from service.web.responses import json_bytes

router = APIRouter(prefix="/api/v1", tags=["audit"], redirect_slashes=False)


@router.get(
    "/audit",
    response_model=AuditList,
    responses={**NOT_MODIFIED, 401: PROBLEM, 403: PROBLEM, 422: PROBLEM},
    summary="What editors did, newest first (editors only)",
)
def list_audit(
    request: Request,
    session: SessionDep,
    editor: CurrentEditor,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID, description="From `next_before`.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> Response:
    def build() -> Document:
        return Document(audit.recent(session, before=before, limit=limit), json_bytes)

    # For editors, each for themselves (it names withheld names): never shared, never masked.
    viewer = Viewer(key=f"editor:{editor.user_id}", sees_names=True)
    return answer(request, session, API, build, viewer=viewer)
