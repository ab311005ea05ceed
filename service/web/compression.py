"""Text answers sent in the content coding the request accepts, for the answers the delivery
layer does not make: pages answered at once (after a form, an htmx fragment), error pages and
problems, static files and the OpenAPI document.

The delivery layer encodes its own answers (`delivery.conditional`, `delivery.fastpath`): their
`Vary` names `Accept-Encoding`, and they pass here untouched, as does anything already encoded,
a partial answer (206), an answer that asks not to be transformed, and anything but text.

A body under `encoding.MIN_SIZE` bytes goes as it is. A body with a strong ETag (a static file)
is encoded once per worker and kept under its path, its ETag and the coding; its ETag gets the
coding after it (`"x"` becomes `"x-gzip"`), and when `If-None-Match` names the ETag in a coding
the request accepts, the answer becomes a 304 here (the app itself knows its identity ETag only).
A body sent in several parts is gathered up to `GATHER_LIMIT` bytes, then encoded as it comes.

HEAD reaches this layer as a GET (`http_semantics.HeadAsGetMiddleware` wraps it), so its headers
are the GET's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.delivery.encoding import (
    IDENTITY,
    MIN_SIZE,
    Accepted,
    Encoder,
    accepted,
    compressible,
    encode,
    etag_in,
    split_tag,
)

# A body sent in parts is gathered (and, with a strong ETag, kept encoded) up to this size; past
# it, it is encoded part by part as it comes.
GATHER_LIMIT = 8 << 20
# What a 304 made here keeps of the answer it stands for (RFC 9110, 15.4.5).
NOT_MODIFIED_HEADERS = ("cache-control", "content-location", "date", "expires", "vary")


class EncodedBodies:
    """Bodies with a strong ETag, encoded once: up to `max_bytes` of them, least recently used
    first out. Safe to share between the threads of a worker."""

    def __init__(self, max_bytes: int = 32 << 20) -> None:
        self.max_bytes = max_bytes
        self._kept: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> bytes | None:
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def keep(self, key: tuple[str, str, str], data: bytes) -> None:
        if len(data) > self.max_bytes // 4:
            return
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = data
            self._bytes += len(data)
            while self._bytes > self.max_bytes:
                self._bytes -= len(self._kept.popitem(last=False)[1])

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0


class CompressionMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.kept = EncodedBodies()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "http.response.pathsend" in scope.get("extensions", {}):
            # A file sent by the server itself could not be encoded here.
            extensions = dict(scope["extensions"])
            del extensions["http.response.pathsend"]
            scope = {**scope, "extensions": extensions}
        headers = Headers(scope=scope)
        encoding = _Encoding(
            send,
            accepted(headers.get("accept-encoding")),
            headers.get("if-none-match") if scope["method"] in ("GET", "HEAD") else None,
            scope["path"],
            self.kept,
        )
        await self.app(scope, receive, encoding.send)


class _Encoding:
    """One answer on its way: passed on as it is, or encoded."""

    def __init__(
        self,
        send: Send,
        codings: Accepted,
        if_none_match: str | None,
        path: str,
        kept: EncodedBodies,
    ) -> None:
        self._send = send
        self.codings = codings
        self.if_none_match = if_none_match
        self.path = path
        self.kept = kept
        self.start: Message | None = None
        self.passing = True
        self.dropping = False
        self.parts: list[bytes] = []
        self.gathered = 0
        self.stream: Encoder | None = None

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            await self._started(message)
        elif message["type"] != "http.response.body" or self.passing:
            await self._send(message)
        elif not self.dropping:
            await self._body(message.get("body", b""), message.get("more_body", False))

    async def _started(self, message: Message) -> None:
        headers = MutableHeaders(raw=message["headers"])
        status = message["status"]
        if not _encodable(status, headers):
            if status == 304 and "accept-encoding" not in headers.get("vary", "").lower():
                # The answer it stands for varies so (a static file's 304 is made without it).
                headers.add_vary_header("Accept-Encoding")
            await self._send(message)
            return
        headers.add_vary_header("Accept-Encoding")
        etag = headers.get("etag")
        if etag is not None and status == 200 and (held := self._held(etag)) is not None:
            await self._not_modified(headers, etag_in(etag, held))
            self.passing = False
            self.dropping = True
            return
        length = headers.get("content-length")
        small = length is not None and length.isdigit() and int(length) < MIN_SIZE
        if self.codings.chosen == IDENTITY or small:
            await self._send(message)
            return
        self.start = message
        self.passing = False

    def _held(self, etag: str) -> str | None:
        """The coding of a copy `If-None-Match` names in a coding (`"x-gzip"`) this request
        accepts: the app compared its identity ETag already."""
        if not self.if_none_match or etag.startswith("W/"):
            return None
        for candidate in self.if_none_match.split(","):
            base, coding = split_tag(candidate.strip().removeprefix("W/").strip('"'))
            if coding != IDENTITY and f'"{base}"' == etag and coding in self.codings.codings:
                return coding
        return None

    async def _not_modified(self, headers: MutableHeaders, etag: str) -> None:
        kept = [(k.encode(), headers[k].encode()) for k in NOT_MODIFIED_HEADERS if k in headers]
        start = [(b"etag", etag.encode()), *kept]
        await self._send({"type": "http.response.start", "status": 304, "headers": start})
        await self._send({"type": "http.response.body", "body": b""})

    async def _body(self, chunk: bytes, more: bool) -> None:
        if self.stream is not None:
            out = self.stream.feed(chunk)
            if not more:
                out += self.stream.finish()
            await self._send({"type": "http.response.body", "body": out, "more_body": more})
            return
        self.parts.append(chunk)
        self.gathered += len(chunk)
        if not more:
            await self._whole(b"".join(self.parts))
        elif self.gathered > GATHER_LIMIT:
            await self._stream_from_here()

    async def _whole(self, data: bytes) -> None:
        assert self.start is not None
        headers = MutableHeaders(raw=self.start["headers"])
        coding = self.codings.chosen
        if len(data) >= MIN_SIZE:
            etag = headers.get("etag")
            key = (self.path, etag or "", coding)
            keep = etag is not None and not etag.startswith("W/")
            encoded = self.kept.get(key) if keep else None
            if encoded is None:
                encoded = encode(data, coding)
                if keep:
                    self.kept.keep(key, encoded)
            if len(encoded) < len(data):
                data = encoded
                _encoded_headers(headers, coding)
        headers["content-length"] = str(len(data))
        await self._send(self.start)
        await self._send({"type": "http.response.body", "body": data})

    async def _stream_from_here(self) -> None:
        assert self.start is not None
        headers = MutableHeaders(raw=self.start["headers"])
        _encoded_headers(headers, self.codings.chosen)
        if "content-length" in headers:
            del headers["content-length"]
        self.stream = Encoder(self.codings.chosen)
        out = b"".join(self.stream.feed(part) for part in self.parts)
        self.parts = []
        await self._send(self.start)
        await self._send({"type": "http.response.body", "body": out, "more_body": True})


def _encodable(status: int, headers: MutableHeaders) -> bool:
    if status < 200 or status in (204, 206, 304) or "content-encoding" in headers:
        return False
    if "content-range" in headers or "no-transform" in headers.get("cache-control", ""):
        return False
    if "accept-encoding" in headers.get("vary", "").lower():
        return False  # negotiated by the delivery layer already
    return compressible(headers.get("content-type", ""))


def _encoded_headers(headers: MutableHeaders, coding: str) -> None:
    headers["content-encoding"] = coding
    etag = headers.get("etag")
    if etag is not None:
        headers["etag"] = etag_in(etag, coding)
