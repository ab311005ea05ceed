"""Changing the status of many items at once from the dashboard's table (editors only): the
items ticked, every item of the page, or every item that matches the filter, to one status with
one note. Without JavaScript the form posts and redirects back to the same list, which says
what was done; with htmx the table and the summary come back in place. A wrong field, or an item
changed since the page was loaded, shows the list again with the messages and the ticks kept,
and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, col
from starlette.responses import Response

from service.accounts.service import Principal
from service.db import write_session
from service.errors import Conflict, Invalid, NotFound
from service.events.models import Event
from service.items import dashboard_query, listing, vocabulary
from service.items import service as items
from service.items.bulk import BulkStatusChange, change_statuses
from service.items.dashboard import (
    BULK_FIELDS,
    CHANGED_EVENT,
    FLASH_KEY,
    BulkForm,
    dashboard_document,
    versions_digest,
)
from service.items.models import ItemPublic
from service.shapes import parse_id
from service.web.deps import SessionDep, editor_of_form
from service.web.forms import PostedForm, form_text, see_other, sentence, validate
from service.web.templates import render, wants_fragment

router = APIRouter(include_in_schema=False, redirect_slashes=False)

# After signing in, an editor who posted the form without a session comes back to the list.
BulkEditor = Annotated[Principal, Depends(editor_of_form(lambda request: "/"))]

PLAINLY = {
    "status": "Choose the new status.",
    "note": "Write a note: it is kept in the history of every item changed.",
    "occurred_on": "Give a date such as 2015-03-03, or leave it empty.",
    "evidence_url": "Give the address of a web page, starting with https://, or leave it empty.",
}
# How many stale items a message names before it says "and N more".
NAMED = 10
_ITEM_FIELD = re.compile(r"^items\[(\d+)\]")


@dataclass
class Chosen:
    """The items the form names, each with the version the editor saw (None: not said)."""

    pairs: list[tuple[int, int | None]]
    # Items that match the filter but changed since the page was loaded.
    stale: list[ItemPublic]


def _clean_query(raw: str) -> str:
    """The list's query string as posted, encoded afresh (only names and values survive)."""
    return urlencode(parse_qsl(raw, keep_blank_values=False))


def view_request(request: Request, query: str) -> Request:
    """The dashboard's own request for the list the form was posted from: the same session
    and headers (htmx's among them), the list's address and query."""
    scope = dict(
        request.scope,
        method="GET",
        path="/",
        raw_path=b"/",
        query_string=query.encode("latin-1"),
    )
    return Request(scope)


def _pairs(values: Sequence[Any]) -> list[tuple[int, int | None]] | None:
    """Ticked items as posted, "id:version" each; None when one is not of that shape."""
    found: list[tuple[int, int | None]] = []
    for value in values:
        if not isinstance(value, str):
            return None
        ident, _, version = value.partition(":")
        item_id = parse_id(ident.strip())
        seen = parse_id(version.strip()) if version.strip() else None
        if item_id is None or (version.strip() and seen is None):
            return None
        if item_id not in {i for i, _ in found}:
            found.append((item_id, seen))
    return found


def _changed_since(session: Session, ids: set[int], as_of: int) -> set[int]:
    """The items among `ids` with an event after `as_of` (the newest when the page was read)."""
    query = sa.select(col(Event.item_id)).where(col(Event.id) > as_of).distinct()
    return {item_id for item_id in session.execute(query).scalars() if item_id in ids}


def _matching(session: Session, request: Request, as_of: int, digest: str) -> Chosen:
    """Every item the list's filter matches now; those changed after `as_of` are stale. When
    the matching items or their versions are not those the page read (`digest`) and no event
    after `as_of` says which changed, the whole choice is stale: nothing is changed."""
    view = dashboard_query.read_view(request)
    if set(view.errors) - {"sort"}:
        raise Invalid("This list's filter no longer works: filter the list again.")
    found = [
        ItemPublic.from_row(row._mapping)
        for row in listing.iter_all(session, filters=view.filters, sort=view.sort)
    ]
    changed = _changed_since(session, {item.id for item in found}, as_of)
    if not changed and digest != versions_digest((item.id, item.version) for item in found):
        raise Invalid(
            "The items that match this filter changed since you loaded the page (one was "
            "changed, added or removed). Nothing was changed: reload the page and apply again."
        )
    return Chosen(
        pairs=[(item.id, item.version) for item in found],
        stale=[item for item in found if item.id in changed],
    )


def _item_named(session: Session, ref: str | int) -> ItemPublic | None:
    try:
        return items.get(session, ref=ref)
    except NotFound:
        return None


def _read_form(request: Request, session: Session, form: Any, state: BulkForm) -> Chosen:
    """The items the form names (errors in `state`)."""
    ticked = _pairs(form.getlist("item"))
    if ticked is None:
        state.errors["items"] = "Some ticked items were not understood: reload the page."
        return Chosen([], [])
    state.ticked = {item_id for item_id, _ in ticked}
    if state.matching:
        as_of = parse_id(form_text(form, "as_of").strip())
        if as_of is None:
            state.errors["items"] = "Reload the page, then choose all the items again."
            return Chosen([], [])
        try:
            return _matching(session, request, as_of, form_text(form, "digest").strip())
        except Invalid as exc:
            state.errors["items"] = sentence(exc.detail)
            return Chosen([], [])
    if state.page_all:
        shown = _pairs(form.getlist("on_page"))
        if shown is None:
            state.errors["items"] = "The items of this page were not understood: reload the page."
            return Chosen([], [])
        state.ticked |= {item_id for item_id, _ in shown}
        return Chosen(shown, [])
    return Chosen(ticked, [])


def _said(result_status: str, changed: int, unchanged: int) -> str:
    label = vocabulary.label_anywhere(result_status)
    if changed == 0:
        were = "The item was" if unchanged == 1 else f"All {unchanged} were"
        return f"Nothing changed: {were} already {label}."
    message = f"{changed} changed to {label}"
    if unchanged:
        message += f", {unchanged} already in that status"
    return message + "."


def _stale_items(session: Session, entries: Sequence[Any]) -> list[ItemPublic]:
    found = []
    for entry in entries:
        ref = entry.get("slug") or entry.get("ref") if isinstance(entry, dict) else entry
        item = _item_named(session, str(ref))
        if item is not None:
            found.append(item)
    return found


def _domain_errors(
    session: Session, state: BulkForm, error: Invalid, pairs: list[tuple[int, int | None]]
) -> None:
    """The domain's messages beside the fields, and each item's in the list of items."""
    for field_error in error.errors:
        name = field_error.field
        numbered = _ITEM_FIELD.match(name)
        if name in BULK_FIELDS:
            state.errors.setdefault(name, PLAINLY.get(name, sentence(field_error.message)))
        elif numbered and int(numbered.group(1)) < len(pairs):
            item = _item_named(session, pairs[int(numbered.group(1))][0])
            what = f"“{item.title}”" if item else "An item"
            message = field_error.message
            if item is not None and "is not a status of" in message:
                label = vocabulary.label_anywhere(state.values["status"])
                kind = vocabulary.KIND_BY_CODE[item.kind]
                message = f"{label} is not a status of {kind.plural.lower()}"
            state.item_errors.append(f"{what}: {message}.")
        else:
            state.errors.setdefault("form", sentence(field_error.message))
    if not error.errors:
        state.errors.setdefault("form", sentence(error.detail))


@router.post("/items/status")
def change_many_statuses(
    request: Request, session: SessionDep, editor: BulkEditor, form: PostedForm
) -> Response:
    query = _clean_query(form_text(form, "query"))
    listed = view_request(request, query)
    state = BulkForm(values={name: form_text(form, name) for name in BULK_FIELDS})
    state.page_all = form_text(form, "page") == "all"
    state.matching = form_text(form, "matching") == "all"
    chosen = _read_form(listed, session, form, state)
    if not chosen.pairs and "items" not in state.errors:
        state.errors["items"] = (
            "Tick the items to change, or choose every item on the page or that matches."
        )
    state.stale = chosen.stale
    given = {
        "items": [{"ref": str(item_id), "version": version} for item_id, version in chosen.pairs],
        "status": state.values["status"].strip(),
        "note": state.values["note"],
        "evidence_url": state.values["evidence_url"].strip() or None,
        "occurred_on": state.values["occurred_on"].strip() or None,
    }
    change, errors = validate(BulkStatusChange, given, PLAINLY)
    for name, message in errors.items():
        state.errors.setdefault(name if name in (*BULK_FIELDS, "items") else "form", message)
    result, conflicted = None, False
    if change is not None and not state.errors and not state.stale:
        try:
            with write_session(alone=False) as writer:
                result = change_statuses(writer, change=change, user_id=editor.user_id)
        except Invalid as exc:
            _domain_errors(session, state, exc, chosen.pairs)
        except Conflict as exc:
            conflicted = True
            state.stale = _stale_items(session, exc.extra.get("stale", []))
            retracted = _stale_items(session, exc.extra.get("retracted", []))
            if retracted:
                names = ", ".join(f"“{item.title}”" for item in retracted)
                state.errors["items"] = (
                    f"Retracted, no longer tracked: {names}. Untick them and apply again."
                )
            if not state.stale and not retracted:
                state.errors["form"] = sentence(exc.detail)
    headers: dict[str, str] = {}
    if result is not None:
        message = _said(result.status, len(result.changed), len(result.unchanged))
        if not wants_fragment(request):
            request.session[FLASH_KEY] = message
            return see_other("/" + ("?" + query if query else ""))
        state = BulkForm(done=message)
        headers["HX-Trigger"] = CHANGED_EVENT
        status_code = 200
    else:
        status_code = 409 if state.stale or conflicted else 422
    # The request's session reads again, after the write (or a conflict): a new snapshot.
    session.rollback()
    block = "results" if wants_fragment(request) else None
    document = dashboard_document(
        listed, session, editor, block=block, bulk=state, status_code=status_code,
        headers=headers,
    )  # fmt: skip
    return render(listed, session, editor, document)
