"""Content codings: which one a request accepts (`Accept-Encoding`), the bytes in it, and the
ETag of each.

gzip always; brotli when the `brotli` package is installed. Each is made at one fixed level, so
that the same bytes always encode to the same bytes, in every worker and on every host: an
ETag names one sequence of bytes. An answer in a coding has the ETag of its identity bytes with
the coding after it (`"3-ab12…"` becomes `"3-ab12…-gzip"`), so that a cache keeps each coding
apart, and `If-None-Match` with any of them is understood (`keys.current_coding`).

What is worth encoding: text (JSON, CSV, Atom, HTML, Markdown, CSS, JavaScript, SVG) of at
least `MIN_SIZE` bytes. Below that the coding's own header and the extra work cost more than
they save, and the answer goes as it is, with its identity ETag.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

brotli: ModuleType | None
try:
    import brotli
except ImportError:  # an optional dependency: without it, gzip alone
    brotli = None

IDENTITY = "identity"
GZIP = "gzip"
BROTLI = "br"
# Smaller answers are sent as they are.
MIN_SIZE = 500
GZIP_LEVEL = 6
# Brotli's quality 5: smaller than gzip's level 6 at about its speed (11, its best, takes 60
# times as long: too slow for an answer made on request).
BROTLI_QUALITY = 5
# The codings made here, best first: the one chosen when a client accepts several alike.
CODINGS: tuple[str, ...] = (BROTLI, GZIP) if brotli is not None else (GZIP,)
_SUFFIXES = tuple((coding, f"-{coding}") for coding in CODINGS)


@dataclass(frozen=True)
class Accepted:
    """What a request's `Accept-Encoding` allows: `chosen`, the coding to answer in (identity
    when it accepts none of ours), and `codings`, every coding it accepts (identity among them
    unless refused), to judge the ETags it sends back."""

    chosen: str
    codings: frozenset[str]


PLAIN = Accepted(IDENTITY, frozenset({IDENTITY}))


def accepted(header: str | None) -> Accepted:
    """The codings a request accepts. No header: identity alone (RFC 9110 would allow any, but
    a client that says nothing may not decode anything)."""
    if header is None:
        return PLAIN
    return _accepted(header)


@lru_cache(maxsize=256)
def _accepted(header: str) -> Accepted:
    weights: dict[str, float] = {}
    for item in header.split(","):
        name, _, params = item.partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = _weight(params)
        if weight is None:
            continue  # a malformed weight: the item is left out
        weights["gzip" if name == "x-gzip" else name] = weight
    anything = weights.get("*")

    def weight_of(coding: str) -> float:
        if coding in weights:
            return weights[coding]
        if coding == IDENTITY:
            # Identity is acceptable unless refused by name or by `*;q=0`.
            return 0.0 if anything == 0 else 1.0
        return anything or 0.0

    codings = frozenset(c for c in (*CODINGS, IDENTITY) if weight_of(c) > 0)
    best = max((c for c in CODINGS if c in codings), key=weight_of, default=IDENTITY)
    # Identity named with a greater weight than every coding of ours is preferred to them.
    if IDENTITY in weights and weight_of(IDENTITY) > weight_of(best):
        best = IDENTITY
    return Accepted(best, codings)


def _weight(params: str) -> float | None:
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return None
            return weight if 0 <= weight <= 1 else None
    return 1.0


@lru_cache(maxsize=64)
def compressible(media_type: str) -> bool:
    """Whether answers of this media type are text that encoding shrinks."""
    kind = media_type.partition(";")[0].strip().lower()
    return (
        kind.startswith("text/")
        or kind in ("application/json", "application/javascript", "application/xml")
        or kind.endswith(("+json", "+xml"))
    )


def encode(data: bytes, coding: str) -> bytes:
    """`data` in `coding`, the same bytes every time for the same input."""
    if coding == GZIP:
        compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # 31: the gzip format
        return compressor.compress(data) + compressor.flush()
    if coding == BROTLI and brotli is not None:
        return brotli.compress(data, quality=BROTLI_QUALITY)  # type: ignore[no-any-return]
    raise ValueError(f"unknown content coding {coding!r}")


class Encoder:
    """A stream encoded part by part: `feed` gives what the coding has ready so far (perhaps
    nothing), `finish` the rest. All of it together is what `encode` makes of the whole."""

    def __init__(self, coding: str) -> None:
        self.feed: Callable[[bytes], bytes]
        self.finish: Callable[[], bytes]
        if coding == GZIP:
            compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
            self.feed, self.finish = compressor.compress, compressor.flush
        elif coding == BROTLI and brotli is not None:
            streamed = brotli.Compressor(quality=BROTLI_QUALITY)
            self.feed, self.finish = streamed.process, streamed.finish
        else:
            raise ValueError(f"unknown content coding {coding!r}")


def encoded(chunks: Iterable[bytes], coding: str) -> Iterator[bytes]:
    """A stream of chunks in `coding`, each part as soon as the coding gives one."""
    stream = Encoder(coding)
    for chunk in chunks:
        if out := stream.feed(chunk):
            yield out
    yield stream.finish()


def etag_in(etag: str, coding: str) -> str:
    """The ETag of an answer in `coding`, from its identity ETag: `"x"` becomes `"x-gzip"`."""
    return etag if coding == IDENTITY else f'{etag[:-1]}-{coding}"'


def split_tag(opaque: str) -> tuple[str, str]:
    """An ETag's opaque part (quotes and `W/` taken off) as the identity's part and the coding
    it names: `3-ab12-gzip` is (`3-ab12`, `gzip`)."""
    for coding, suffix in _SUFFIXES:
        if opaque.endswith(suffix):
            return opaque[: -len(suffix)], coding
    return opaque, IDENTITY
