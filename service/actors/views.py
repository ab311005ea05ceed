"""HTML routes of actors: the index, adding one, and an actor's scorecard and items."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service import urls
from service.accounts.service import Principal
from service.actors import service as actors
from service.actors.models import ACTOR_KINDS, ActorCreate, ActorPublic
from service.db import SessionDep, write_session
from service.errors import Conflict, Forbidden, Invalid
from service.items import listing
from service.items.models import ItemFilters
from service.web import csrf
from service.web.deps import CurrentPrincipal
from service.web.forms import (
    PostedForm,
    filled,
    messages,
    safe_next,
    see_other,
    sign_in_redirect,
    validate,
)
from service.web.templates import conditional_page, page_context, render

router = APIRouter(include_in_schema=False, redirect_slashes=False)

ACTOR_PAGE = "actors/actor.html"
INDEX_PAGE = "actors/index.html"
NEW_PAGE = "actors/new.html"
PAGE_SIZE = 50


@router.get("/actors")
def actors_index(request: Request, session: SessionDep, principal: CurrentPrincipal) -> Response:
    context = page_context(request, principal)

    def build() -> Response:
        context["actors"] = [ActorPublic.of(a) for a in actors.get_all(session)]
        return render(request, INDEX_PAGE, context, session=session)

    return conditional_page(request, session, context, build)


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
        "next_url": safe_next(values.get("next")) if values.get("next") else "",
        "kind_options": [("", "Choose…"), *ACTOR_KINDS.items()],
    }
    return render(request, NEW_PAGE, context, status_code=status_code)


@router.get("/actors/new")
def new_actor(request: Request, principal: CurrentPrincipal, next: str = "") -> Response:
    if principal.user_id is None:
        return sign_in_redirect(request, urls.actor_new())
    if not principal.can_edit:
        raise Forbidden("Editors and admins only.")
    return _new_form(request, principal, {"next": next}, {})


@router.post("/actors/new")
def create_actor(request: Request, principal: CurrentPrincipal, form: PostedForm) -> Response:
    if principal.user_id is None:
        return sign_in_redirect(request, urls.actor_new())
    csrf.check(request, form)
    if not principal.can_edit:
        raise Forbidden("Editors and admins only.")
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
    context = page_context(request, principal)

    def build() -> Response:
        actor = actors.get(session, slug=slug)
        page = listing.list_page(
            session, filters=ItemFilters(actor=slug), limit=PAGE_SIZE, cursor=cursor
        )
        # An allegation's investigator or a commitment's delivering body answers for it too.
        responsible = listing.list_page(
            session, filters=ItemFilters(responsible=slug), sort="title", limit=PAGE_SIZE
        )
        context.update(
            actor=actor,
            scorecard=actors.scorecard(session, actor_id=actor.id),  # type: ignore[arg-type]
            page=page,
            responsible=responsible,
            next_url=urls.actor(slug, cursor=page.next_cursor) if page.next_cursor else None,
        )
        return render(request, ACTOR_PAGE, context, session=session)

    return conditional_page(request, session, context, build)
