"""The item page's forms of publication: publish a draft, delete one, retract a published item
with its reason, and correct one in public (its own page, the edit form with a public note). Each
posts and redirects without JavaScript; the rules are items.publication's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.db import write_session
from service.errors import Conflict, Invalid, PreconditionFailed
from service.items import publication
from service.items import service as items
from service.items.editing import correction_form, read_correction
from service.items.item_page import PageForm, done, page_with_form
from service.shapes import parse_id
from service.web.deps import SessionDep, editor_of_form
from service.web.forms import PostedForm, filled, form_text, messages, see_other

router = APIRouter(include_in_schema=False, redirect_slashes=False)

ItemEditor = Annotated[
    Principal, Depends(editor_of_form(lambda r: urls.item(r.path_params["ref"])))
]


@router.post("/items/{ref}/publish")
def publish(ref: str, request: Request, editor: ItemEditor) -> Response:
    with write_session() as writer:
        item = publication.publish(writer, ref=ref, user_id=editor.user_id)
    return done(request, item.slug, "Published: the public can read it now.", "")


@router.post("/items/{ref}/delete")
def delete_draft(ref: str, request: Request, editor: ItemEditor) -> Response:
    with write_session() as writer:
        publication.delete_draft(writer, ref=ref, user_id=editor.user_id)
    return see_other(urls.dashboard())


@router.post("/items/{ref}/retract")
def retract(
    ref: str, request: Request, session: SessionDep, editor: ItemEditor, form: PostedForm
) -> Response:
    values = filled(form, ("reason",))
    state = PageForm(values=values)
    if not values["reason"]:
        state.errors["reason"] = "Say why it should never have been tracked: the public reads it."
    else:
        try:
            with write_session() as writer:
                item = publication.retract(
                    writer, ref=ref, reason=values["reason"], user_id=editor.user_id
                )
        except Invalid as exc:
            state.errors = messages(exc)
        except Conflict as exc:
            state.errors = {"reason": exc.detail}
        else:
            return done(request, item.slug, "Retracted: it has left the lists and counts.", "")
    return page_with_form(request, session, editor, ref, 422, retract_form=state)


@router.get("/items/{ref}/correct")
def correct_form(ref: str, request: Request, session: SessionDep, editor: ItemEditor) -> Response:
    item = items.get(session, ref=ref)
    return correction_form(request, session, editor, item)


@router.post("/items/{ref}/correct")
def correct(
    ref: str, request: Request, session: SessionDep, editor: ItemEditor, form: PostedForm
) -> Response:
    item = items.get(session, ref=ref)
    values, data, errors = read_correction(form)
    version = parse_id(form_text(form, "expected_version").strip()) or 0
    conflict = None
    if data is not None and not errors:
        try:
            with write_session(alone=False) as writer:
                corrected = publication.correct(
                    writer, ref=item.id, data=data, if_match_version=version,
                    user_id=editor.user_id,
                )  # fmt: skip
        except Invalid as exc:
            errors = messages(exc)
        except Conflict as exc:
            errors = {"form": exc.detail}
        except PreconditionFailed:
            session.rollback()
            item = items.get(session, ref=item.id)
            conflict = (
                "Someone else changed this item while you were correcting it. It is shown as "
                "it is now, with your correction kept in the form: send it again to apply it."
            )
            values["expected_version"] = str(item.version)
        else:
            return done(request, corrected.slug, "Corrected: the notice is on its page.", "")
    return correction_form(
        request, session, editor, item, values=values, errors=errors, conflict=conflict,
        status_code=409 if conflict else 422,
    )  # fmt: skip
