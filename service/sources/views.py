"""HTML routes of sources: the index, adding one (pasted text or a file), and a source's page:
the archived text with every quoted span highlighted and linked, and for editors the passage
form and the suggested claims."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.actors import service as actors
from service.db import SessionDep, write_session
from service.errors import Conflict, Forbidden, Invalid
from service.sources import extract, suggestions
from service.sources import service as sources
from service.sources.models import MAX_TEXT_CHARS, PRECISIONS, SourceMetadata
from service.sources.text import quoted_segments
from service.web import csrf
from service.web.deps import CurrentPrincipal
from service.web.forms import PostedForm, filled, messages, see_other, sign_in_redirect, validate
from service.web.templates import conditional_page, page_context, render

router = APIRouter(include_in_schema=False, redirect_slashes=False)

SOURCE_PAGE = "sources/source.html"
INDEX_PAGE = "sources/index.html"
NEW_PAGE = "sources/new.html"
FIELDS = ("title", "text", "publisher", "url", "published_on", "published_precision", "date_note")


@router.get("/sources")
def sources_index(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    context = page_context(request, principal)

    def build() -> Response:
        context["sources"] = sources.get_all_public(session)
        return render(request, INDEX_PAGE, context, session=session)

    return conditional_page(request, session, context, build)


def _editor_or_redirect(request: Request, principal: Principal, back: str) -> Response | None:
    if principal.user_id is None:
        return sign_in_redirect(request, back)
    if not principal.can_edit:
        raise Forbidden("Editors and admins only.")
    return None


def _new_form(
    request: Request,
    principal: Principal,
    values: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = {
        **page_context(request, principal),
        "values": values,
        "errors": errors,
        "precision_options": [(p, p.capitalize()) for p in PRECISIONS],
    }
    return render(request, NEW_PAGE, context, status_code=status_code)


@router.get("/sources/new")
def new_source(request: Request, principal: CurrentPrincipal) -> Response:
    refused = _editor_or_redirect(request, principal, urls.source_new())
    if refused is not None:
        return refused
    return _new_form(request, principal, {}, {})


@router.post("/sources/new")
async def create_source(
    request: Request, principal: CurrentPrincipal, form: PostedForm
) -> Response:
    refused = _editor_or_redirect(request, principal, urls.source_new())
    if refused is not None:
        return refused
    csrf.check(request, form)
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
                lambda: extract.extract_text(
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
        with write_session() as session:
            return sources.archive(session, meta=meta, text=text, original=original).slug

    try:
        slug = await run_in_threadpool(store)
    except Invalid as exc:
        return _new_form(request, principal, values, messages(exc), 422)
    except Conflict as exc:
        existing = exc.extra.get("existing")
        message = exc.detail + (f" See {urls.source(existing)}." if existing else "")
        return _new_form(request, principal, values, {"text": message}, 409)
    return see_other(urls.source(slug))


def _source_context(session: Any, slug: str, context: dict[str, Any]) -> dict[str, Any]:
    public = sources.get_public(session, slug=slug)
    source = sources.get(session, slug=slug)
    spans = public.quote_spans
    context.update(
        source=source,
        original=public.original,
        spans=spans,
        segments=quoted_segments(source.text, spans),
        candidates=[],
    )
    principal: Principal = context["principal"]
    if principal.can_edit:
        context["candidates"] = suggestions.for_source(session, slug=slug)
        context["actor_names"] = {a.slug: a.name for a in actors.get_all(session)}
    return context


@router.get("/sources/{slug}")
def source_page(
    slug: str, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> Response:
    context = page_context(request, principal)

    def build() -> Response:
        return render(
            request, SOURCE_PAGE, _source_context(session, slug, context), session=session
        )

    return conditional_page(request, session, context, build)


@router.post("/sources/{slug}/candidates/{candidate_id}/dismiss")
def dismiss_candidate(
    slug: str, candidate_id: str, request: Request, principal: CurrentPrincipal, form: PostedForm
) -> Response:
    refused = _editor_or_redirect(request, principal, urls.source(slug))
    if refused is not None:
        return refused
    csrf.check(request, form)
    with write_session() as session:
        suggestions.dismiss(
            session, slug=slug, candidate_id=candidate_id, user_id=principal.user_id
        )
    return see_other(urls.source(slug) + "#suggestions-heading")
