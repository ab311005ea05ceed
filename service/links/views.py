"""Linking an item to another from its page, and removing a link: the API's rules
(links.service), so that a refusal shows beside the field it concerns. Posts and redirects
without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.db import write_session
from service.errors import Conflict, Invalid, NotFound
from service.items import service as items
from service.items.item_page import PageForm, done, page_with_form
from service.links import service as links
from service.links.models import RELATIONS, LinkCreate
from service.web.deps import SessionDep, editor_of_form
from service.web.forms import PostedForm, filled, messages, missing, validate

router = APIRouter(include_in_schema=False, redirect_slashes=False)

LINK_FIELDS = ("relation", "target")
LINK_NEEDS = {"relation": "Choose how they are linked.", "target": "Give the other item."}
RELATION_WORDS = {
    "part_of": "part of",
    "related": "related to",
    "follows_from": "following from",
}
LinkEditor = Annotated[
    Principal, Depends(editor_of_form(lambda r: urls.item(r.path_params["ref"]) + "#links"))
]


@router.post("/items/{ref}/links")
def add_link(
    ref: str, request: Request, session: SessionDep, editor: LinkEditor, form: PostedForm
) -> Response:
    values = filled(form, LINK_FIELDS)
    data, wrong = validate(LinkCreate, values)
    state = PageForm(values=values, errors={**wrong, **missing(values, LINK_NEEDS)})
    status_code = 422
    if data is not None and not state.errors:
        try:
            with write_session() as writer:
                link = links.create(writer, ref=ref, data=data, user_id=editor.user_id)
        except Invalid as exc:
            state.errors = messages(exc)
        except Conflict as exc:
            state.errors = {"target": exc.detail}
            status_code = 409
        else:
            words = RELATION_WORDS[link.relation]
            announce = f"“{link.item.title}” is now {words} “{link.target.title}”."
            return done(request, link.item.slug, announce, "#links")
    return page_with_form(request, session, editor, ref, status_code, link_form=state)


@router.post("/items/{ref}/links/{relation}/{target}/remove")
def remove_link(
    ref: str, relation: str, target: str, request: Request, editor: LinkEditor
) -> Response:
    if relation not in RELATIONS:
        raise NotFound(f"No relation {relation}.")
    with write_session() as writer:
        links.delete(writer, ref=ref, relation=relation, target=target)
        item = items.get(writer, ref=ref)
    return done(request, item.slug, "Link removed.", "#links")
