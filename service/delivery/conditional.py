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
from service.delivery.keys import cache_key, matches, prefixed
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
    (not for streams, which are kept on disk by `heavy`, nor for uploads)."""

    media_type: str = JSON
    shared: bool = True
    pages: bool = False
    vary: tuple[str, ...] = ()
    cache_control: str = REVALIDATE
    keep_body: bool = True


API = Policy()
FEED = Policy(media_type=ATOM)
EXPORT = Policy(media_type=CSV, keep_body=False)
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
    headers = {"ETag": etag, "Cache-Control": policy.cache_control}
    if policy.vary:
        headers["Vary"] = ", ".join(policy.vary)
    shared = policy.shared and not viewer.key
    if shared:
        names = frozenset(request.query_params.keys())
        public_paths.mark(
            request.url.path,
            PublicPath(policy.vary, policy.cache_control, policy.pages, bool(etag_prefix), names),
        )
    if matches(request.headers.get("if-none-match"), etag):
        return not_modified(etag, headers)
    where = scope(session.get_bind().engine.url, version)
    keep = shared and policy.keep_body
    if keep and (kept := store.body(where, key)) is not None:
        return _send(kept)
    built = build()
    if isinstance(built, Response):
        built.headers.update(headers)
        return built
    if isinstance(built, Export):
        return _export(key, built, policy, {**headers, **built.headers})
    shown = Masker() if viewer.sees_names else masking.masker(session, version)
    data = built.write(masking.public(built.value, shown))
    if built.momentary:
        momentary = {
            "Cache-Control": "no-store",
            **({"Vary": headers["Vary"]} if policy.vary else {}),
        }
        return Response(data, built.status, headers={**built.headers, **momentary},
                        media_type=policy.media_type)  # fmt: skip
    response = Response(
        data, built.status, headers={**built.headers, **headers}, media_type=policy.media_type
    )
    if keep and built.status == 200:
        store.keep_body(
            where,
            key,
            Body(
                data,
                response.headers.get("content-type", policy.media_type),
                tuple(
                    (k, v)
                    for k, v in response.headers.items()
                    if k not in ("content-length", "content-type")
                ),
            ),
        )
    return response


def _send(body: Body) -> Response:
    response = Response(body.data, 200, media_type=body.media_type)
    response.headers.update(dict(body.headers))
    return response


def _public_in(session: Session) -> Callable[[Any], Any]:
    masker = masking.masker(session, data_version(session))
    return lambda value: masking.public(value, masker)


def _export(key: str, export: Export, policy: Policy, headers: dict[str, str]) -> Response:
    # The same data and filters exported before: the file, no pass over the table.
    files = heavy.export_cache()
    done = files.get(key)
    if done is not None:
        return FileResponse(done, media_type=policy.media_type, headers=headers)
    gate = heavy.heavy_reads()
    gate.enter()
    chunks = files.fill(key, export.chunks(_public_in))
    return StreamingResponse(
        gate.leave_after(chunks), media_type=policy.media_type, headers=headers
    )
