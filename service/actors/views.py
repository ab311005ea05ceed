"""HTML routes of actors: the index, adding one, and an actor's scorecard and items."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.actors import service as actors
from service.actors.models import ACTOR_KINDS, ActorCreate, ActorList, ActorPublic, ActorUpdate
from service.db import write_session
from service.delivery.conditional import Document
from service.errors import Conflict, Invalid
from service.items import listing
from service.items.claim_dates import source_dates
from service.items.filters import ItemFilters
from service.urls import safe_next
from service.web import forms
from service.web.deps import CurrentPrincipal, FormEditor, SessionDep, editor_of_form
from service.web.forms import PostedForm, filled, messages, see_other, validate
from service.web.templates import conditional_page, page, render, render_form

router = APIRouter(include_in_schema=False, redirect_slashes=False)
ActorEditor = Annotated[
    Principal, Depends(editor_of_form(lambda r: urls.actor(r.path_params["slug"])))
]

ACTOR_PAGE = "actors/actor.html"
INDEX_PAGE = "actors/index.html"
NEW_PAGE = "actors/new.html"
PAGE_SIZE = 50


@router.get("/actors")
def actors_index(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    def build() -> Document:
        listed = ActorList(actors=[ActorPublic.of(a) for a in actors.get_all(session)])
        return page(request, principal, INDEX_PAGE, {"listed": listed})

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
        "next_url": safe_next(values.get("next")) if values.get("next") else "",
        "kind_options": [("", "Choose…"), *ACTOR_KINDS.items()],
    }
    return render_form(request, principal, NEW_PAGE, echo, status_code=status_code)


@router.get("/actors/new")
def new_actor(request: Request, editor: FormEditor, next: str = "") -> Response:
    return _new_form(request, editor, {"next": next}, {})


@router.post("/actors/new")
def create_actor(request: Request, editor: FormEditor, form: PostedForm) -> Response:
    principal = editor
    values = filled(form, ("name", "kind", "aliases", "next"))
    aliases = [line.strip() for line in values["aliases"].splitlines() if line.strip()]
    data, errors = validate(
        ActorCreate, {"name": values["name"], "kind": values["kind"], "aliases": aliases}
    )
    if data is None:
        return _new_form(request, principal, values, errors, 422)
    try:
        with write_session() as session:
            slug = actors.create(session, data=data).slug
    except Invalid as exc:
        return _new_form(request, principal, values, messages(exc), 422)
    except Conflict as exc:
        return _new_form(request, principal, values, {"name": exc.detail}, 409)
    return see_other(safe_next(values["next"]) if values["next"] else urls.actor(slug))


@router.get("/actors/{slug}")
def actor_page(
    slug: str,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    cursor: str | None = None,
) -> Response:
    def build() -> Document:
        return _actor_page(request, session, principal, slug, cursor=cursor)

    return conditional_page(request, session, principal, build)


def _actor_page(
    request: Request,
    session: Session,
    principal: Principal,
    slug: str,
    *,
    cursor: str | None = None,
    slug_form: forms.SlugChange | None = None,
    status_code: int = 200,
) -> Document:
    actor = actors.get(session, slug=slug)
    found = listing.list_page(
        session, filters=ItemFilters(actor=slug), limit=PAGE_SIZE, cursor=cursor
    )
    # An allegation's investigator or a commitment's delivering body answers for it too.
    responsible = listing.list_page(
        session, filters=ItemFilters(responsible=slug), sort="title", limit=PAGE_SIZE
    )
    data = {
        "actor": ActorPublic.of(actor),
        "scorecard": actors.scorecard(session, actor_id=actor.id),  # type: ignore[arg-type]
        "page": found,
        "responsible": responsible,
        "next_url": urls.actor(slug, cursor=found.next_cursor) if found.next_cursor else None,
        "source_dates": source_dates(session),
    }
    echo = {"slug_form": slug_form}
    return page(request, principal, ACTOR_PAGE, data, echo=echo, status_code=status_code)


@router.post("/actors/{slug}/slug")
def change_slug(
    slug: str, request: Request, session: SessionDep, editor: ActorEditor, form: PostedForm
) -> Response:
    def save(new: str, version: int) -> str:
        with write_session() as writer:
            return actors.update(
                writer,
                slug=slug,
                data=ActorUpdate(slug=new),
                if_match_version=version,
                user_id=editor.user_id,
            ).slug

    changed, state = forms.change_slug(form, save)
    if changed is not None:
        return see_other(urls.actor(changed))
    status_code = 412 if "meanwhile" in state.errors.get("slug", "") else 422
    document = _actor_page(request, session, editor, slug, slug_form=state, status_code=status_code)
    return render(request, session, editor, document)
