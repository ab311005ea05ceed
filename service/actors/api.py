"""JSON routes of actors: the list, one actor with its scorecard, adding and correcting one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request
from starlette.responses import Response

from service import urls
from service.actors import service as actors
from service.actors.models import (
    ActorCreate,
    ActorList,
    ActorPublic,
    ActorUpdate,
    ActorWithScorecard,
)
from service.db import write_session
from service.delivery.conditional import API, Document, answer
from service.web.deps import CurrentEditor, SessionDep
from service.web.if_match import parse_if_match
from service.web.problems import NOT_MODIFIED, PROBLEM, WRITE_ERRORS
from service.web.responses import json_bytes, json_response

router = APIRouter(prefix="/api/v1", tags=["actors"], redirect_slashes=False)


@router.get("/actors", response_model=ActorList, responses=NOT_MODIFIED, summary="Actors")
def list_actors(request: Request, session: SessionDep) -> Response:
    def build() -> Document:
        return Document(ActorList(actors=[ActorPublic.of(a) for a in actors.get_all(session)]),
                        json_bytes)  # fmt: skip

    return answer(request, session, API, build)


@router.get(
    "/actors/{slug}",
    response_model=ActorWithScorecard,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="One actor with its scorecard (its items by kind and phase)",
)
def get_actor(request: Request, session: SessionDep, slug: str) -> Response:
    def build() -> Document:
        actor = actors.get(session, slug=slug)
        scorecard = actors.scorecard(session, actor_id=actor.id)  # type: ignore[arg-type]
        whole = ActorWithScorecard.model_construct(
            **dict(ActorPublic.of(actor)), scorecard=scorecard
        )
        return Document(whole, json_bytes)

    return answer(request, session, API, build)


@router.post(
    "/actors",
    status_code=201,
    response_model=ActorPublic,
    responses=WRITE_ERRORS,
    summary="Add an actor (editor); a name or slug that exists already is a conflict",
)
def create_actor(data: ActorCreate, editor: CurrentEditor) -> Response:
    with write_session() as session:
        actor = ActorPublic.of(actors.create(session, data=data))
    return json_response(actor, 201, {"Location": urls.actor_api(actor.slug)})


@router.patch(
    "/actors/{slug}",
    response_model=ActorPublic,
    responses={**WRITE_ERRORS, 412: PROBLEM, 428: PROBLEM},
    summary="Correct an actor's name, kind or aliases (editor); needs If-Match",
)
def update_actor(
    slug: str,
    data: ActorUpdate,
    editor: CurrentEditor,
    if_match: Annotated[str | None, Header(description='The actor\'s version, e.g. "1".')] = None,
) -> Response:
    version = parse_if_match(if_match, "actor")
    with write_session() as session:
        actor = actors.update(
            session, slug=slug, data=data, if_match_version=version, user_id=editor.user_id
        )
        return json_response(ActorPublic.of(actor))
