"""JSON responses: models and plain values serialised straight to bytes."""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"


def json_bytes(body: Any) -> bytes:
    """A public model (or a list of them, or plain values) as JSON bytes."""
    if isinstance(body, BaseModel):
        return body.__pydantic_serializer__.to_json(body)
    return orjson.dumps(body, default=_model_default)


def _model_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return orjson.Fragment(value.__pydantic_serializer__.to_json(value))
    raise TypeError(f"{type(value).__name__} is not JSON")


def json_response(
    body: Any,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    media_type: str = JSON,
) -> Response:
    return Response(json_bytes(body), status_code, headers=headers, media_type=media_type)
