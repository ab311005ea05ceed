"""HTML routes of sources: the index, adding one (pasted text or a file), and a source's page:
the archived text with every quoted span highlighted and linked, and for editors the passage
form and the suggested claims."""

from __future__ import annotations

from contextlib import suppress
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.actors import service as actors
from service.db import write_session
from service.delivery.conditional import Document
from service.errors import Conflict, Invalid, NotFound
from service.items import service as items
from service.sources import sandbox, suggestions
from service.sources import service as sources
from service.sources.models import (
    MAX_TEXT_CHARS,
    PRECISIONS,
    SourceList,
    SourceMetadata,
    SourceUpdate,
)
from service.web import forms
from service.web.deps import CurrentPrincipal, FormEditor, SessionDep, editor_of_form
from service.web.forms import PostedForm, filled, messages, see_other, validate
from service.web.templates import conditional_page, page, render, render_form

router = APIRouter(include_in_schema=False, redirect_slashes=False)
SourceEditor = Annotated[
    Principal, Depends(editor_of_form(lambda r: urls.source(r.path_params["slug"])))
]

SOURCE_PAGE = "sources/source.html"
INDEX_PAGE = "sources/index.html"
NEW_PAGE = "sources/new.html"
FIELDS = ("title", "text", "publisher", "url", "published_on", "published_precision", "date_note")


@router.get("/sources")
def sources_index(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    def build() -> Document:
        listed = SourceList(sources=sources.get_all_public(session))
        return page(request, principal, INDEX_PAGE, {"sources": listed.sources})

    return conditional_page(request, session, principal, build)


def _new_form(
    request: Request,
    principal: Principal,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    echo = {
        "values": values,
        "errors": errors,
        "precision_options": [(p, p.capitalize()) for p in PRECISIONS],
    }
    return render_form(request, principal, NEW_PAGE, echo, status_code=status_code)


@router.get("/sources/new")
def new_source(request: Request, editor: FormEditor) -> Response:
    return _new_form(request, editor, {}, {})


@router.post("/sources/new")
async def create_source(request: Request, editor: FormEditor, form: PostedForm) -> Response:
    principal = editor
    values = filled(form, FIELDS)
    raw_text = form.get("text")
    # Archived as pasted, never stripped; only the CR LF line breaks that browsers put into every
    # submitted textarea become the LF the text had.
    values["text"] = raw_text.replace("\r\n", "\n") if isinstance(raw_text, str) else ""
    meta, errors = validate(SourceMetadata, {k: v for k, v in values.items() if k != "text" and v})
    upload = form.get("file")
    has_file = isinstance(upload, UploadFile) and bool(upload.filename)
    text, original = values["text"], None
    if not text.strip() and not has_file:
        errors["text"] = "Paste the text, or choose a file to upload."
    elif text.strip() and has_file:
        errors["file"] = "Paste a text or upload a file, not both."
    elif has_file and isinstance(upload, UploadFile):
        data = await upload.read()
        try:
            extracted = await run_in_threadpool(
                lambda: sandbox.extract_text(
                    filename=upload.filename or "",
                    content_type=upload.content_type,
                    data=data,
                    max_chars=MAX_TEXT_CHARS,
                )
            )
            text = extracted.text
            original = sources.Upload(upload.filename or "upload", extracted.media_type, data)
        except Invalid as exc:
            errors["file"] = next(iter(messages(exc).values()))
    if errors or meta is None:
        return _new_form(request, principal, values, errors, 422)

    def store() -> str:
        found = suggestions.prepare(
            text, published_on=meta.published_on, precision=meta.published_precision
        )
        with write_session() as writer:
            source = sources.archive(writer, meta=meta, text=text, original=original)
            suggestions.store(writer, source=source, found=found)
            return source.slug

    try:
        slug = await run_in_threadpool(store)
    except Invalid as exc:
        errors = messages(exc)
        return _new_form(request, principal, values, errors, 422)
    except Conflict as exc:
        existing = exc.extra.get("existing")
        message = exc.detail + (f" See {urls.source(existing)}." if existing else "")
        errors = {"text": message}
        return _new_form(request, principal, values, errors, 409)
    return see_other(urls.source(slug))


def _source_data(
    session: Session, slug: str, principal: Principal, reply_to: str | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": sources.get_public(session, slug=slug),
        "candidates": [],
        "candidates_by_id": {},
        "reply_to": None,
    }
    if principal.can_edit:
        data["candidates"] = suggestions.for_source(session, slug=slug, drafts=True)
        data["candidates_by_id"] = {c.id: c for c in data["candidates"]}
        data["actor_names"] = {a.slug: a.name for a in actors.get_all(session)}
        if reply_to:
            # Selecting words quotes them in a reply to this item (when there is one).
            with suppress(NotFound):
                data["reply_to"] = items.get(session, ref=reply_to)
    return data


@router.get("/sources/{slug}")
def source_page(
    slug: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    reply_to = request.query_params.get("reply_to")

    def build() -> Document:
        data = _source_data(session, slug, principal, reply_to)
        return page(request, principal, SOURCE_PAGE, data, echo={"slug_form": None})

    return conditional_page(request, session, principal, build)


@router.post("/sources/{slug}/slug")
def change_slug(
    slug: str, request: Request, session: SessionDep, editor: SourceEditor, form: PostedForm
) -> Response:
    def save(new: str, version: int) -> str:
        with write_session() as writer:
            return sources.update(
                writer,
                slug=slug,
                data=SourceUpdate(slug=new),
                if_match_version=version,
                user_id=editor.user_id,
            ).slug

    changed, state = forms.change_slug(form, save)
    if changed is not None:
        return see_other(urls.source(changed))
    data = _source_data(session, slug, editor)
    echo = {"slug_form": state}
    status_code = 412 if "meanwhile" in state.errors.get("slug", "") else 422
    document = page(request, editor, SOURCE_PAGE, data, echo=echo, status_code=status_code)
    return render(request, session, editor, document)


@router.post("/sources/{slug}/candidates/{candidate_id}/dismiss")
def dismiss_candidate(
    slug: str, candidate_id: str, request: Request, editor: SourceEditor
) -> Response:
    with write_session() as session:
        suggestions.dismiss(session, slug=slug, candidate_id=candidate_id, user_id=editor.user_id)
    # Back to the same suggestion, so that the page keeps its place.
    return see_other(urls.source(slug) + f"#c-{candidate_id}")


@router.post("/sources/{slug}/candidates/{candidate_id}/restore")
def restore_candidate(
    slug: str, candidate_id: str, request: Request, editor: SourceEditor
) -> Response:
    with write_session() as session:
        suggestions.restore(session, slug=slug, candidate_id=candidate_id, user_id=editor.user_id)
    return see_other(urls.source(slug) + f"#c-{candidate_id}")
