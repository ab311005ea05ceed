"""Query parameters a JSON route does not declare are refused: 400, naming each of them.

A misspelt or unsupported filter (`kinds=allegation`, `since=` where there is no such window)
would otherwise be ignored, and the answer would look like the one asked for while it is not.
Which names a route takes is read from the route itself (its declared query parameters, with the
fields of a query model such as the item list's), so a route gets the check by being registered
with `KNOWN_QUERY_ONLY` as a dependency: `create_app` includes the JSON routers with it, and a
JSON route in a router of pages takes it in its decorator:

    @router.get("/report.json", dependencies=[KNOWN_QUERY_ONLY], responses=UNKNOWN_PARAMETER)

Names that start with `_` are left alone, for cache-busting (`?_=1700000000`). The check runs
before the route's own parameters are read, so a bad value of a known parameter stays a 422.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from service.errors import FieldError, UnknownParameter
from service.web.problems import PROBLEM

# The OpenAPI declaration of that 400, for routes (or routers) that take the check.
UNKNOWN_PARAMETER: dict[int | str, dict[str, Any]] = {
    400: {**PROBLEM, "description": "A query parameter this route does not take."}
}


def declared_query(route: APIRoute) -> frozenset[str]:
    """The query parameters `route` reads, by the names a client writes (aliases)."""
    # A walk of a few dependants: cheaper than any cache keyed by routes (which are unhashable).
    return frozenset(_query_names(route.dependant))


def _query_names(dependant: Dependant) -> set[str]:
    """The query names of a dependant and of all it depends on."""
    names: set[str] = set()
    for param in dependant.query_params:
        annotation = param.field_info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names.update(f.alias or n for n, f in annotation.model_fields.items())
        else:
            names.add(param.alias)
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def unknown_names(route: APIRoute, names: list[str]) -> list[str]:
    """The names in `names` that `route` does not take, each once, in the order given."""
    known = declared_query(route)
    return [n for n in dict.fromkeys(names) if not n.startswith("_") and n not in known]


async def refuse_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = unknown_names(route, list(request.query_params.keys()))
    if not unknown:
        return
    taken = ", ".join(sorted(declared_query(route))) or "none"
    raise UnknownParameter(
        f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
        f"This route takes: {taken} (and any name starting with `_`, which is ignored).",
        [FieldError(name, "is not a query parameter of this route") for name in unknown],
    )


KNOWN_QUERY_ONLY = Depends(refuse_unknown_query)
