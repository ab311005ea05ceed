"""JSON routes of sources: the list, one source with its text, hash and quoted spans, archiving
a new one (pasted text or an uploaded file), correcting its metadata, its original upload, and
the claims suggested in its text."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from service import urls
from service.db import write_session
from service.delivery import masking
from service.delivery.conditional import API, UPLOAD, Document, answer
from service.delivery.version import data_version
from service.errors import FieldError, invalid, not_found
from service.sources import sandbox, suggestions
from service.sources import service as sources
from service.sources.models import (
    MAX_TEXT_CHARS,
    CandidateList,
    SourceCreate,
    SourceList,
    SourceMetadata,
    SourceUpdate,
    SourceWithText,
)
from service.web.deps import CurrentEditor, CurrentPrincipal, SessionDep
from service.web.if_match import parse_if_match
from service.web.problems import NOT_MODIFIED, PROBLEM, WRITE_ERRORS, field_errors
from service.web.responses import json_bytes, json_response

router = APIRouter(prefix="/api/v1", tags=["sources"], redirect_slashes=False)

_CREATE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": SourceCreate.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["title", "file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        **{
                            name: {"type": "string"}
                            for name in SourceMetadata.model_fields
                            if name != "title"
                        },
                        "title": {"type": "string", "minLength": 1, "maxLength": 500},
                    },
                }
            },
        },
    }
}


def _ascii_filename(name: str) -> str:
    """A filename safe inside a Content-Disposition header."""
    cleaned = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in name)
    return cleaned.strip("._") or "original"


@router.get("/sources", response_model=SourceList, responses=NOT_MODIFIED, summary="Sources")
def list_sources(request: Request, session: SessionDep) -> Response:
    return answer(
        request,
        session,
        API,
        lambda: Document(SourceList(sources=sources.get_all_public(session)), json_bytes),
    )


@router.get(
    "/sources/{slug}",
    response_model=SourceWithText,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="One source with its text, SHA-256 and every item's quoted span",
)
def get_source(request: Request, session: SessionDep, slug: str) -> Response:
    return answer(
        request, session, API, lambda: Document(sources.get_public(session, slug=slug), json_bytes)
    )


@router.get(
    "/sources/{slug}/original",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The upload's bytes"},
        **NOT_MODIFIED,
        401: PROBLEM,
        403: PROBLEM,
        404: PROBLEM,
    },
    summary="The file a source was archived from, byte for byte",
    description="For everyone, unless its bytes hold a name withheld from the public, read in "
    "any way they can be read (its title, meta tags and footer too): then for editors only, "
    "and the public gets 404, as for a source with no upload.",
)
def get_original(
    request: Request, session: SessionDep, slug: str, principal: CurrentPrincipal
) -> Response:
    original = sources.get_original(session, slug=slug)
    if not principal.can_edit:
        masker = masking.masker(session, data_version(session))
        if slug in masker.hidden_originals:
            # Bytes cannot be masked: a file that holds a withheld name is for editors only.
            raise not_found("original upload of source", slug)

    def build() -> Response:
        filename = _ascii_filename(original.filename)
        return Response(
            original.data,
            media_type=original.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "X-Content-SHA256": original.sha256,
            },
        )

    return answer(request, session, UPLOAD, build)


async def _read_create(request: Request) -> tuple[SourceMetadata, str, sources.Upload | None]:
    """The new source from JSON (`text`) or from a multipart form (`file`)."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("file")
            fields = {
                k: v for k, v in form.items() if k != "file" and isinstance(v, str) and v != ""
            }
            meta = SourceMetadata.model_validate(fields)
            if not isinstance(upload, UploadFile):
                raise invalid(FieldError("file", "attach a file (.txt, .html, .htm or .pdf)"))
            data = await upload.read()
            extracted = await run_in_threadpool(
                lambda: sandbox.extract_text(
                    filename=upload.filename or "",
                    content_type=upload.content_type,
                    data=data,
                    max_chars=MAX_TEXT_CHARS,
                )
            )
            original = sources.Upload(upload.filename or "upload", extracted.media_type, data)
            return meta, extracted.text, original
        if content_type.split(";")[0].strip() not in ("application/json", ""):
            raise invalid(
                FieldError("body", "send application/json, or multipart/form-data with a file")
            )
        created = SourceCreate.model_validate_json(await request.body())
        meta = SourceMetadata.model_validate(created.model_dump(exclude={"text"}))
        return meta, created.text, None
    except ValidationError as exc:
        raise invalid(*field_errors(list(exc.errors()))) from None


@router.post(
    "/sources",
    status_code=201,
    response_model=SourceWithText,
    responses=WRITE_ERRORS,
    openapi_extra=_CREATE_BODY,
    summary="Archive a new source from pasted text or an uploaded file (editor)",
)
async def create_source(request: Request, editor: CurrentEditor) -> Response:
    meta, text, original = await _read_create(request)

    def store() -> SourceWithText:
        found = suggestions.prepare(
            text, published_on=meta.published_on, precision=meta.published_precision
        )
        with write_session() as session:
            source = sources.archive(session, meta=meta, text=text, original=original)
            suggestions.store(session, source=source, found=found)
            return sources.get_public(session, slug=source.slug)

    created = await run_in_threadpool(store)
    return json_response(created, 201, {"Location": urls.source_api(created.slug)})


@router.patch(
    "/sources/{slug}",
    response_model=SourceWithText,
    responses={**WRITE_ERRORS, 412: PROBLEM, 428: PROBLEM},
    summary="Correct a source's metadata (editor); its text never changes; needs If-Match",
)
def update_source(
    slug: str,
    data: SourceUpdate,
    editor: CurrentEditor,
    if_match: Annotated[str | None, Header(description='The source\'s version, e.g. "1".')] = None,
) -> Response:
    version = parse_if_match(if_match, "source")
    with write_session() as session:
        source = sources.update(
            session, slug=slug, data=data, if_match_version=version, user_id=editor.user_id
        )
        return json_response(sources.get_public(session, slug=source.slug))


@router.get(
    "/sources/{slug}/candidates",
    response_model=CandidateList,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="Claims suggested in the source's text: commitments, allegations and proposals",
)
def list_candidates(request: Request, session: SessionDep, slug: str) -> Response:
    def build() -> Document:
        found = suggestions.for_source(session, slug=slug)
        return Document(CandidateList(source=slug, candidates=found), json_bytes)

    return answer(request, session, API, build)


@router.post(
    "/sources/{slug}/candidates/{candidate_id}/dismiss",
    response_model=CandidateList,
    responses=WRITE_ERRORS,
    summary="Dismiss a suggested claim (editor): it stays listed, as dismissed",
)
def dismiss_candidate(slug: str, candidate_id: str, editor: CurrentEditor) -> Response:
    with write_session() as session:
        suggestions.dismiss(session, slug=slug, candidate_id=candidate_id, user_id=editor.user_id)
        found = suggestions.for_source(session, slug=slug)
        return json_response(CandidateList(source=slug, candidates=found))


@router.post(
    "/sources/{slug}/candidates/{candidate_id}/restore",
    response_model=CandidateList,
    responses=WRITE_ERRORS,
    summary="Take back the dismissal of a suggested claim (editor): it is new again",
)
def restore_candidate(slug: str, candidate_id: str, editor: CurrentEditor) -> Response:
    with write_session() as session:
        suggestions.restore(session, slug=slug, candidate_id=candidate_id, user_id=editor.user_id)
        found = suggestions.for_source(session, slug=slug, drafts=True)
        return json_response(CandidateList(source=slug, candidates=found))
