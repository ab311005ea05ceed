"""Recording an actor's reply from the item's page: the API's rules (items.replies), so that a
refusal shows beside the field it concerns. Posts and redirects without JavaScript."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.db import write_session
from service.errors import Invalid
from service.events.models import ReplyCreate
from service.items import replies
from service.items import service as items
from service.items.item_page import PageForm, done, item_document, page_with_form
from service.web.deps import FormEditor, SessionDep, editor_of_form
from service.web.forms import PostedForm, filled, messages, missing, validate
from service.web.templates import render

router = APIRouter(include_in_schema=False, redirect_slashes=False)

REPLY_FIELDS = ("by", "text", "url", "source", "quote", "occurred_on")
REPLY_NEEDS = {"by": "Choose who replied.", "text": "Give what they said."}
ReplyEditor = Annotated[
    Principal, Depends(editor_of_form(lambda r: urls.item(r.path_params["ref"]) + "#replies"))
]


@router.get("/items/{ref}/replies")
def reply_form(ref: str, request: Request, session: SessionDep, editor: FormEditor) -> Response:
    """The item's page with the reply form open and filled with words selected in a source
    (`source`, `quote`), as the source's page sends them."""
    item = items.get(session, ref=ref)
    values = {"by": item.actor.slug, **filled(request.query_params, ("source", "quote"))}
    document = item_document(request, session, editor, item, reply_form=PageForm(values=values))
    return render(request, session, editor, document)


@router.post("/items/{ref}/replies")
def record_reply(
    ref: str, request: Request, session: SessionDep, editor: ReplyEditor, form: PostedForm
) -> Response:
    values = filled(form, REPLY_FIELDS)
    data, wrong = validate(ReplyCreate, {k: v for k, v in values.items() if v})
    state = PageForm(values=values, errors={**wrong, **missing(values, REPLY_NEEDS)})
    if data is not None and not state.errors:
        try:
            with write_session() as writer:
                replies.record(writer, ref=ref, data=data, user_id=editor.user_id)
                item = items.get(writer, ref=ref)
        except Invalid as exc:
            state.errors = messages(exc)
        else:
            return done(request, item.slug, "Reply recorded.", "#replies")
    return page_with_form(request, session, editor, ref, 422, reply_form=state)
