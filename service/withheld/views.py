"""Withholding a name from the item's page, and showing it again: the API's rules
(withheld.service), so that a refusal shows beside the field. Posts and redirects without
JavaScript."""

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
from service.shapes import parse_id
from service.web.deps import SessionDep, editor_of_form
from service.web.forms import PostedForm, filled, messages, missing, validate
from service.withheld import service as withheld
from service.withheld.models import WithheldCreate

router = APIRouter(include_in_schema=False, redirect_slashes=False)

WITHHELD_NEEDS = {"name": "Give the name to withhold."}
WithheldEditor = Annotated[
    Principal, Depends(editor_of_form(lambda r: urls.item(r.path_params["ref"]) + "#withheld"))
]


@router.post("/items/{ref}/withheld")
def withhold_name(
    ref: str, request: Request, session: SessionDep, editor: WithheldEditor, form: PostedForm
) -> Response:
    values = filled(form, ("name",))
    data, wrong = validate(WithheldCreate, values)
    state = PageForm(values=values, errors={**wrong, **missing(values, WITHHELD_NEEDS)})
    status_code = 422
    if data is not None and not state.errors:
        try:
            with write_session() as writer:
                created = withheld.create(writer, ref=ref, data=data, user_id=editor.user_id)
        except Invalid as exc:
            state.errors = messages(exc)
        except Conflict as exc:
            state.errors = {"name": exc.detail}
            status_code = 409
        else:
            # Under its slug of now: a slug that held the name was changed with it.
            announce = "The name is now withheld from the public."
            return done(request, created.item_slug, announce, "#withheld")
    return page_with_form(request, session, editor, ref, status_code, withheld_form=state)


@router.post("/items/{ref}/withheld/{withheld_id}/remove")
def show_name_again(
    ref: str, withheld_id: str, request: Request, editor: WithheldEditor
) -> Response:
    number = parse_id(withheld_id)
    if number is None:
        raise NotFound(f"No withheld name {withheld_id}.")
    with write_session() as writer:
        withheld.delete(writer, ref=ref, withheld_id=number, user_id=editor.user_id)
        item = items.get(writer, ref=ref)
    return done(request, item.slug, "The name is shown to the public again.", "#withheld")
