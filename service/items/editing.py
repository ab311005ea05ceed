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
from service.actors.models import ACTOR_KINDS, ActorCreate
from service.db import write_session
from service.errors import Conflict, Invalid, PreconditionFailed
from service.items import edits, vocabulary
from service.items import service as items
from service.items.models import ItemCorrection, ItemCreate, ItemPublic, ItemUpdate
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
# What a suggestion brings besides the fields: the deadline's words (shown beside Due on) and
# the name of an actor the tracker does not know yet (offered to add in place), with its kind.
HINT_FIELDS = ("due_words", "actor_name", "actor_kind")


def _options(session: Session) -> dict[str, Any]:
    return {
        "actor_options": [("", "Choose…")] + [(a.slug, a.name) for a in actors.get_all(session)],
        "kind_options": [("", "Choose…")] + [(k.code, k.label) for k in vocabulary.KINDS],
        "actor_kind_options": [("", "Choose…"), *ACTOR_KINDS.items()],
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
    correcting: bool = False,
) -> Response:
    """The form to track a passage (no `item`), to edit an item, or to correct a published one
    in public (`correcting`). A draft's quote and source can be changed; a published item's only
    by a correction."""
    if correcting and item is not None:
        heading, action = f"Correct “{item.title}”", urls.item_correct(item.slug)
    elif item is not None:
        heading, action = f"Edit “{item.title}”", urls.item_edit(item.slug)
    else:
        heading, action = "Track a passage", urls.item_new()
    if item is not None:
        this_form = urls.item_correct(item.slug) if correcting else urls.item_edit(item.slug)
    else:
        # Where "Add an actor" comes back to: this form, with what it was given so far.
        this_form = urls.item_new(**{k: values.get(k) for k in (*NEW_FIELDS, *HINT_FIELDS)})
    passage_source = source
    if item is not None and (correcting or item.publication == "draft"):
        passage_source = sources.get(session, slug=values.get("source") or item.source.slug)
    context = {
        **_options(session),
        "source_options": [(s.slug, s.title) for s in sources.get_all_public(session)],
        "values": values,
        "errors": errors,
        "source": passage_source,
        "item": item,
        "correcting": correcting,
        "passage_editable": item is None or correcting or item.publication == "draft",
        "conflict": conflict,
        "expected_version": values.get("expected_version") or (item.version if item else ""),
        "heading": heading,
        "action": action,
        "this_form": this_form,
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
    values = {name: query.get(name, "") for name in (*NEW_FIELDS, *HINT_FIELDS)}
    start, end = parse_id(values["quote_start"]), parse_id(values["quote_end"])
    if start is not None and end is not None:
        values["quote"] = source.text[start:end]
    if values["actor_name"] and not values["actor_kind"]:
        values["actor_kind"] = actors.kind_from_name(values["actor_name"]) or ""
    return _form(request, session, principal, values=values, errors={}, source=source)


@router.post("/items/new")
def create_item(
    request: Request, session: SessionDep, editor: FormEditor, form: PostedForm
) -> Response:
    principal = editor
    values = filled(form, (*NEW_FIELDS, *HINT_FIELDS))
    # The passage is kept exactly as given: only the CR LF a browser submits becomes LF.
    values["quote"] = form_text(form, "quote").replace("\r\n", "\n")
    source = sources.get(session, slug=values["source"])
    if form_text(form, "add_actor"):
        # "Add … as an actor": in place, the form coming back with all it was given.
        refused = _add_actor(session, principal, values)
        return _form(request, session, principal, values=values, errors=refused, source=source,
                     status_code=422 if refused else 200)  # fmt: skip
    errors: dict[str, str] = {}
    given: dict[str, Any] = {k: v for k, v in values.items() if v and k in ItemCreate.model_fields}
    given["quantity"] = _quantity(values, errors)
    # A hidden "Save draft" is the form's first button (the one Enter presses); the visible
    # "Save draft" and "Publish" sit side by side at the end.
    given["publication"] = "published" if form_text(form, "publication") == "published" else "draft"
    data, invalid_fields = validate(ItemCreate, given)
    errors = {**invalid_fields, **errors}
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


def _add_actor(session: Session, principal: Principal, values: dict[str, str]) -> dict[str, str]:
    """Add the actor the suggestion named, from the track form, and choose it there; or the
    message beside the field that is wrong."""
    name = values.get("actor_name", "")
    if not values.get("actor_kind"):
        return {"actor_kind": f"Choose what kind of actor {name} is."}
    data, errors = validate(ActorCreate, {"name": name, "kind": values["actor_kind"]})
    if data is None:
        return {("actor_kind" if k == "kind" else "actor_name"): v for k, v in errors.items()}
    try:
        with write_session() as writer:
            slug = actors.create(writer, data=data).slug
    except Conflict as exc:
        # It exists already (by another spelling of its name): choose that one.
        slug = str(exc.extra.get("existing") or "")
        if not slug:
            return {"actor_name": exc.detail}
    except Invalid as exc:
        return {"actor_name": next(iter(messages(exc).values()))}
    session.rollback()  # a new snapshot: the list of actors holds it now
    values.update(actor=slug, actor_name="", actor_kind="")
    return {}


def _item_values(item: ItemPublic) -> dict[str, str]:
    return {
        "kind": item.kind,
        "source": item.source.slug,
        "quote": item.quote,
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
    values = filled(form, (*EDIT_FIELDS, "expected_version", "source", "quote_start"))
    values["quote"] = form_text(form, "quote").replace("\r\n", "\n")
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
        # A draft's passage (the form shows it for drafts only; the service refuses it else).
        **({"source": values["source"], "quote": values["quote"]} if values["quote"] else {}),
        **({"quote_start": values["quote_start"]} if values["quote_start"] else {}),
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
                updated = edits.update(
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


CORRECTION_FIELDS = ("note", "title", "kind", "status", "actor", "responsible", "source",
                     "quote", "quote_start", "quantity_value", "quantity_unit")  # fmt: skip


def correction_form(
    request: Request,
    session: Session,
    principal: Principal,
    item: ItemPublic,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    conflict: str | None = None,
    status_code: int = 200,
) -> Response:
    """The form that corrects a published item in public: its fields, and the note."""
    if values is None:
        values = {**_item_values(item), "status": "", "note": ""}
    return _form(
        request, session, principal, values=values, errors=errors or {}, item=item,
        conflict=conflict, status_code=status_code, correcting=True,
    )  # fmt: skip


def read_correction(form: Any) -> tuple[dict[str, str], ItemCorrection | None, dict[str, str]]:
    """The correction form as typed, the correction it asks for, and what is wrong with it."""
    values = filled(form, (*CORRECTION_FIELDS, "expected_version"))
    values["quote"] = form_text(form, "quote").replace("\r\n", "\n")
    errors: dict[str, str] = {}
    given: dict[str, Any] = {
        name: values[name]
        for name in ("note", "title", "kind", "status", "actor", "source", "quote")
        if values[name]
    }
    given["responsible"] = values["responsible"] or None
    if values["quote_start"]:
        given["quote_start"] = values["quote_start"]
    given["quantity"] = _quantity(values, errors)
    if not values["note"]:
        errors["note"] = "Write the public note: what was wrong, and what is right."
    data, wrong = validate(ItemCorrection, given)
    return values, data, {**wrong, **errors}
