"""JSON routes of items: list, CSV, workbook, one item, create, edit, status change, history,
summary, replies."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from service import group_commit, urls
from service.db import one_build_at_a_time, read_session, write_session
from service.delivery.conditional import (
    API,
    EXPORT,
    PUBLIC,
    WORKBOOK_EXPORT,
    XLSX,
    Document,
    Export,
    Policy,
    Viewer,
    answer,
)
from service.errors import not_found, require_version
from service.events import service as events
from service.events.models import History, ReplyCreate, ReplyPublic
from service.items import csv_export, edits, listing, replies, summary_as_of, xlsx_export
from service.items import service as items
from service.items import summary as summaries
from service.items.filters import ItemFilters, ListQuery, Sort
from service.items.models import (
    ItemCreate,
    ItemList,
    ItemListValues,
    ItemPublic,
    ItemUpdate,
    ItemWithHistory,
    StatusChange,
    Summary,
)
from service.links import service as links
from service.web.deps import (
    CheckedInWrite,
    CurrentEditor,
    SessionDep,
    current_editor,
    principal_of,
)
from service.web.if_match import parse_if_match
from service.web.paging import link_next, next_page
from service.web.problems import NOT_MODIFIED, PROBLEM, WRITE_ERRORS
from service.web.responses import json_bytes, json_response

router = APIRouter(prefix="/api/v1", tags=["items"], redirect_slashes=False)

READ_ERRORS: dict[int | str, dict[str, Any]] = {422: PROBLEM}
# `publication` asks for what editors alone may list.
EDITORS_LIST: dict[int | str, dict[str, Any]] = {401: PROBLEM, 403: PROBLEM}


def item_etag_prefix(version: int) -> str:
    """An item's ETag starts with its version, so that the ETag a GET gave is a valid If-Match."""
    return f"{version}-"


@router.get(
    "/items",
    response_model=ItemList,
    responses={**NOT_MODIFIED, **READ_ERRORS, **EDITORS_LIST},
    summary="List items",
)
async def list_items(request: Request, query: Annotated[ListQuery, Query()]) -> Response:
    # One hop to the thread pool for the whole answer (the session, the data version, the page
    # and its JSON) rather than three: opening the session dependency, the route, closing it.
    return await run_in_threadpool(_list_items, request, query)


def listed_for(request: Request, filters: ItemFilters) -> Viewer:
    """Whom a list or an export is for: drafts and retracted items are listed for editors only
    (401 or 403 for anyone else), each for themselves; the published ones for everyone."""
    if filters.publication is None:
        return PUBLIC
    editor = current_editor(principal_of(request))
    return Viewer(key=f"editor:{editor.user_id}")


def _list_items(request: Request, query: ListQuery) -> Response:
    viewer = listed_for(request, query)
    with read_session() as session:

        def build() -> Document:
            with one_build_at_a_time(session):
                found = listing.list_values(
                    session, filters=query, sort=query.sort, limit=query.limit, cursor=query.cursor
                )
            following = found.next_cursor
            next_url = next_page(request, cursor=following) if following else None
            return Document(found, ItemListValues.json, headers=link_next(next_url))

        return answer(request, session, API, build, viewer=viewer)


def readable(request: Request, item: ItemPublic) -> Viewer:
    """Who may read this item, as whom: a draft is for editors only (404 for everyone else,
    as if it were not there), each reading it for themselves."""
    if item.publication != "draft":
        return PUBLIC
    principal = principal_of(request)
    if not principal.can_edit:
        raise not_found("item", item.slug)
    return Viewer(key=f"editor:{principal.user_id}")


@router.get(
    "/summary",
    response_model=Summary,
    responses={**NOT_MODIFIED, 422: PROBLEM},
    summary="Counts by kind, status and phase; overdue; commitments delivered; last change",
    description="With `as_of` (a date, not after today), the counts as they stood at the end "
    "of that day (UTC), from the history: the items published by then and not retracted by "
    "then, each with its kind and status of that moment; `overdue` judged on that day.",
    tags=["summary"],
)
def get_summary(
    request: Request,
    session: SessionDep,
    as_of: Annotated[
        summary_as_of.IsoDay | None, Query(description="A day (UTC): the counts at its end.")
    ] = None,
) -> Response:
    if as_of is None:
        return answer(
            request, session, API, lambda: Document(summaries.summary(session), json_bytes)
        )
    summary_as_of.check_day(as_of)
    day = as_of
    return answer(
        request, session, API,
        lambda: Document(summary_as_of.summary_as_of(session, day=day), json_bytes),
    )  # fmt: skip


@router.get(
    "/items.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "Every matching item, as CSV"},
        **NOT_MODIFIED,
        422: PROBLEM,
        **EDITORS_LIST,
    },
    summary="The list as CSV (same filters, all pages, streamed)",
)
def items_csv(
    request: Request,
    session: SessionDep,
    filters: Annotated[ItemFilters, Query()],
    sort: Annotated[Sort | None, Query()] = None,
) -> Response:
    return _export(request, session, filters, sort, csv_export.stream, "items.csv", EXPORT)


@router.get(
    "/items.xlsx",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {XLSX: {}},
            "description": "Every matching item, as an Excel workbook: sheet Items (typed "
            "cells, the CSV's columns) and sheet Vocabulary (each kind's statuses)",
        },
        **NOT_MODIFIED,
        422: PROBLEM,
        **EDITORS_LIST,
    },
    summary="The list as an Excel workbook (same filters, all pages)",
)
def items_xlsx(
    request: Request,
    session: SessionDep,
    filters: Annotated[ItemFilters, Query()],
    sort: Annotated[Sort | None, Query()] = None,
) -> Response:
    return _export(
        request, session, filters, sort, xlsx_export.stream, "items.xlsx", WORKBOOK_EXPORT
    )


def _export(
    request: Request,
    session: Session,
    filters: ItemFilters,
    sort: Sort | None,
    stream: Callable[..., Iterator[bytes]],
    filename: str,
    policy: Policy,
) -> Response:
    """Every matching item as a file, streamed by `stream` (each item as the viewer may read
    it), kept and answered by the delivery layer as `policy` says."""
    listing.check(filters)
    viewer = listed_for(request, filters)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}

    def export() -> Export:
        return Export(
            lambda public_in: stream(filters=filters, sort=sort, public_in=public_in), headers
        )

    return answer(request, session, policy, export, viewer=viewer)


@router.get(
    "/items/{ref}",
    response_model=ItemWithHistory,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="One item, by id or slug, with its history",
)
def get_item(request: Request, session: SessionDep, ref: str) -> Response:
    item = items.get(session, ref=ref)
    viewer = readable(request, item)

    def build() -> Document:
        history = events.history(session, item_id=item.id)
        linked = links.links_of(session, item_id=item.id, drafts=viewer is not PUBLIC)
        whole = ItemWithHistory.model_construct(
            **dict(item), **dict(linked), history=history, replies=replies.of_history(history)
        )
        return Document(whole, json_bytes)

    prefix = item_etag_prefix(item.version)
    return answer(request, session, API, build, viewer=viewer, etag_prefix=prefix)


@router.get(
    "/items/{ref}/history",
    response_model=History,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="An item's events, oldest first",
)
def get_history(request: Request, session: SessionDep, ref: str) -> Response:
    item = items.get(session, ref=ref)
    viewer = readable(request, item)

    def build() -> Document:
        return Document(History(events=events.history(session, item_id=item.id)), json_bytes)

    return answer(request, session, API, build, viewer=viewer)


@router.post(
    "/items",
    status_code=201,
    response_model=ItemPublic,
    responses=WRITE_ERRORS,
    summary="Create an item (editor)",
)
def create_item(data: ItemCreate, editor: CurrentEditor) -> Response:
    with write_session() as session:
        item = items.create(session, data=data, user_id=editor.user_id)
    return json_response(item, 201, {"Location": urls.item_api(item.slug)})


@router.patch(
    "/items/{ref}",
    response_model=ItemPublic,
    responses={**WRITE_ERRORS, 412: PROBLEM, 428: PROBLEM},
    summary="Edit an item's fields (editor); needs If-Match with its ETag or version",
)
def update_item(
    ref: str,
    data: ItemUpdate,
    editor: CurrentEditor,
    if_match: Annotated[
        str | None, Header(description='The ETag of the item, or its version, e.g. "3".')
    ] = None,
) -> Response:
    version = parse_if_match(if_match, "item")
    # A new slug must be free: checked before it is written, with the other such writers.
    with write_session(alone=data.slug is not None) as session:
        item = edits.update(
            session, ref=ref, data=data, if_match_version=version, user_id=editor.user_id
        )
    return json_response(item)


@router.post(
    "/items/{ref}/status",
    response_model=ItemPublic,
    responses=WRITE_ERRORS,
    summary="Change an item's status (editor), with a note",
)
async def change_status(
    ref: str,
    change: StatusChange,
    check: CheckedInWrite,
    if_match: Annotated[
        str | None,
        Header(description='Optional: the ETag of the item, or its version, e.g. "3".'),
    ] = None,
) -> Response:
    # Status changes are the busiest write: on SQLite they share commits (service/group_commit.py),
    # and the editor's token is checked in the same transaction.
    def change_it(session: Session) -> ItemPublic:
        editor = check.editor(session.connection())
        checked = change
        if if_match is not None:
            # Optional here, and read as on every edit: a weak ETag or another version is a 412.
            version = parse_if_match(if_match, "item")
            current = items.get_row(session, ref=ref).version
            require_version("item", current=current, asked=version)
            if change.expected_version is None:
                checked = change.model_copy(update={"expected_version": version})
        return items.record_status_change(session, ref=ref, change=checked, user_id=editor.user_id)

    return json_response(await group_commit.write(change_it))


@router.post(
    "/items/{ref}/replies",
    status_code=201,
    response_model=ReplyPublic,
    responses=WRITE_ERRORS,
    summary="Record an actor's reply to an item (editor)",
)
def create_reply(ref: str, data: ReplyCreate, editor: CurrentEditor) -> Response:
    with write_session() as session:
        reply = replies.record(session, ref=ref, data=data, user_id=editor.user_id)
        slug = items.get(session, ref=ref).slug
    return json_response(reply, 201, {"Location": urls.item_api(slug) + f"#reply-{reply.id}"})
