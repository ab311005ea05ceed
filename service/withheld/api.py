"""JSON routes of withheld names: withholding a private person's name, showing it again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from service.db import write_session
from service.shapes import MAX_ID
from service.web.deps import CurrentEditor
from service.web.problems import PROBLEM, WRITE_ERRORS
from service.web.responses import json_response
from service.withheld import service as withheld
from service.withheld.models import WithheldCreate, WithheldPublic

router = APIRouter(prefix="/api/v1", tags=["items"], redirect_slashes=False)


@router.post(
    "/items/{ref}/withheld-names",
    status_code=201,
    response_model=WithheldPublic,
    responses={**WRITE_ERRORS, 409: PROBLEM},
    summary="Withhold a private person's name from the public (editor)",
    description="The name must appear in the item, its history, its source or its actors "
    "(matched whatever the case, spacing or width of its letters), have at least 3 letters and "
    "not be a common word. From then on every public value shows `[name withheld]` in its "
    "place (pages, the JSON API, the CSV, the feeds, search); a slug that holds it is changed, "
    "and its old URLs lead nowhere. Editors' pages still show it.",
)
def create_withheld_name(ref: str, data: WithheldCreate, editor: CurrentEditor) -> Response:
    with write_session() as session:
        created = withheld.create(session, ref=ref, data=data, user_id=editor.user_id)
    # The answer goes to the editor who sent the name, never into a shared cache.
    return json_response(created, 201, {"Cache-Control": "no-store"})


@router.delete(
    "/items/{ref}/withheld-names/{withheld_id}",
    status_code=204,
    response_class=Response,
    responses=WRITE_ERRORS,
    summary="Show a withheld name again (editor)",
)
def delete_withheld_name(
    ref: str,
    withheld_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    editor: CurrentEditor,
) -> Response:
    with write_session() as session:
        withheld.delete(session, ref=ref, withheld_id=withheld_id, user_id=editor.user_id)
    return Response(status_code=204)
