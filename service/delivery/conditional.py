"""Conditional GETs, for the JSON API, the feeds and the pages alike: what a route builds becomes
bytes here, in one order, whatever the route.

1. The data version is read in the request's own session (`version`), and with the URL, the
   viewer and the headers the answer varies on it makes the answer's key, its strong ETag
   (`keys.cache_key`, which the fast path computes the same way).
2. The client's copy is current: 304, nothing built. A body already built for that key is sent
   again (answers the same for everyone they are given to).
3. Otherwise the route's `build` runs and returns a `Document` (a value and how to write it), an
   `Export` (a stream of rows, for the heavy reads) or, for answers that carry no data (an
   upload's bytes), a finished Response.
4. The document's value is masked (`masking.public`) unless the viewer is an editor reading a
   page, then written to bytes, then kept for the fast path; nothing is masked after it is
   written, so no name can hide in an escape or a split.
5. Text is sent in the content coding the request accepts (`encoding`): encoded once from the
   identity bytes and kept so, under its own ETag (the identity ETag with the coding after it).
   A 304 is given for a copy in any coding the request accepts, with that copy's ETag.

A route says how its answers are delivered with a `Policy`: one object per route, not a list of
arguments at every call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import FileResponse, Response, StreamingResponse

from service.delivery import heavy, masking
from service.delivery.encoding import (
    IDENTITY,
    MIN_SIZE,
    PLAIN,
    accepted,
    compressible,
    encode,
    etag_in,
)
from service.delivery.keys import cache_key, current_coding, prefixed
from service.delivery.store import Body, PublicPath, public_paths, scope, store
from service.delivery.version import data_version
from service.masking import Masker

JSON = "application/json"
HTML = "text/html; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"
CSV = "text/csv; charset=utf-8"
REVALIDATE = "no-cache"
# Every page may answer the same URL with a fragment or a whole page, and which fragment depends
# on htmx's headers. Pages differ by who is signed in: browsers may keep them, but must ask
# before reusing one.
PAGE_VARY = ("HX-Request", "HX-Target", "HX-History-Restore-Request")
PAGE_CACHE_CONTROL = "no-cache, private"


@dataclass(frozen=True)
class Policy:
    """How a route's answers are delivered.

    `shared`: the answer is the same for everyone it is given to, so its body is kept and the
    fast path may send it. `pages`: HTML made for its viewer, shared among anonymous readers
    only, and masked for everyone who cannot edit. `keep_body`: keep built bodies in memory
    (not for streams, which are kept on disk by `heavy`, nor for uploads). `compress` (from
    the media type): sent in the content coding the request accepts; `vary_header`: `vary`,
    with `Accept-Encoding` when it compresses."""

    media_type: str = JSON
    shared: bool = True
    pages: bool = False
    vary: tuple[str, ...] = ()
    cache_control: str = REVALIDATE
    keep_body: bool = True
    compress: bool = field(init=False)
    vary_header: str = field(init=False)

    def __post_init__(self) -> None:
        compress = compressible(self.media_type)
        vary = (*self.vary, "Accept-Encoding") if compress else self.vary
        object.__setattr__(self, "compress", compress)
        object.__setattr__(self, "vary_header", ", ".join(vary))


API = Policy()
FEED = Policy(media_type=ATOM)
EXPORT = Policy(media_type=CSV, keep_body=False)
# A workbook is a zip already: sent as it is, never encoded again (`compressible` says no).
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK_EXPORT = Policy(media_type=XLSX, keep_body=False)
# An upload's bytes: not for everyone alike (one that holds a withheld name is for editors only),
# so the fast path never answers for it.
UPLOAD = Policy(media_type="application/octet-stream", shared=False, keep_body=False)
PAGE = Policy(media_type=HTML, pages=True, vary=PAGE_VARY, cache_control=PAGE_CACHE_CONTROL)
# A page whose body depends on more than its key says (the table's refresh: a trigger when the
# client's copy was stale): only its 304 is reused.
PAGE_UNKEPT = replace(PAGE, keep_body=False)


@dataclass(frozen=True)
class Viewer:
    """Who a page is made for: `key` names them in the answer's key (empty for the anonymous
    reader, whose pages are shared); `sees_names`: an editor, who reads withheld names."""

    key: str = ""
    sees_names: bool = False


PUBLIC = Viewer()


@dataclass(frozen=True)
class Document:
    """A route's answer before it is written: `value` (masked before `write` sees it) and how to
    write it. `momentary`: true of this moment only, not of the data version its key would name
    (a change feed page cut short by commits landing meanwhile): sent without an ETag, not kept."""

    value: Any
    write: Callable[[Any], bytes]
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    momentary: bool = False


# How values read in a session are shown: `masking.public` with the masker of the data that
# session reads.
PublicIn = Callable[[Session], Callable[[Any], Any]]


@dataclass(frozen=True)
class Export:
    """A heavy read: every row of a table, written as it is read (in a session of its own: the
    stream outlives the request), run a few at a time per worker and kept on disk under its key.
    `chunks` is given `PublicIn`, to show each row's value as the public may read it, masked with
    the names of the very snapshot the rows come from."""

    chunks: Callable[[PublicIn], Iterator[bytes]]
    headers: Mapping[str, str] = field(default_factory=dict)


Built = Document | Export | Response


def not_modified(etag: str, headers: Mapping[str, str] | None = None) -> Response:
    return Response(status_code=304, headers={"ETag": etag, **(headers or {})})


def answer(
    request: Request,
    session: Session,
    policy: Policy,
    build: Callable[[], Built],
    *,
    viewer: Viewer = PUBLIC,
    etag_prefix: str = "",
) -> Response:
    """Answer a GET: 304 when the client's copy is current, else the body already kept for its
    key, else what `build` makes. `etag_prefix` puts the resource's own version in front of its
    ETag, so that `If-Match` can accept the ETag a GET gave."""
    version = data_version(session)
    key = cache_key(
        request.url.path,
        request.query_params.multi_items(),
        version,
        viewer=viewer.key,
        headers=request.headers,
        vary=policy.vary,
    )
    etag = prefixed(key, etag_prefix)
    codings = accepted(request.headers.get("accept-encoding")) if policy.compress else PLAIN
    headers = {"Cache-Control": policy.cache_control}
    if policy.vary_header:
        headers["Vary"] = policy.vary_header
    shared = policy.shared and not viewer.key
    if shared:
        names = frozenset(request.query_params.keys())
        public_paths.mark(
            request.url.path,
            PublicPath(
                policy.vary, policy.cache_control, policy.pages, bool(etag_prefix), names,
                policy.compress, policy.vary_header,
            ),
        )  # fmt: skip
    held = current_coding(request.headers.get("if-none-match"), etag, codings)
    if held is not None:
        return not_modified(etag_in(etag, held), headers)
    headers["ETag"] = etag
    where = scope(session.get_bind().engine.url, version)
    keep = shared and policy.keep_body
    coding = codings.chosen
    if keep:
        if (kept := store.body(where, key, coding)) is not None:
            return _send(kept)
        if coding != IDENTITY and (plain := store.body(where, key)) is not None:
            # Kept as it is, not yet in this coding: encoded once, then kept so too.
            encoded = _encoded(plain, coding)
            store.keep_body(where, key, encoded, coding)
            return _send(encoded)
    built = build()
    if isinstance(built, Response):
        built.headers.update(headers)
        return built
    if isinstance(built, Export):
        return _export(key, built, policy, {**headers, **built.headers}, coding)
    shown = Masker() if viewer.sees_names else masking.masker(session, version)
    data = built.write(masking.public(built.value, shown))
    if built.momentary:
        momentary = {
            "Cache-Control": "no-store",
            **({"Vary": policy.vary_header} if policy.vary_header else {}),
        }
        body = _body(data, {**built.headers, **momentary}, policy.media_type)
        return _send(_encoded(body, coding), built.status)
    body = _body(data, {**built.headers, **headers}, policy.media_type)
    sent = _encoded(body, coding)
    if keep and built.status == 200:
        store.keep_body(where, key, body)
        if coding != IDENTITY:
            store.keep_body(where, key, sent, coding)
    return _send(sent, built.status)


# Headers that `_send` sets from the body itself.
_SET_WHEN_SENT = ("content-length", "content-type")


def _body(data: bytes, headers: Mapping[str, str], media_type: str) -> Body:
    """Bytes as they would be sent with these headers."""
    response = Response(data, headers=headers, media_type=media_type)
    return Body(
        data,
        response.headers.get("content-type", media_type),
        tuple((k, v) for k, v in response.headers.items() if k not in _SET_WHEN_SENT),
    )


def _encoded(body: Body, coding: str) -> Body:
    """The body in `coding`, its ETag with the coding after it; as it is when the coding is
    identity or the body too small to gain (then with its identity ETag)."""
    if coding == IDENTITY or len(body.data) < MIN_SIZE:
        return body
    data = encode(body.data, coding)
    if len(data) >= len(body.data):
        return body
    headers = tuple(
        (name, etag_in(value, coding) if name == "etag" else value) for name, value in body.headers
    )
    return Body(data, body.media_type, (*headers, ("content-encoding", coding)))


def _send(body: Body, status: int = 200) -> Response:
    response = Response(body.data, status, media_type=body.media_type)
    response.headers.update(dict(body.headers))
    return response


def _public_in(session: Session) -> Callable[[Any], Any]:
    masker = masking.masker(session, data_version(session))
    return lambda value: masking.public(value, masker)


def _export(
    key: str, export: Export, policy: Policy, headers: dict[str, str], coding: str
) -> Response:
    # A stream's size is known only at its end: it is encoded whatever its size.
    if coding != IDENTITY:
        headers = {**headers, "ETag": etag_in(headers["ETag"], coding), "Content-Encoding": coding}
    # The same data and filters exported before: the file, no pass over the table.
    files = heavy.export_cache()
    done = files.get(key, coding)
    if done is not None:
        return FileResponse(done, media_type=policy.media_type, headers=headers)
    gate = heavy.heavy_reads()
    gate.enter()
    # Exported before, not in this coding: the file encoded (and kept so), not the table read.
    plain = files.open(key) if coding != IDENTITY else None
    if plain is not None:
        chunks = files.fill_from(key, plain, coding)
    else:
        chunks = files.fill(key, export.chunks(_public_in), coding)
    return StreamingResponse(
        gate.leave_after(chunks), media_type=policy.media_type, headers=headers
    )
