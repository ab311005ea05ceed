"""Liveness, readiness and the vocabulary."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter
from starlette.responses import Response

from service import migrate
from service.db import get_engine
from service.system.models import Health, Readiness, Vocabulary
from service.web.responses import JSON, json_bytes, json_response

router = APIRouter(tags=["system"], redirect_slashes=False)

_VOCABULARY = json_bytes(Vocabulary.current())


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Response:
    return json_response({"status": "ok"})


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready"}},
    summary="Readiness: database reachable and migrations at head",
)
def readyz() -> Response:
    database = at_head = False
    try:
        with get_engine().connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            database = True
            at_head = migrate.is_at_head(connection)
    except sa.exc.SQLAlchemyError:
        pass
    ready = database and at_head
    body = {
        "status": "ready" if ready else "not ready",
        "database": database,
        "migrations_at_head": at_head,
    }
    return json_response(body, 200 if ready else 503)


@router.get(
    "/api/v1/vocabulary",
    response_model=Vocabulary,
    summary="Kinds, statuses, labels and phases",
    tags=["vocabulary"],
)
async def get_vocabulary() -> Response:
    return Response(_VOCABULARY, media_type=JSON, headers={"Cache-Control": "public, max-age=300"})
