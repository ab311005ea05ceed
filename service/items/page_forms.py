"""The item page's forms besides the status form: recording a reply, linking the item to another
item or removing a link, and withholding a name from the public or showing it again. Each posts
and redirects without JavaScript; the rules are the API's (items.replies, links.service,
withheld.service), so a refusal shows beside the field it concerns."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.db import read_session, write_session
from service.errors import Conflict, Forbidden, Invalid, NotFound
from service.events.models import ReplyCreate
from service.items import replies
from service.items import service as items
from service.items.views import FLASH_KEY, ITEM_PAGE, PageForm, item_context
from service.links import service as links
from service.links.models import RELATIONS, LinkCreate
from service.web import csrf
from service.web.deps import CurrentPrincipal
from service.web.forms import PostedForm, filled, messages, see_other, sign_in_redirect, validate
from service.web.templates import page_context, render
from service.withheld import service as withheld
from service.withheld.models import WithheldCreate

router = APIRouter(include_in_schema=False, redirect_slashes=False)

REPLY_FIELDS = ("by", "text", "url", "source", "quote", "occurred_on")
LINK_FIELDS = ("relation", "target")
RELATION_WORDS = {
    "part_of": "part of",
    "related": "related to",
    "follows_from": "following from",
}


def _refuse(request: Request, principal: Principal, form: Any, back: str) -> Response | None:
    """Signed out: sign in first. Then the CSRF token, then the role."""
    if principal.user_id is None:
        return sign_in_redirect(request, back)
    csrf.check(request, form)
    if not principal.can_edit:
        raise Forbidden("Editors and admins only.")
    return None


def _page(
    request: Request,
    principal: Principal,
    ref: str,
    status_code: int,
    *,
    reply_form: PageForm | None = None,
    link_form: PageForm | None = None,
    withheld_form: PageForm | None = None,
) -> Response:
    with read_session() as session:
        item = items.get(session, ref=ref)
        context = item_context(
            session,
            item,
            page_context(request, principal),
            None,
            reply_form=reply_form,
            link_form=link_form,
            withheld_form=withheld_form,
        )
        return render(request, ITEM_PAGE, context, block="item", status_code=status_code)


def _done(request: Request, slug: str, announce: str, anchor: str) -> Response:
    request.session[FLASH_KEY] = announce
    return see_other(urls.item(slug) + anchor)


REPLY_NEEDS = {"by": "Choose who replied.", "text": "Give what they said."}
LINK_NEEDS = {"relation": "Choose how they are linked.", "target": "Give the other item."}
WITHHELD_NEEDS = {"name": "Give the name to withhold."}


def _missing(values: dict[str, str], needs: dict[str, str]) -> dict[str, str]:
    return {name: message for name, message in needs.items() if not values.get(name)}


@router.post("/items/{ref}/replies")
def record_reply(
    ref: str, request: Request, principal: CurrentPrincipal, form: PostedForm
) -> Response:
    refused = _refuse(request, principal, form, urls.item(ref) + "#replies")
    if refused is not None:
        return refused
    values = filled(form, REPLY_FIELDS)
    data, wrong = validate(ReplyCreate, {k: v for k, v in values.items() if v})
    state = PageForm(values=values, errors={**wrong, **_missing(values, REPLY_NEEDS)})
    if data is not None and not state.errors:
        try:
            with write_session() as session:
                replies.record(session, ref=ref, data=data, user_id=principal.user_id)
                item = items.get(session, ref=ref)
        except Invalid as exc:
            state.errors = messages(exc)
        else:
            return _done(request, item.slug, "Reply recorded.", "#replies")
    return _page(request, principal, ref, 422, reply_form=state)


@router.post("/items/{ref}/links")
def add_link(ref: str, request: Request, principal: CurrentPrincipal, form: PostedForm) -> Response:
    refused = _refuse(request, principal, form, urls.item(ref) + "#links")
    if refused is not None:
        return refused
    values = filled(form, LINK_FIELDS)
    data, wrong = validate(LinkCreate, values)
    state = PageForm(values=values, errors={**wrong, **_missing(values, LINK_NEEDS)})
    status_code = 422
    if data is not None and not state.errors:
        try:
            with write_session() as session:
                link = links.create(session, ref=ref, data=data, user_id=principal.user_id)
        except Invalid as exc:
            state.errors = messages(exc)
        except Conflict as exc:
            state.errors = {"target": exc.detail}
            status_code = 409
        else:
            words = RELATION_WORDS[link.relation]
            announce = f"“{link.item.title}” is now {words} “{link.target.title}”."
            return _done(request, link.item.slug, announce, "#links")
    return _page(request, principal, ref, status_code, link_form=state)


@router.post("/items/{ref}/links/{relation}/{target}/remove")
def remove_link(
    ref: str,
    relation: str,
    target: str,
    request: Request,
    principal: CurrentPrincipal,
    form: PostedForm,
) -> Response:
    refused = _refuse(request, principal, form, urls.item(ref) + "#links")
    if refused is not None:
        return refused
    if relation not in RELATIONS:
        raise NotFound(f"No relation {relation}.")
    with write_session() as session:
        links.delete(session, ref=ref, relation=relation, target=target)
        item = items.get(session, ref=ref)
    return _done(request, item.slug, "Link removed.", "#links")


@router.post("/items/{ref}/withheld")
def withhold_name(
    ref: str, request: Request, principal: CurrentPrincipal, form: PostedForm
) -> Response:
    refused = _refuse(request, principal, form, urls.item(ref) + "#withheld")
    if refused is not None:
        return refused
    values = filled(form, ("name",))
    data, wrong = validate(WithheldCreate, values)
    state = PageForm(values=values, errors={**wrong, **_missing(values, WITHHELD_NEEDS)})
    status_code = 422
    if data is not None and not state.errors:
        try:
            with write_session() as session:
                withheld.create(session, ref=ref, data=data, user_id=principal.user_id)
                item = items.get(session, ref=ref)
        except Invalid as exc:
            state.errors = messages(exc)
        except Conflict as exc:
            state.errors = {"name": exc.detail}
            status_code = 409
        else:
            return _done(
                request, item.slug, "The name is now withheld from the public.", "#withheld"
            )
    return _page(request, principal, ref, status_code, withheld_form=state)


@router.post("/items/{ref}/withheld/{withheld_id}/remove")
def show_name_again(
    ref: str, withheld_id: str, request: Request, principal: CurrentPrincipal, form: PostedForm
) -> Response:
    refused = _refuse(request, principal, form, urls.item(ref) + "#withheld")
    if refused is not None:
        return refused
    if not (withheld_id.isascii() and withheld_id.isdigit() and len(withheld_id) < 10):
        raise NotFound(f"No withheld name {withheld_id}.")
    with write_session() as session:
        withheld.delete(session, ref=ref, withheld_id=int(withheld_id))
        item = items.get(session, ref=ref)
    return _done(request, item.slug, "The name is shown to the public again.", "#withheld")
