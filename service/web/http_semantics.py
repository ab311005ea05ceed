"""HEAD on every GET route, and the methods a path takes (the `Allow` header of a 405).

HEAD is GET without the body (RFC 9110, 9.3.2): the same status and the same headers, the
Content-Length of the body a GET would get, its ETag and Cache-Control, and a 304 to a current
If-None-Match. `HeadAsGetMiddleware` hands a HEAD on as the GET it stands for and drops the body
on the way out, so every route, the fast path, the static files and the error pages answer HEAD
alike, and no route declares it. A HEAD answered by the fast path costs what the GET costs.

FastAPI's routes name GET alone, so a 405's `Allow` is worked out here for every route at the
path, through the included routers, with HEAD beside each GET.
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

READS = frozenset({"GET", "HEAD"})


class HeadAsGetMiddleware:
    """A HEAD goes on as a GET; what comes back keeps its status and headers and loses its
    body. Everything this wraps sees a GET, so anything that must know the request was a HEAD
    (an access log) goes outside it, and anything that changes the body or its headers (such
    as compression) inside it, so that HEAD reports the GET's Content-Length and ETag."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def send_without_body(message: Message) -> None:
            nonlocal finished
            kind = message["type"]
            if kind == "http.response.start" or kind == "http.response.trailers":
                await send(message)
            elif not finished and not message.get("more_body", False):
                # The last part of the body (or a file sent whole): the answer is complete.
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        # In place, so that what routing records in the scope (the route) reaches the layers
        # outside; they see the HEAD again once the answer is sent.
        scope["method"] = "GET"
        try:
            await self.app(scope, receive, send_without_body)
        finally:
            scope["method"] = "HEAD"


def allowed_methods(scope: Scope) -> list[str]:
    """The methods of every route at this request's path, HEAD with each GET, in order."""
    probe = {
        "type": "http",
        "path": scope["path"],
        # Inside a mount the root path is the mount's: the app's own is what the routes see.
        "root_path": scope.get("app_root_path", scope.get("root_path", "")),
        "method": "GET",
    }
    methods: set[str] = set()
    for route in iter_route_contexts(scope["app"].router.routes):
        match, _ = route.matches(probe)
        if match == Match.NONE:
            continue
        methods |= _methods_of(route.original_route, route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _methods_of(route: Any, methods: set[str] | None) -> set[str]:
    if methods:
        return set(methods)
    if isinstance(route, Mount) and isinstance(route.app, StaticFiles):
        return set(READS)
    return set()
