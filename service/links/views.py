"""Linking an item to another from its page, and removing a link: the API's rules
(links.service), so that a refusal shows beside the field it concerns. Posts and redirects
without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from markupsafe import escape
from sqlmodel import Session
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.db import write_session
from service.errors import Conflict, Invalid, NotFound
from service.items import listing
from service.items import service as items
from service.items.filters import MAX_SEARCH, ItemFilters
from service.items.item_page import PageForm, done, page_with_form
from service.links import service as links
from service.links.models import RELATION_WORDS, RELATIONS, LinkCreate
from service.web.deps import SessionDep, editor_of_form
from service.web.forms import PostedForm, filled, messages, missing, validate

router = APIRouter(include_in_schema=False, redirect_slashes=False)

LINK_FIELDS = ("relation", "target")
LINK_NEEDS = {"relation": "Choose how they are linked.", "target": "Give the other item."}
LinkEditor = Annotated[
    Principal, Depends(editor_of_form(lambda r: urls.item(r.path_params["ref"]) + "#links"))
]


CHOICES = 12


@router.get("/items/{ref}/choices")
def link_choices(ref: str, request: Request, session: SessionDep, editor: LinkEditor) -> Response:
    """The link form's choices: items whose titles hold the words typed (`target`), as
    `<option>`s of its list, each by title with its slug."""
    typed = request.query_params.get("target", "")[:MAX_SEARCH]
    found = listing.list_page(
        session, filters=ItemFilters(q=typed or None), sort=None if typed else "title",
        limit=CHOICES,
    )  # fmt: skip
    item = items.get(session, ref=ref)
    options = [
        f'<option value="{escape(i.slug)}">{escape(i.title)}</option>'
        for i in found.items
        if i.id != item.id
    ]
    return Response("".join(options), media_type="text/html; charset=utf-8")


def _by_title(session: Session, typed: str) -> str:
    """The item a typed title names, when exactly one title is that (any case); else the text
    as typed (a slug or an id)."""
    matches = listing.list_page(session, filters=ItemFilters(q=typed), limit=50).items
    same = [i for i in matches if i.title.casefold() == typed.casefold()]
    return same[0].slug if len(same) == 1 else typed


@router.post("/items/{ref}/links")
def add_link(
    ref: str, request: Request, session: SessionDep, editor: LinkEditor, form: PostedForm
) -> Response:
    values = filled(form, LINK_FIELDS)
    if values["target"]:
        values["target"] = _by_title(session, values["target"])
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
        links.delete(writer, ref=ref, relation=relation, target=target, user_id=editor.user_id)
        item = items.get(writer, ref=ref)
    return done(request, item.slug, "Link removed.", "#links")
