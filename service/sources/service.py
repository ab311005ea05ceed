"""Sources: archived texts, their hashes, and where items quote them."""

from __future__ import annotations

import datetime as dt
import hashlib

import sqlalchemy as sa
from sqlmodel import Session, select

from service.errors import FieldError, SourceChanged, invalid, not_found
from service.items.models import Item
from service.sources.models import QuoteSpan, Source, SpanItem


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def get(session: Session, *, slug: str) -> Source:
    source = session.exec(select(Source).where(Source.slug == slug)).first()
    if source is None:
        raise not_found("source", slug)
    return source


def get_by_slug_or_none(session: Session, *, slug: str) -> Source | None:
    return session.exec(select(Source).where(Source.slug == slug)).first()


def get_all(session: Session) -> list[Source]:
    return list(session.exec(select(Source).order_by(Source.slug)))


def create(
    session: Session,
    *,
    slug: str,
    title: str,
    raw: bytes,
    publisher: str | None = None,
    url: str | None = None,
    published_on: dt.date | None = None,
    expected_sha256: str | None = None,
) -> Source:
    """Store a source exactly as given: its hash is over the raw bytes, its text is those bytes
    decoded as UTF-8 without any normalisation."""
    digest = sha256_of(raw)
    if expected_sha256 is not None and digest != expected_sha256:
        raise SourceChanged(f"Source {slug}: SHA-256 is {digest}, expected {expected_sha256}.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid(FieldError("text", f"not valid UTF-8 ({exc.reason})")) from exc
    source = Source(
        slug=slug,
        title=title,
        publisher=publisher,
        url=url,
        published_on=published_on,
        sha256=digest,
        text=text,
    )
    session.add(source)
    session.flush()
    return source


def quote_spans(session: Session, *, source_id: int) -> list[QuoteSpan]:
    """Every item's quoted span in this source, in reading order."""
    rows = session.execute(
        sa.select(Item.id, Item.slug, Item.title, Item.kind, Item.quote_start, Item.quote_end)
        .where(Item.source_id == source_id)
        .order_by(Item.quote_start, Item.id)
    ).all()
    return [
        QuoteSpan.model_construct(
            item=SpanItem.model_construct(id=r.id, slug=r.slug, title=r.title, kind=r.kind),
            start=r.quote_start,
            end=r.quote_end,
        )
        for r in rows
    ]


def locate_quote(text: str, quote: str, *, start: int | None = None) -> tuple[int, int]:
    """Find `quote` verbatim in `text`; return its [start, end) offsets in code points.

    With `start`, the quote must sit exactly there (to pick one of several occurrences)."""
    if not quote:
        raise invalid(FieldError("quote", "must not be empty"))
    if start is not None:
        if text[start : start + len(quote)] != quote or start < 0:
            raise invalid(
                FieldError("quote_start", f"the quote is not found verbatim at offset {start}")
            )
        return start, start + len(quote)
    found = text.find(quote)
    if found < 0:
        raise invalid(FieldError("quote", "not found verbatim in the source text"))
    return found, found + len(quote)
