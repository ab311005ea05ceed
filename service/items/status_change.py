"""Changing an item's status from the dashboard: the form on the item's page, and the same form
inline in a row of the table. It posts and redirects without JavaScript; with htmx the page's
block (or the row) comes back in place, with the new event or the messages beside the fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.db import write_session
from service.errors import Conflict, Invalid
from service.items import service as items
from service.items.dashboard import CHANGED_EVENT
from service.items.item_page import (
    FLASH_KEY,
    STATUS_FIELDS,
    StatusForm,
    item_document,
    row_document,
)
from service.items.models import ItemPublic, StatusChange
from service.shapes import parse_id
from service.web.deps import SessionDep, editor_of_form
from service.web.forms import PostedForm, form_text, see_other, sentence, validate
from service.web.templates import hx_target, render, wants_fragment

router = APIRouter(include_in_schema=False, redirect_slashes=False)

PLAINLY = {
    "progress_value": "Give a number of zero or more, such as 40.",
    "occurred_on": "Give a date such as 2015-03-03, or leave it empty.",
    "note": "This cannot be empty.",
}


def _item_page(request: Request) -> str:
    return urls.item(request.path_params["ref"])


ItemEditor = Annotated[Principal, Depends(editor_of_form(_item_page))]


@router.get("/items/{ref}/row/edit")
def item_row_edit(
    ref: str, request: Request, session: SessionDep, editor: ItemEditor, version: int | None = None
) -> Response:
    """A table row holding the status form (`version` is the one the editor saw in the table)."""
    item = items.get(session, ref=ref)
    if not wants_fragment(request):
        return see_other(urls.item(item.slug) + "#change-status")
    state = StatusForm.blank(item, version=version)
    state.focus_status = True
    return render(
        request, session, editor, row_document(request, session, editor, item, edit=state)
    )


def read_status_form(form: FormData, item: ItemPublic) -> tuple[StatusForm, StatusChange | None]:
    """The form as typed, and the change it asks for (None when a field is wrong)."""
    values = {name: form_text(form, name) for name in STATUS_FIELDS}
    expected = parse_id(form_text(form, "expected_version").strip())
    state = StatusForm(values=values, expected_version=expected or item.version)
    given = {
        "status": values["status"],
        "note": values["note"],
        "evidence_url": values["evidence_url"].strip() or None,
        "progress_value": values["progress_value"].strip() or None,
        "occurred_on": values["occurred_on"].strip() or None,
        "expected_version": expected,
    }
    change, errors = validate(StatusChange, given, PLAINLY)
    state.errors = {(name if name in STATUS_FIELDS else "form"): m for name, m in errors.items()}
    return state, change


@router.post("/items/{ref}/status")
def change_status(
    ref: str, request: Request, session: SessionDep, editor: ItemEditor, form: PostedForm
) -> Response:
    before = items.get(session, ref=ref)
    state, change = read_status_form(form, before)
    updated = None
    if change is not None:
        try:
            with write_session(alone=False) as writer:
                updated = items.record_status_change(
                    writer, ref=before.id, change=change, user_id=editor.user_id
                )
        except Invalid as exc:
            for error in exc.errors:
                name = error.field if error.field in STATUS_FIELDS else "form"
                state.errors.setdefault(name, sentence(error.message))
        except Conflict as exc:
            state.conflict = exc.detail
    announce = None
    if updated is not None:
        announce = f"Status of “{updated.title}” changed to {updated.status_label}."
        if not wants_fragment(request):
            request.session[FLASH_KEY] = announce
            return see_other(urls.item(updated.slug))
    status_code = 200 if updated is not None else 409 if state.conflict else 422
    headers = {"HX-Trigger": CHANGED_EVENT} if updated is not None else {}
    # The request's session reads again, after the write: a new snapshot.
    session.rollback()
    item = items.get(session, ref=before.id)
    if state.conflict:
        # Show the new state, keep what the editor typed, and let them save over it knowingly.
        state.expected_version = item.version
    if updated is not None:
        state = StatusForm.blank(item)
    if wants_fragment(request) and hx_target(request).startswith("row-"):
        document = row_document(
            request, session, editor, item, edit=None if updated is not None else state,
            announce=announce, status_code=status_code, headers=headers,
        )  # fmt: skip
    else:
        document = item_document(
            request, session, editor, item, state=state, announce=announce,
            status_code=status_code, headers=headers,
        )  # fmt: skip
    return render(request, session, editor, document)
