"""JSON routes of items: list, CSV, one item, create, edit, status change, history, summary."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response, StreamingResponse

from service import group_commit, urls
from service.db import SessionDep, one_build_at_a_time, read_session, write_session
from service.events import service as events
from service.events.models import History, ReplyCreate, ReplyPublic
from service.items import csv_export, listing, replies
from service.items import service as items
from service.items.models import (
    ItemCreate,
    ItemFilters,
    ItemList,
    ItemPublic,
    ItemUpdate,
    ItemWithHistory,
    ListQuery,
    Sort,
    StatusChange,
    Summary,
)
from service.links import service as links
from service.links.models import LinkCreate, LinkPublic, Relation
from service.web.conditional import conditional
from service.web.deps import CheckedInWrite, CurrentEditor
from service.web.heavy import export_cache, heavy_reads
from service.web.if_match import parse_if_match
from service.web.problems import NOT_MODIFIED, PROBLEM
from service.web.responses import json_bytes, json_response
from service.withheld import service as withheld
from service.withheld.models import WithheldCreate, WithheldPublic

router = APIRouter(prefix="/api/v1", tags=["items"], redirect_slashes=False)

READ_ERRORS: dict[int | str, dict[str, Any]] = {422: PROBLEM}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: PROBLEM,
    403: PROBLEM,
    404: PROBLEM,
    413: PROBLEM,
    422: PROBLEM,
}


def item_etag_prefix(version: int) -> str:
    """An item's ETag starts with its version, so that the ETag a GET gave is a valid If-Match."""
    return f"{version}-"


@router.get(
    "/items",
    response_model=ItemList,
    responses={**NOT_MODIFIED, **READ_ERRORS},
    summary="List items",
)
async def list_items(request: Request, query: Annotated[ListQuery, Query()]) -> Response:
    # One hop to the thread pool for the whole answer (the session, the data version, the page
    # and its JSON) rather than three: opening the session dependency, the route, closing it.
    return await run_in_threadpool(_list_items, request, query)


def _list_items(request: Request, query: ListQuery) -> Response:
    with read_session() as session:

        def build() -> bytes:
            with one_build_at_a_time(session):
                return listing.list_json(
                    session, filters=query, sort=query.sort, limit=query.limit, cursor=query.cursor
                )

        return conditional(request, session, build)


@router.get(
    "/summary",
    response_model=Summary,
    responses=NOT_MODIFIED,
    summary="Counts by kind, status and phase; overdue; commitments delivered; last change",
    tags=["summary"],
)
def get_summary(request: Request, session: SessionDep) -> Response:
    return conditional(request, session, lambda: json_bytes(listing.summary(session)))


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
    filters: Annotated[ItemFilters, Query()],
    sort: Annotated[Sort | None, Query()] = None,
) -> Response:
    listing.check(filters)
    headers = {"Content-Disposition": 'attachment; filename="items.csv"'}
    csv_type = "text/csv; charset=utf-8"

    def export(key: str) -> Response:
        # The same data and filters exported before: the file, no pass over the table.
        cached = export_cache().get(key)
        if cached is not None:
            return FileResponse(cached, media_type=csv_type, headers=headers)
        heavy_reads().enter()
        chunks = export_cache().fill(key, csv_export.stream(filters=filters, sort=sort))
        return StreamingResponse(
            heavy_reads().leave_after(chunks), media_type=csv_type, headers=headers
        )

    # Streamed, so never kept in memory: kept on disk by its ETag instead.
    return conditional(request, session, export, cache_body=False, keyed=True)


@router.get(
    "/items/{ref}",
    response_model=ItemWithHistory,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="One item, by id or slug, with its history",
)
def get_item(request: Request, session: SessionDep, ref: str) -> Response:
    item = items.get(session, ref=ref)

    def build() -> bytes:
        history = events.history(session, item_id=item.id)
        linked = links.links_of(session, item_id=item.id)
        return json_bytes(
            ItemWithHistory.model_construct(
                **dict(item), **dict(linked), history=history, replies=replies.of_history(history)
            )
        )

    return conditional(request, session, build, etag_prefix=item_etag_prefix(item.version))


@router.get(
    "/items/{ref}/history",
    response_model=History,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="An item's events, oldest first",
)
def get_history(request: Request, session: SessionDep, ref: str) -> Response:
    def build() -> bytes:
        row = items.get_row(session, ref=ref)
        return json_bytes(History(events=events.history(session, item_id=row.id)))

    return conditional(request, session, build)


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
    with write_session(alone=False) as session:
        item = items.update(
            session, ref=ref, data=data, if_match_version=version, user_id=editor.user_id
        )
    return json_response(item)


@router.post(
    "/items/{ref}/status",
    response_model=ItemPublic,
    responses={**WRITE_ERRORS, 409: PROBLEM},
    summary="Change an item's status (editor), with a note",
)
async def change_status(ref: str, change: StatusChange, check: CheckedInWrite) -> Response:
    # Status changes are the busiest write: on SQLite they share commits (service/group_commit.py),
    # and the editor's token is checked in the same transaction.
    def change_it(session: Session) -> ItemPublic:
        editor = check.editor(session.connection())
        return items.record_status_change(session, ref=ref, change=change, user_id=editor.user_id)

    return json_response(await group_commit.write(change_it))


@router.post(
    "/items/{ref}/links",
    status_code=201,
    response_model=LinkPublic,
    responses={**WRITE_ERRORS, 409: PROBLEM},
    summary="Link an item to another (editor): part_of, related or follows_from",
)
def create_link(ref: str, data: LinkCreate, editor: CurrentEditor) -> Response:
    with write_session() as session:
        link = links.create(session, ref=ref, data=data, user_id=editor.user_id)
    location = urls.item_link_api(link.item.slug, link.relation, link.target.slug)
    return json_response(link, 201, {"Location": location})


@router.delete(
    "/items/{ref}/links/{relation}/{target}",
    status_code=204,
    response_class=Response,
    responses=WRITE_ERRORS,
    summary="Remove a link between two items (editor)",
)
def delete_link(
    ref: str,
    relation: Annotated[Relation, Path(description="part_of, related or follows_from")],
    target: str,
    editor: CurrentEditor,
) -> Response:
    with write_session() as session:
        links.delete(session, ref=ref, relation=relation, target=target)
    return Response(status_code=204)


@router.post(
    "/items/{ref}/replies",
    status_code=201,
    response_model=ReplyPublic,
    responses={**WRITE_ERRORS, 409: PROBLEM},
    summary="Record an actor's reply to an item (editor)",
)
def create_reply(ref: str, data: ReplyCreate, editor: CurrentEditor) -> Response:
    with write_session() as session:
        reply = replies.record(session, ref=ref, data=data, user_id=editor.user_id)
        slug = items.get(session, ref=ref).slug
    return json_response(reply, 201, {"Location": urls.item_api(slug) + f"#reply-{reply.id}"})


@router.post(
    "/items/{ref}/withheld-names",
    status_code=201,
    response_model=WithheldPublic,
    responses={**WRITE_ERRORS, 409: PROBLEM},
    summary="Withhold a private person's name from the public (editor)",
    description="The words must appear in the item, its history or its source. From then on "
    "every public page, the JSON API, the CSV, the change feed and the Atom feed show "
    "`[name withheld]` in their place; editors' pages still show them.",
)
def create_withheld_name(ref: str, data: WithheldCreate, editor: CurrentEditor) -> Response:
    with write_session() as session:
        created = withheld.create(session, ref=ref, data=data, user_id=editor.user_id)
    # The answer goes to the editor who sent the name, never into a shared cache.
    return json_response(created, 201, {"Cache-Control": "no-store"})


@router.delete(
    "/items/{ref}/withheld-names/{withheld_id}",
    status_code=204,
    response_class=Response,
    responses=WRITE_ERRORS,
    summary="Show a withheld name again (editor)",
)
def delete_withheld_name(
    ref: str,
    withheld_id: Annotated[int, Path(ge=1, le=items.MAX_ID)],
    editor: CurrentEditor,
) -> Response:
    with write_session() as session:
        withheld.delete(session, ref=ref, withheld_id=withheld_id)
    return Response(status_code=204)
