"""The HTTP connection as `tracker serve` runs it: uvicorn's httptools protocol with deadlines
for reading a request, so that a client cannot hold a socket (and the memory behind it) by
sending its request slowly or not at all.

A request's head (request line and headers) must arrive within `header_timeout` seconds of the
connection opening, or of its first byte on a kept-alive connection; its body within
`body_timeout` seconds of the head. Past either, the client gets 408 and the connection is
closed. Once a request is read nothing is timed here: the handler's own work has its own limits.
An idle kept-alive connection is closed by uvicorn's keep-alive timeout.

uvicorn has no public hook for these deadlines, so this subclasses its protocol class, which is
not part of its public API: pyproject.toml pins uvicorn to the minor versions it was checked
with, `check_uvicorn()` refuses to serve when what it relies on is gone, and
tests/system/test_operations_safety.py drives the deadlines in-process on every upgrade.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from service.config import get_settings

TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 32\r\n"
    b"connection: close\r\n"
    b"\r\n"
    b"The request was not sent in time"
)


# What the class below relies on in uvicorn's protocol (beside `cycle.response_started`).
RELIED_ON_METHODS = (
    "connection_made", "connection_lost", "on_message_begin", "on_headers_complete",
    "on_message_complete",
)  # fmt: skip
RELIED_ON_ATTRIBUTES = ("loop", "transport", "cycle")


def uvicorn_changes() -> list[str]:
    """What DeadlineHttpProtocol relies on that the installed uvicorn's protocol class lacks
    (empty when nothing is missing); checked on the class and on the attributes its
    constructor sets."""
    missing = [
        f"HttpToolsProtocol.{name}()"
        for name in RELIED_ON_METHODS
        if not callable(getattr(HttpToolsProtocol, name, None))
    ]
    init = getattr(HttpToolsProtocol.__init__, "__code__", None)
    names = set(init.co_names) if init is not None else set()
    missing += [f"HttpToolsProtocol.{name}" for name in RELIED_ON_ATTRIBUTES if name not in names]
    return missing


def check_uvicorn() -> None:
    """Refuse to serve with a uvicorn whose protocol lacks what the deadlines rely on."""
    if missing := uvicorn_changes():
        raise RuntimeError(
            "the installed uvicorn lacks what service/web/server.py relies on ("
            + ", ".join(missing)
            + "): install the version pinned in pyproject.toml"
        )


class DeadlineHttpProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.header_timeout = settings.header_timeout_seconds
        self.body_timeout = settings.body_timeout_seconds
        self._deadline: asyncio.TimerHandle | None = None
        self._reading_head = True

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        # Unless this request's answer has begun (a handler may answer before reading the
        # body), say why, then close.
        if self._reading_head or not self.cycle.response_started:
            self.transport.write(TIMEOUT_RESPONSE)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading_head = True
        if self._deadline is None:
            self._arm(self.header_timeout)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._reading_head = False
        self._arm(self.body_timeout)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._disarm()
