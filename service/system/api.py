"""Liveness, readiness and the vocabulary."""

from __future__ import annotations

import hashlib
import hmac
import platform
from functools import lru_cache
from importlib import metadata

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from service import migrate
from service.config import get_settings
from service.db import get_engine
from service.delivery.keys import matches
from service.errors import NotFound, Unauthenticated
from service.system.models import Health, Readiness, Vocabulary
from service.web import observability
from service.web.problems import NOT_MODIFIED, PROBLEM
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


class ServiceVersion(BaseModel):
    """What is running: the tracker's version, the schema its migrations end at, and Python's."""

    version: str
    schema_revision: str
    python: str


@lru_cache
def _version_answer() -> tuple[bytes, str]:
    body = json_bytes(
        ServiceVersion(
            version=metadata.version("accountability-tracker"),
            schema_revision=", ".join(sorted(migrate.head_revisions())),
            python=platform.python_version(),
        )
    )
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@router.get(
    "/api/v1/version",
    response_model=ServiceVersion,
    responses=NOT_MODIFIED,
    summary="The tracker's version, its schema revision and Python's version",
    operation_id="getVersion",
)
def get_version(request: Request) -> Response:
    body, etag = _version_answer()
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=JSON, headers=headers)


@router.get(
    "/metrics",
    include_in_schema=False,
    responses={401: PROBLEM, 404: PROBLEM},
)
def get_metrics(request: Request) -> Response:
    """The metrics in Prometheus's text format, for whom TRACKER_METRICS lets read them."""
    settings = get_settings()
    if settings.metrics == "off":
        raise NotFound(f"Nothing at {request.url.path}.")
    if settings.metrics == "token":
        given = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthenticated("The metrics need the metrics token: Authorization: Bearer ...")
    data, media_type = observability.scrape()
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})
