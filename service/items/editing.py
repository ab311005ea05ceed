"""HTML routes for tracking a new item (from a passage of a source) and editing an item's
fields. Both forms post and redirect without JavaScript; the rules are the API's, in
items.service, so a form shows the same refusals beside its fields."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.actors import service as actors
from service.db import write_session
from service.errors import Invalid, PreconditionFailed
from service.items import service as items
from service.items import vocabulary
from service.items.models import ItemCreate, ItemPublic, ItemUpdate
from service.shapes import json_number, parse_id
from service.sources import service as sources
from service.sources.models import Source
from service.web.deps import FormEditor, SessionDep
from service.web.forms import PostedForm, filled, form_text, messages, see_other, validate
from service.web.templates import page, render

router = APIRouter(include_in_schema=False, redirect_slashes=False)

EDIT_PAGE = "items/edit.html"
ITEM_FIELDS = ("title", "description", "actor", "responsible", "quantity_value",
               "quantity_unit", "made_on", "due_on")  # fmt: skip
EDIT_FIELDS = (*ITEM_FIELDS, "slug")
NEW_FIELDS = ("source", "quote", "quote_start", "quote_end", "kind", "status", *ITEM_FIELDS)


def _options(session: Session) -> dict[str, Any]:
    return {
        "actor_options": [("", "Choose…")] + [(a.slug, a.name) for a in actors.get_all(session)],
        "kind_options": [("", "Choose…")] + [(k.code, k.label) for k in vocabulary.KINDS],
        "status_options": [("", "The kind's first status")]
        + [(s.code, f"{k.label}: {s.label}") for k in vocabulary.KINDS for s in k.statuses],
    }


def _quantity(values: dict[str, str], errors: dict[str, str]) -> dict[str, Any] | None:
    value, unit = values.get("quantity_value", ""), values.get("quantity_unit", "")
    if not value and not unit:
        return None
    if not value:
        errors["quantity_value"] = "Give the number too, or leave both empty."
    if not unit:
        errors["quantity_unit"] = "Give the unit too, such as staff or GBP."
    return {"value": value, "unit": unit}


def _form(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    source: Source | None = None,
    item: ItemPublic | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        **_options(session),
        "values": values,
        "errors": errors,
        "source": source,
        "item": item,
        "conflict": conflict,
        "expected_version": values.get("expected_version") or (item.version if item else ""),
        "heading": f"Edit “{item.title}”" if item else "Track a passage",
        "action": urls.item_edit(item.slug) if item else urls.item_new(),
        # Where "Add an actor" comes back to: this form, with what it was given so far.
        "this_form": urls.item_edit(item.slug)
        if item
        else urls.item_new(**{k: values.get(k) for k in NEW_FIELDS}),
        "submit": "Save the changes" if item else "Track it",
    }
    # An editor's form: every value is theirs to read (no name is withheld from an editor).
    document = page(request, principal, EDIT_PAGE, {}, echo=context, status_code=status_code)
    return render(request, session, principal, document)


@router.get("/items/new")
def new_item(request: Request, session: SessionDep, editor: FormEditor) -> Response:
    """The form, prefilled from a suggestion or a selection: `quote_start`/`quote_end` cut the
    passage out of the source, or `quote` gives it (and the server finds it)."""
    principal = editor
    query = request.query_params
    source = sources.get(session, slug=query.get("source", ""))
    values = {name: query.get(name, "") for name in NEW_FIELDS}
    start, end = parse_id(values["quote_start"]), parse_id(values["quote_end"])
    if start is not None and end is not None:
        values["quote"] = source.text[start:end]
    return _form(request, session, principal, values=values, errors={}, source=source)


@router.post("/items/new")
def create_item(
    request: Request, session: SessionDep, editor: FormEditor, form: PostedForm
) -> Response:
    principal = editor
    values = filled(form, NEW_FIELDS)
    # The passage is kept exactly as given: only the CR LF a browser submits becomes LF.
    values["quote"] = form_text(form, "quote").replace("\r\n", "\n")
    errors: dict[str, str] = {}
    given: dict[str, Any] = {k: v for k, v in values.items() if v and k in ItemCreate.model_fields}
    given["quantity"] = _quantity(values, errors)
    data, invalid_fields = validate(ItemCreate, given)
    errors = {**invalid_fields, **errors}
    source = sources.get(session, slug=values["source"])
    if data is not None and not errors:
        try:
            with write_session() as writer:
                item = items.create(writer, data=data, user_id=principal.user_id)
        except Invalid as exc:
            errors = messages(exc)
        else:
            return see_other(urls.item(item.slug))
    if "quote_start" in errors:  # the offset came from a selection: let the words decide
        errors.setdefault("quote", errors.pop("quote_start"))
        values["quote_start"] = ""
    return _form(
        request, session, principal, values=values, errors=errors, source=source,
        status_code=422,
    )  # fmt: skip


def _item_values(item: ItemPublic) -> dict[str, str]:
    return {
        "title": item.title,
        "description": item.description or "",
        "actor": item.actor.slug,
        "responsible": item.responsible.slug if item.responsible else "",
        "quantity_value": str(json_number(item.quantity.value)) if item.quantity else "",
        "quantity_unit": item.quantity.unit if item.quantity else "",
        "made_on": item.made_on.isoformat() if item.made_on else "",
        "due_on": item.due_on.isoformat() if item.due_on else "",
        "slug": item.slug,
    }


@router.get("/items/{ref}/edit")
def edit_item(ref: str, request: Request, session: SessionDep, editor: FormEditor) -> Response:
    item = items.get(session, ref=ref)
    return _form(request, session, editor, values=_item_values(item), errors={}, item=item)


@router.post("/items/{ref}/edit")
def save_item(
    ref: str, request: Request, session: SessionDep, editor: FormEditor, form: PostedForm
) -> Response:
    principal = editor
    values = filled(form, (*EDIT_FIELDS, "expected_version"))
    errors: dict[str, str] = {}
    given: dict[str, Any] = {
        "title": values["title"],
        "description": values["description"] or None,
        "actor": values["actor"],
        "responsible": values["responsible"] or None,
        "made_on": values["made_on"] or None,
        "due_on": values["due_on"] or None,
        "quantity": _quantity(values, errors),
        # A form from before the field: the slug stays as it is.
        **({"slug": values["slug"]} if values["slug"] else {}),
    }
    data, invalid_fields = validate(ItemUpdate, given)
    errors = {**invalid_fields, **errors}
    expected = values["expected_version"]
    version = parse_id(expected) or 0
    item = items.get(session, ref=ref)
    conflict = None
    if data is not None and not errors:
        try:
            # A new slug must be free: checked before it is written, with the other such writers.
            with write_session(alone=data.slug not in (None, item.slug)) as writer:
                updated = items.update(
                    writer, ref=item.id, data=data, if_match_version=version,
                    user_id=principal.user_id,
                )  # fmt: skip
        except Invalid as exc:
            errors = messages(exc)
        except PreconditionFailed:
            session.rollback()  # a new snapshot, to show the item as it is now
            item = items.get(session, ref=item.id)
            conflict = (
                "Someone else changed this item while you were editing it. It is shown "
                "below as it is now, with your changes kept in the form: save again to "
                "put them over it."
            )
            values["expected_version"] = str(item.version)
        else:
            return see_other(urls.item(updated.slug))
    return _form(
        request, session, principal, values=values, errors=errors, item=item,
        conflict=conflict, status_code=409 if conflict else 422,
    )  # fmt: skip
