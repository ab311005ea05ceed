"""JSON route of the bulk status change: many items to one status, with one note, all or
nothing (service/items/bulk.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from service.db import write_session
from service.items import bulk
from service.items.bulk import BulkStatusChange
from service.items.models import ItemPublic
from service.items.vocabulary import StatusCode
from service.web.deps import CurrentEditor
from service.web.problems import PROBLEM, MethodNotAllowed, problem_response
from service.web.responses import json_response

PATH = "/items/status"
router = APIRouter(prefix="/api/v1", tags=["items"], redirect_slashes=False)


class BulkCounts(BaseModel):
    changed: int
    unchanged: int


class BulkStatusAnswer(BaseModel):
    """The items changed (each with its new version) and those already in the status, each in
    the order the change named them."""

    status: StatusCode
    changed: list[ItemPublic]
    unchanged: list[ItemPublic]
    counts: BulkCounts


EXAMPLE: dict[str, Any] = {
    "items": [
        {"ref": "pcc-62-additional-cse-staff", "version": 1},
        {"ref": "pcc-take-up-new-cse-funding", "version": 1},
        {"ref": "pcc-work-with-rotherham-commissioner"},
    ],
    "status": "stalled",
    "note": "The PCC's office says none of these has moved since the budget was cut.",
    "evidence_url": "https://www.southyorkshire-pcc.gov.uk/news/budget",
    "occurred_on": "2015-06-30",
}


@router.post(
    PATH,
    response_model=BulkStatusAnswer,
    responses={status: PROBLEM for status in (401, 403, 409, 413, 422)},
    summary="Change the status of many items at once (editor), with one note",
    description="All or nothing, in one transaction: one `status` event per item changed, each "
    "with the note; an item already in the status is left as it is (`unchanged`). Every "
    "problem is found before anything is written: an unknown item or a status not of an "
    "item's kind is a 422 naming each (`items[2].ref`, `items[0]`); an item at another version "
    "than the one given, or a retracted item, is a 409 listing them (`stale`, `retracted`).",
    openapi_extra={"requestBody": {"content": {"application/json": {"example": EXAMPLE}}}},
)
def change_statuses(change: BulkStatusChange, editor: CurrentEditor) -> Response:
    # As every status change: beside other writers, each item guarded by its row (db.py).
    with write_session(alone=False) as session:
        result = bulk.change_statuses(session, change=change, user_id=editor.user_id)
    answer = BulkStatusAnswer.model_construct(
        status=result.status,
        changed=result.changed,
        unchanged=result.unchanged,
        counts=BulkCounts(changed=len(result.changed), unchanged=len(result.unchanged)),
    )
    return json_response(answer)


class _PostOnly:
    """Every other method at this path. `/api/v1/items/status` is the bulk change, not an item
    called "status" (its id reaches such an item), so a read or an edit here is a 405 that
    names POST alone, as the API's document has it: the item routes at `/api/v1/items/{ref}`
    would otherwise answer a GET as a read of an item called "status" and their methods would
    be in the `Allow` of every other 405 here. An ASGI app, not a function, so that the route
    takes every method and claims none of them (service/web/http_semantics.allowed_methods)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        refused = MethodNotAllowed(f"{request.method} is not allowed here.")
        response = problem_response(request, refused)
        response.headers["Allow"] = "POST"
        await response(scope, receive, send)


# After the POST route, which a POST reaches first.
router.routes.append(Route(router.prefix + PATH, _PostOnly(), include_in_schema=False))
