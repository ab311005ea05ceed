"""JSON routes of items: list, one item, create, edit, status change, history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from starlette.responses import Response, StreamingResponse

from service import http
from service.db import SessionDep, write_session
from service.deps import CurrentEditor
from service.errors import FieldError, invalid, precondition_required
from service.events import service as events
from service.items import csv_export, listing
from service.items import service as items
from service.items.models import ItemCreate, ItemUpdate, StatusChange
from service.schemas import (
    NOT_MODIFIED,
    PROBLEM,
    History,
    ItemList,
    ItemOut,
    ItemWithHistory,
    Kind,
    StatusCode,
    Summary,
)

router = APIRouter(prefix="/api/v1", tags=["items"])

READ_ERRORS = {422: PROBLEM}
WRITE_ERRORS = {401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 413: PROBLEM, 422: PROBLEM}

SortParam = Annotated[
    str,
    Query(
        pattern="^(updated_at|-updated_at|title|due_on)$",
        description="`updated_at`, `-updated_at` (default), `title` or `due_on`.",
    ),
]


def item_filters(
    kind: Annotated[Kind | None, Query(description="commitment, allegation or proposal")] = None,
    status: Annotated[list[StatusCode] | None, Query(description="Repeatable.")] = None,
    actor: Annotated[str | None, Query(max_length=120, description="Actor slug.")] = None,
    source: Annotated[str | None, Query(max_length=120, description="Source slug.")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Text in title, description or quote.")
    ] = None,
    overdue: Annotated[
        bool | None, Query(description="Only overdue (true) or not (false).")
    ] = None,
    updated_since: Annotated[
        str | None,
        Query(
            max_length=64,
            description="ISO 8601 date-time; items changed at or after it.",
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
) -> listing.ItemFilters:
    """The list filters, shared by the JSON list and the CSV export."""
    return listing.ItemFilters(
        kind=kind,
        statuses=list(status or []),
        actor=actor or None,
        source=source or None,
        q=q or None,
        overdue=overdue,
        updated_since=_parse_datetime("updated_since", updated_since),
    )


def _parse_datetime(field: str, value: str | None) -> dt.datetime | None:
    """ISO 8601 only (no Unix timestamps); without an offset the time is taken as UTC."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise invalid(FieldError(field, "must be an ISO 8601 date-time")) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


FiltersDep = Annotated[listing.ItemFilters, Depends(item_filters)]


@router.get(
    "/items",
    response_model=ItemList,
    responses={**NOT_MODIFIED, **READ_ERRORS},
    summary="List items",
)
def list_items(
    request: Request,
    session: SessionDep,
    filters: FiltersDep,
    sort: SortParam = listing.DEFAULT_SORT,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 50,
    cursor: Annotated[str | None, Query(max_length=1000, description="From `next_cursor`.")] = None,
) -> Response:
    return http.conditional(
        request,
        session,
        lambda: http.json_bytes(
            listing.list_page(session, filters=filters, sort=sort, limit=limit, cursor=cursor)
        ),
    )


@router.get(
    "/summary",
    response_model=Summary,
    responses=NOT_MODIFIED,
    summary="Counts by kind, status and phase; overdue; commitments delivered; last change",
    tags=["summary"],
)
def get_summary(request: Request, session: SessionDep) -> Response:
    return http.conditional(request, session, lambda: http.json_bytes(listing.summary(session)))


@router.get(
    "/items.csv",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}}, "description": "Every matching item, as CSV"},
        **NOT_MODIFIED,
        422: PROBLEM,
    },
    summary="The list as CSV (same filters, all pages, streamed)",
)
def items_csv(
    request: Request,
    session: SessionDep,
    filters: FiltersDep,
    sort: SortParam = listing.DEFAULT_SORT,
) -> Response:
    filters.validate()
    etag = http.make_etag(request, http.data_version(session))
    headers = {
        "ETag": etag,
        "Cache-Control": http.REVALIDATE,
        "Content-Disposition": 'attachment; filename="items.csv"',
    }
    if http.etag_matches(request, etag):
        return Response(status_code=304, headers=headers)
    return StreamingResponse(
        csv_export.stream(filters=filters, sort=sort),
        media_type="text/csv; charset=utf-8",
        headers=headers,
    )


@router.get(
    "/items/{ref}",
    response_model=ItemWithHistory,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="One item, by id or slug, with its history",
)
def get_item(request: Request, session: SessionDep, ref: str) -> Response:
    def build() -> bytes:
        body = items.get(session, ref=ref)
        body["history"] = events.history(session, item_id=body["id"])
        return http.json_bytes(body)

    return http.conditional(request, session, build)


@router.get(
    "/items/{ref}/history",
    response_model=History,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="An item's events, oldest first",
)
def get_history(request: Request, session: SessionDep, ref: str) -> Response:
    def build() -> bytes:
        row = items.get_row(session, ref=ref)
        return http.json_bytes({"events": events.history(session, item_id=row.id)})

    return http.conditional(request, session, build)


@router.post(
    "/items",
    status_code=201,
    response_model=ItemOut,
    responses=WRITE_ERRORS,
    summary="Create an item (editor)",
)
def create_item(data: ItemCreate, editor: CurrentEditor) -> Response:
    with write_session() as session:
        body = items.create(session, data=data, user_id=editor.user_id)
    return http.json_response(body, 201, {"Location": body["links"]["self"]})


def _parse_if_match(value: str | None) -> int:
    if value is None:
        raise precondition_required('Send `If-Match: "<version>"` with the version you edited.')
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit() or len(text) > 18:
        raise invalid(FieldError("If-Match", 'must be the item version, such as "3"'))
    return int(text)


@router.patch(
    "/items/{ref}",
    response_model=ItemOut,
    responses={**WRITE_ERRORS, 412: PROBLEM, 428: PROBLEM},
    summary="Edit an item's fields (editor); needs If-Match with its version",
)
def update_item(
    ref: str,
    data: ItemUpdate,
    editor: CurrentEditor,
    if_match: Annotated[str | None, Header(description='The version edited, e.g. "3".')] = None,
) -> Response:
    version = _parse_if_match(if_match)
    with write_session() as session:
        body = items.update(
            session, ref=ref, data=data, if_match_version=version, user_id=editor.user_id
        )
    return http.json_response(body)


@router.post(
    "/items/{ref}/status",
    response_model=ItemOut,
    responses={**WRITE_ERRORS, 409: PROBLEM},
    summary="Change an item's status (editor), with a note",
)
def change_status(ref: str, change: StatusChange, editor: CurrentEditor) -> Response:
    with write_session() as session:
        body = items.record_status_change(session, ref=ref, change=change, user_id=editor.user_id)
    return http.json_response(body)
