"""JSON routes of imports: upload a spreadsheet for a preview, read a preview, confirm it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from service import urls
from service.db import read_session, write_session
from service.errors import FieldError, TooLarge, invalid, not_found
from service.imports import reading
from service.imports import service as imports
from service.imports.models import ImportApplied, ImportPreview
from service.shapes import parse_id
from service.web.deps import CurrentEditor
from service.web.problems import PROBLEM, WRITE_ERRORS
from service.web.responses import json_response

router = APIRouter(prefix="/api/v1", tags=["imports"], redirect_slashes=False)

_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


async def read_upload(upload: object) -> tuple[str, bytes, reading.Table]:
    """The uploaded spreadsheet's name, bytes and rows; a 422 (or 413) naming `file` else."""
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise invalid(FieldError("file", "attach a spreadsheet (.csv or .xlsx)"))
    data = await upload.read(reading.MAX_BYTES + 1)
    filename = upload.filename
    try:
        table = await run_in_threadpool(reading.read_table, filename, data)
    except reading.Unreadable as exc:
        if exc.status == 413:
            raise TooLarge(exc.message, errors=[FieldError("file", exc.message)]) from None
        raise invalid(FieldError("file", exc.message)) from None
    return filename, data, table


def make_preview(
    filename: str, data: bytes, table: reading.Table, user_id: int | None
) -> ImportPreview:
    with write_session() as session:
        return imports.preview(session, table=table, filename=filename, data=data, user_id=user_id)


def apply(import_id: int, user_id: int | None) -> ImportApplied:
    with write_session() as session:
        return imports.confirm(session, import_id=import_id, user_id=user_id)


@router.post(
    "/imports",
    status_code=201,
    response_model=ImportPreview,
    responses=WRITE_ERRORS,
    openapi_extra=_UPLOAD_BODY,
    summary="Upload a spreadsheet of items (.csv or .xlsx) for a preview (editor)",
)
async def create_import(request: Request, editor: CurrentEditor) -> Response:
    form = await request.form(max_files=1, max_fields=10)
    filename, data, table = await read_upload(form.get("file"))
    preview = await run_in_threadpool(make_preview, filename, data, table, editor.user_id)
    return json_response(preview, 201, {"Location": urls.import_api(preview.id)})


@router.get(
    "/imports/{import_id}",
    response_model=ImportPreview,
    responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM},
    summary="An import's preview, and whether it was applied (editor)",
)
def get_import(import_id: str, editor: CurrentEditor) -> Response:
    with read_session() as session:
        return json_response(imports.get_preview(session, import_id=_id(import_id)))


@router.post(
    "/imports/{import_id}/confirm",
    response_model=ImportApplied,
    responses=WRITE_ERRORS,
    summary="Apply a previewed import, all of it or nothing (editor)",
)
def confirm_import(import_id: str, editor: CurrentEditor) -> Response:
    return json_response(apply(_id(import_id), editor.user_id))


def _id(text: str) -> int:
    number = parse_id(text)
    if number is None:
        raise not_found("import", text)
    return number
