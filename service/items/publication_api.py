"""JSON routes of an item's publication: publishing a draft, deleting one, retracting a published
item with its reason, and correcting one in public with a note."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from pydantic import ConfigDict
from pydantic import Field as PField
from starlette.responses import Response

from service.db import write_session
from service.items import publication
from service.items.models import ItemCorrection, ItemPublic
from service.shapes import InputModel
from service.web.deps import CurrentEditor
from service.web.if_match import parse_if_match
from service.web.problems import PROBLEM, WRITE_ERRORS
from service.web.responses import json_response

router = APIRouter(prefix="/api/v1", tags=["items"], redirect_slashes=False)


class Retraction(InputModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = PField(
        min_length=1,
        max_length=5000,
        description="Why it should never have been tracked: the public reads it on its page.",
    )


@router.post(
    "/items/{ref}/publish",
    response_model=ItemPublic,
    responses=WRITE_ERRORS,
    summary="Publish a draft (editor): it joins the lists, the counts, search and the feeds",
)
def publish(ref: str, editor: CurrentEditor) -> Response:
    with write_session() as session:
        item = publication.publish(session, ref=ref, user_id=editor.user_id)
    return json_response(item)


@router.delete(
    "/items/{ref}",
    status_code=204,
    response_class=Response,
    responses=WRITE_ERRORS,
    summary="Delete a draft (editor); nothing published can be deleted (409)",
)
def delete_draft(ref: str, editor: CurrentEditor) -> Response:
    with write_session() as session:
        publication.delete_draft(session, ref=ref, user_id=editor.user_id)
    return Response(status_code=204)


@router.post(
    "/items/{ref}/retract",
    response_model=ItemPublic,
    responses=WRITE_ERRORS,
    summary="Retract a published item that should never have been tracked (editor), with why",
)
def retract(ref: str, data: Retraction, editor: CurrentEditor) -> Response:
    with write_session() as session:
        item = publication.retract(session, ref=ref, reason=data.reason, user_id=editor.user_id)
    return json_response(item)


@router.post(
    "/items/{ref}/corrections",
    response_model=ItemPublic,
    responses={**WRITE_ERRORS, 412: PROBLEM, 428: PROBLEM},
    summary="Correct a published item in public (editor), with a note; needs If-Match",
)
def correct(
    ref: str,
    data: ItemCorrection,
    editor: CurrentEditor,
    if_match: Annotated[
        str | None, Header(description='The ETag of the item, or its version, e.g. "3".')
    ] = None,
) -> Response:
    version = parse_if_match(if_match, "item")
    with write_session() as session:
        item = publication.correct(
            session, ref=ref, data=data, if_match_version=version, user_id=editor.user_id
        )
    return json_response(item)
