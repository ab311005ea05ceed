"""JSON routes of actors: the list, and one actor with its scorecard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.actors import service as actors
from service.actors.models import ActorList, ActorPublic, ActorWithScorecard
from service.db import SessionDep
from service.web.conditional import conditional
from service.web.problems import NOT_MODIFIED, PROBLEM
from service.web.responses import json_bytes

router = APIRouter(prefix="/api/v1", tags=["actors"])


@router.get("/actors", response_model=ActorList, responses=NOT_MODIFIED, summary="Actors")
def list_actors(request: Request, session: SessionDep) -> Response:
    return conditional(
        request,
        session,
        lambda: json_bytes(ActorList(actors=[ActorPublic.of(a) for a in actors.get_all(session)])),
    )


@router.get(
    "/actors/{slug}",
    response_model=ActorWithScorecard,
    responses={**NOT_MODIFIED, 404: PROBLEM},
    summary="One actor with its scorecard (its items by kind and phase)",
)
def get_actor(request: Request, session: SessionDep, slug: str) -> Response:
    def build() -> bytes:
        actor = actors.get(session, slug=slug)
        scorecard = actors.scorecard(session, actor_id=actor.id)  # type: ignore[arg-type]
        return json_bytes(
            ActorWithScorecard.model_construct(**dict(ActorPublic.of(actor)), scorecard=scorecard)
        )

    return conditional(request, session, build)
