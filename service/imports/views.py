"""The import pages (editors): upload a spreadsheet, read its preview, confirm it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.errors import Conflict, Invalid, NotFound, TooLarge
from service.imports import reading
from service.imports import service as imports
from service.imports.api import apply, make_preview, read_upload
from service.imports.models import ItemImport
from service.shapes import parse_id
from service.web.deps import FormEditor, SessionDep
from service.web.forms import PostedForm, see_other
from service.web.templates import page, render

router = APIRouter(include_in_schema=False, redirect_slashes=False)

UPLOAD_PAGE = "imports/upload.html"
PREVIEW_PAGE = "imports/preview.html"
FLASH_KEY = "import_flash"
RECENT = 10


def _upload_page(
    request: Request, session: Session, editor: Principal, errors: dict[str, str], status: int
) -> Response:
    columns = (ItemImport.id, ItemImport.filename, ItemImport.state, ItemImport.created_at)
    recent = session.execute(
        sa.select(*(col(c) for c in columns)).order_by(col(ItemImport.id).desc()).limit(RECENT)
    ).all()
    data = {"recent": [dict(row._mapping) for row in recent]}
    echo = {"errors": errors, "values": {}, "limits": _limits()}
    return render(request, session, editor, page(request, editor, UPLOAD_PAGE, data, echo=echo,
                                                 status_code=status))  # fmt: skip


def _limits() -> dict[str, Any]:
    return {"rows": reading.MAX_ROWS, "megabytes": reading.MAX_BYTES // (1024 * 1024)}


@router.get("/import")
def import_form(request: Request, session: SessionDep, editor: FormEditor) -> Response:
    return _upload_page(request, session, editor, {}, 200)


@router.post("/import")
async def upload(
    request: Request, session: SessionDep, editor: FormEditor, form: PostedForm
) -> Response:
    try:
        filename, data, table = await read_upload(form.get("file"))
    except (Invalid, TooLarge) as exc:
        status = 413 if isinstance(exc, TooLarge) else 422
        errors = {"file": exc.errors[0].message if exc.errors else exc.detail}
        return _upload_page(request, session, editor, errors, status)
    preview = await run_in_threadpool(make_preview, filename, data, table, editor.user_id)
    return see_other(urls.import_page(preview.id))


def _preview_page(
    request: Request, session: Session, editor: Principal, import_id: int, *,
    error: str | None = None, status: int = 200, announce: str | None = None,
) -> Response:  # fmt: skip
    preview = imports.get_preview(session, import_id=import_id)
    data = {"preview": preview.model_dump(mode="json")}
    echo = {"error": error}
    document = page(request, editor, PREVIEW_PAGE, data, echo=echo, status_code=status,
                    announce=announce)  # fmt: skip
    return render(request, session, editor, document)


@router.get("/import/{import_id}")
def import_preview(
    import_id: str, request: Request, session: SessionDep, editor: FormEditor
) -> Response:
    announce = request.session.pop(FLASH_KEY, None)
    return _preview_page(request, session, editor, _id(import_id), announce=announce)


@router.post("/import/{import_id}/confirm")
def import_confirm(
    import_id: str, request: Request, session: SessionDep, editor: FormEditor, form: PostedForm
) -> Response:
    number = _id(import_id)
    try:
        applied = apply(number, editor.user_id)
    except Conflict as exc:
        session.rollback()
        return _preview_page(request, session, editor, number, error=exc.detail, status=409)
    created, changed = len(applied.created), len(applied.changed)
    request.session[FLASH_KEY] = (
        f"Imported: {changed} {'item' if changed == 1 else 'items'} changed, {created} created."
    )
    return see_other(urls.import_page(number))


def _id(text: str) -> int:
    number = parse_id(text)
    if number is None:
        raise NotFound(f"No import {text!r}.")
    return number
