"""JSON routes of links between items: linking an item to another, removing a link."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from service import urls
from service.db import write_session
from service.links import service as links
from service.links.models import LinkCreate, LinkPublic, Relation
from service.web.deps import CurrentEditor
from service.web.problems import PROBLEM, WRITE_ERRORS
from service.web.responses import json_response

router = APIRouter(prefix="/api/v1", tags=["items"], redirect_slashes=False)


@router.post(
    "/items/{ref}/links",
    status_code=201,
    response_model=LinkPublic,
    responses={**WRITE_ERRORS, 409: PROBLEM},
    summary="Link an item to another (editor): part_of, related or follows_from",
)
def create_link(ref: str, data: LinkCreate, editor: CurrentEditor) -> Response:
    with write_session() as session:
        link = links.create(session, ref=ref, data=data, user_id=editor.user_id)
    location = urls.item_link_api(link.item.slug, link.relation, link.target.slug)
    return json_response(link, 201, {"Location": location})


@router.delete(
    "/items/{ref}/links/{relation}/{target}",
    status_code=204,
    response_class=Response,
    responses=WRITE_ERRORS,
    summary="Remove a link between two items (editor)",
)
def delete_link(
    ref: str,
    relation: Annotated[Relation, Path(description="part_of, related or follows_from")],
    target: str,
    editor: CurrentEditor,
) -> Response:
    with write_session() as session:
        links.delete(session, ref=ref, relation=relation, target=target, user_id=editor.user_id)
    return Response(status_code=204)
