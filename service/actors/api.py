"""JSON routes of actors: the list, and one actor with its scorecard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service import http
from service.actors import service as actors
from service.db import SessionDep
from service.schemas import NOT_MODIFIED, PROBLEM, ActorList, ActorWithScorecard

router = APIRouter(prefix="/api/v1", tags=["actors"])


@router.get("/actors", response_model=ActorList, responses=NOT_MODIFIED, summary="Actors")
def list_actors(request: Request, session: SessionDep) -> Response:
    return http.conditional(
        request,
        session,
        lambda: http.json_bytes({"actors": [actors.as_json(a) for a in actors.get_all(session)]}),
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
        body = actors.as_json(actor)
        body["scorecard"] = actors.scorecard(session, actor_id=actor.id)  # type: ignore[arg-type]
        return http.json_bytes(body)

    return http.conditional(request, session, build)
