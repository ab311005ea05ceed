"""The one cache key: what an answer depends on (its URL, the data version, today's date, the
viewer, the request headers it varies on), as a strong ETag. The routes' conditional GET and the
fast path both compute it here, so that they can never disagree about which body a key names.
An answer in a content coding has the same key, with the coding after it in its ETag
(`encoding.etag_in`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from urllib.parse import urlencode

from service.delivery.encoding import IDENTITY, PLAIN, Accepted, etag_in, split_tag


def today() -> str:
    """The tracker's day (UTC): `overdue` turns at midnight without any write."""
    return dt.datetime.now(dt.UTC).date().isoformat()


def canonical_query(query: Iterable[tuple[str, str]]) -> str:
    """The query as a key: pairs sorted, then encoded again, so that `a%3Db%26c=d` (one pair)
    and `a=b&c=d` (two pairs) can never share a key."""
    return urlencode(sorted(query))


def cache_key(
    path: str,
    query: Iterable[tuple[str, str]],
    version: str,
    *,
    viewer: str = "",
    headers: Mapping[str, str] | None = None,
    vary: Sequence[str] = (),
) -> str:
    """The strong ETag of an answer. `viewer` names who it was made for (empty for answers the
    same for everyone they are given to); `vary` the request headers that select it."""
    selected = "|".join(f"{name}={(headers or {}).get(name, '')}" for name in vary)
    return _digest(f"{path}?{canonical_query(query)}|{version}|{today()}|{viewer}|{selected}")


@lru_cache(maxsize=4096)
def _digest(key: str) -> str:
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def prefixed(key: str, prefix: str) -> str:
    """An ETag with a resource's own version in front (`"3-<hash>"`), which `If-Match` reads."""
    return f'"{prefix}{key[1:]}' if prefix else key


def _opaque(tag: str) -> str:
    """The part of an ETag that identifies the representation: the hash alone decides."""
    return tag.strip().removeprefix("W/").strip('"').rpartition("-")[2]


def matches(if_none_match: str | None, etag: str) -> bool:
    """`If-None-Match` against an ETag, with the weak comparison it calls for (W/"x" is "x")."""
    return current_coding(if_none_match, etag, PLAIN) is not None


def current_coding(if_none_match: str | None, etag: str, accepted: Accepted) -> str | None:
    """The coding of a copy that `If-None-Match` shows the client holds, current, of the answer
    whose identity ETag is `etag`: one of the ETags it lists is that answer's in a coding this
    request accepts (`"x"`, or `"x-gzip"` with gzip accepted), compared weakly (W/"x" is "x").
    The coding chosen for this request comes first; None when no copy is current."""
    if not if_none_match:
        return None
    # The usual case first: the one ETag this answer was sent with, sent back as it came.
    if if_none_match == etag and IDENTITY in accepted.codings:
        return IDENTITY
    if if_none_match == etag_in(etag, accepted.chosen):
        return accepted.chosen
    if if_none_match.strip() == "*":
        return accepted.chosen
    wanted = _opaque(etag)
    found = None
    for candidate in if_none_match.split(","):
        base, coding = split_tag(candidate.strip().removeprefix("W/").strip('"'))
        if base.rpartition("-")[2] == wanted and coding in accepted.codings:
            if coding == accepted.chosen:
                return coding
            found = found or coding
    return found
