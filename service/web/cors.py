"""Cross-origin reads (CORS) for the origins named in TRACKER_CORS_ORIGINS: a report page on a
newsroom's site may read the public API with GET and HEAD, and see the headers a poller needs
(`ETag` to ask again conditionally, `Link` for the next page, `Last-Modified`). Writes stay
same-origin: a preflight for any other method is left to the app (which refuses OPTIONS) and
their answers carry no CORS header, so no other origin can write, even with a token.

No credentials are allowed (no cookies cross over): what another origin reads is what the
public reads. This wraps the fast path too, so its 200s and 304s carry the same headers.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

READS = ("GET", "HEAD")
EXPOSED = b"ETag, Link, Last-Modified"
# What a poller sends beyond the headers every origin may send.
REQUEST_HEADERS = b"Accept, Accept-Language, Cache-Control, If-Modified-Since, If-None-Match"
PREFLIGHT_MAX_AGE = b"600"


def _with_vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The answer depends on the Origin header: say so in Vary, beside what it varies on."""
    for index, (name, value) in enumerate(headers):
        if name.lower() == b"vary":
            names = {part.strip().lower() for part in value.split(b",")}
            if b"origin" not in names and b"*" not in names:
                headers[index] = (name, value + b", Origin")
            return headers
    headers.append((b"vary", b"Origin"))
    return headers


class CorsMiddleware:
    def __init__(self, app: ASGIApp, origins: Iterable[str]) -> None:
        self.app = app
        self.origins = frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        allowed = origin is not None and origin in self.origins
        if method == "OPTIONS" and origin is not None:
            requested = headers.get("access-control-request-method")
            if allowed and requested in READS:
                await self._preflight(origin, send)
                return
        if method not in READS:
            await self.app(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = _with_vary_origin(list(message.get("headers", [])))
                if allowed:
                    assert origin is not None
                    out += [
                        (b"access-control-allow-origin", origin.encode("latin-1")),
                        (b"access-control-expose-headers", EXPOSED),
                    ]
                message = {**message, "headers": out}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, origin: str, send: Send) -> None:
        out = [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-methods", b"GET, HEAD"),
            (b"access-control-allow-headers", REQUEST_HEADERS),
            (b"access-control-max-age", PREFLIGHT_MAX_AGE),
            (b"vary", b"Origin"),
            (b"content-length", b"0"),
        ]
        await send({"type": "http.response.start", "status": 204, "headers": out})
        await send({"type": "http.response.body", "body": b""})
