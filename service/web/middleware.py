"""Pure ASGI middleware: the request body limit and the security headers on every response."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import FieldError, NotFound, TooLarge, invalid
from service.web.problems import send_problem

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; "
        b"object-src 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]
# The interactive API docs (Swagger UI) are vendored and run from files of this origin; the
# library writes inline styles, so its page alone gets that allowance. No other host is named.
DOCS_PATHS = ("/docs",)
DOCS_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    b"form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

# A page made to be framed by any site (an embed: an item's card): the same policy but for
# `frame-ancestors`, and no X-Frame-Options. Only the paths a router declares frameable get it
# (`SecurityHeadersMiddleware(frameable=...)`); every other answer refuses to be framed.
FRAMEABLE_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    b"connect-src 'self'; form-action 'self'; frame-ancestors *; base-uri 'self'; "
    b"object-src 'none'"
)


class BodyLimitMiddleware:
    """Refuse a request body over the limit with 413 before any handler reads it."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, larger: Mapping[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Paths (exactly) that take a larger body: an upload of a spreadsheet to import.
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        max_bytes = self.larger.get(scope["path"], self.max_bytes)
        detail = f"The request body is over {max_bytes} bytes."
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    too_big = int(value) > max_bytes
                except ValueError:
                    too_big = False
                if too_big:
                    await send_problem(send, TooLarge(detail), SECURITY_HEADERS)
                    return
        # Read the body now (it is at most max_bytes) and replay it to the app.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > max_bytes:
                await send_problem(send, TooLarge(detail), SECURITY_HEADERS)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class RefuseNulMiddleware:
    """Refuse a URL holding the NUL character (%00) before anything looks it up: no slug, search
    or cursor can contain it, and PostgreSQL cannot even compare a text with it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if "\x00" in scope["path"]:
                error = NotFound("No path holds the NUL character.")
                await send_problem(send, error, SECURITY_HEADERS)
                return
            query: bytes = scope.get("query_string", b"")
            if b"%00" in query or b"\x00" in query:
                pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, errors="replace")
                message = "must not contain the NUL character"
                errors = [
                    FieldError(name.replace("\x00", ""), message)
                    for name, value in pairs
                    if "\x00" in name or "\x00" in value
                ]
                await send_problem(send, invalid(*errors, detail=None if errors else message),
                                   SECURITY_HEADERS)  # fmt: skip
                return
        await self.app(scope, receive, send)


HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


class SecurityHeadersMiddleware:
    """The security headers on every response; with `https=True` (the tracker is served over
    https) Strict-Transport-Security too, so browsers never try plain http again for a year.
    `frameable`: the paths (patterns matched whole) that any site may frame, whatever answers
    them (the route, the fast path, a 304, an error), so that a browser never keeps a refusal
    for a card it was told it may frame."""

    def __init__(
        self, app: ASGIApp, *, https: bool = False, frameable: Sequence[re.Pattern[str]] = ()
    ) -> None:
        self.app = app
        self.headers = [*SECURITY_HEADERS, HSTS] if https else SECURITY_HEADERS
        self.frameable = tuple(frameable)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] in DOCS_PATHS
        framed = any(pattern.fullmatch(scope["path"]) for pattern in self.frameable)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in self.headers:
                    if name in present:
                        continue
                    if docs and name == b"content-security-policy":
                        value = DOCS_POLICY
                    if framed and name == b"content-security-policy":
                        value = FRAMEABLE_POLICY
                    if framed and name == b"x-frame-options":
                        continue
                    headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
