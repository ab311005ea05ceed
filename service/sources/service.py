"""Sources: archiving texts (pasted or uploaded), correcting their metadata, their hashes, and
where items quote them."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, select

from service.audit import service as audit
from service.db import compare_and_set, free_slug, table_of, utcnow
from service.errors import (
    Conflict,
    FieldError,
    SourceChanged,
    invalid,
    not_found,
    precondition_failed,
    require_version,
)
from service.items.models import Item
from service.shapes import control_character, slugify
from service.slugs import service as slugs
from service.sources.models import (
    MAX_TEXT_CHARS,
    OriginalPublic,
    QuoteSpan,
    Source,
    SourceMetadata,
    SourceOriginal,
    SourcePublic,
    SourceUpdate,
    SourceWithText,
    SpanItem,
)


@dataclass(frozen=True)
class Upload:
    """The bytes of an uploaded file, kept beside the text archived from them."""

    filename: str
    media_type: str
    data: bytes


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def get(session: Session, *, slug: str) -> Source:
    source = session.exec(select(Source).where(Source.slug == slug)).first()
    if source is None:
        # A slug it had before leads to it (the caller's URL is out of date).
        target = slugs.follow(session, kind="source", slug=slug)
        moved = session.get(Source, target) if target is not None else None
        if moved is None:
            raise not_found("source", slug)
        raise slugs.moved("source", slug, moved.slug)
    return source


def get_by_slug_or_none(session: Session, *, slug: str) -> Source | None:
    return session.exec(select(Source).where(Source.slug == slug)).first()


def get_all(session: Session) -> list[Source]:
    return list(session.exec(select(Source).order_by(Source.slug)))


def _items_tracked(session: Session, source_ids: list[int]) -> dict[int, int]:
    rows = session.execute(
        sa.select(col(Item.source_id), sa.func.count())
        .where(col(Item.source_id).in_(source_ids), col(Item.publication) == "published")
        .group_by(col(Item.source_id))
    ).all()
    return {source_id: count for source_id, count in rows}


def _originals(session: Session, source_ids: list[int]) -> dict[int, OriginalPublic]:
    rows = session.execute(
        sa.select(
            col(SourceOriginal.source_id),
            col(SourceOriginal.filename),
            col(SourceOriginal.media_type),
            col(SourceOriginal.sha256),
            sa.func.length(col(SourceOriginal.data)),
        ).where(col(SourceOriginal.source_id).in_(source_ids))
    ).all()
    return {
        r[0]: OriginalPublic(filename=r[1], media_type=r[2], sha256=r[3], size=r[4]) for r in rows
    }


def get_all_public(session: Session) -> list[SourcePublic]:
    """Every source, newest archived first, with how many items quote it."""
    found = list(
        session.exec(select(Source).order_by(col(Source.archived_at).desc(), col(Source.id)))
    )
    ids = [s.id for s in found if s.id is not None]
    counts, originals = _items_tracked(session, ids), _originals(session, ids)
    return [
        SourcePublic.of(s, items_tracked=counts.get(s.id, 0), original=originals.get(s.id))
        for s in found
        if s.id is not None
    ]


def get_public(session: Session, *, slug: str) -> SourceWithText:
    source = get(session, slug=slug)
    assert source.id is not None  # read from its table
    spans = quote_spans(session, source_id=source.id)
    return SourceWithText.with_spans(
        source, spans, original=_originals(session, [source.id]).get(source.id)
    )


def get_original(session: Session, *, slug: str) -> SourceOriginal:
    source = get(session, slug=slug)
    original = session.get(SourceOriginal, source.id)
    if original is None:
        raise not_found("original upload of source", slug)
    return original


def check_text(text: str, field: str = "text") -> None:
    """What an archived text must be: not blank, not over the limit, no control characters."""
    if not text.strip():
        raise invalid(FieldError(field, "the text is empty"))
    if len(text) > MAX_TEXT_CHARS:
        raise invalid(
            FieldError(field, f"the text is over {MAX_TEXT_CHARS:,} characters ({len(text):,})")
        )
    bad = control_character(text)
    if bad is not None:
        raise invalid(FieldError(field, f"must not contain the control character U+{ord(bad):04X}"))


def _check_dates(published_on: dt.date | None, precision: str | None) -> None:
    if precision is not None and published_on is None:
        raise invalid(FieldError("published_precision", "give published_on with its precision"))


def archive(
    session: Session, *, meta: SourceMetadata, text: str, original: Upload | None = None
) -> Source:
    """Archive a new text. Its SHA-256 is over its UTF-8 bytes; the same text twice is refused
    with the slug of the source that holds it."""
    check_text(text)
    _check_dates(meta.published_on, meta.published_precision)
    digest = sha256_of(text.encode("utf-8"))
    existing = session.exec(select(Source).where(Source.sha256 == digest)).first()
    if existing is not None:
        raise Conflict(
            f"This text is archived already, as the source {existing.slug}.",
            extra={"existing": existing.slug},
        )
    if meta.slug is not None and get_by_slug_or_none(session, slug=meta.slug) is not None:
        raise Conflict(f"The slug {meta.slug} is taken.", extra={"existing": meta.slug})
    if meta.slug is not None:
        slugs.check_new(session, slug=meta.slug, taken=col(Source.slug) == meta.slug)
    # Made from the title as the public reads it: a slug never holds a withheld name.
    shown = slugs.withheld_names(session).text(meta.title)
    source = Source(
        slug=meta.slug
        or free_slug(session, table_of(Source).c.slug, slugify(shown, fallback="source")),
        title=meta.title.strip(),
        publisher=meta.publisher or None,
        url=meta.url or None,
        published_on=meta.published_on,
        published_precision=meta.published_precision,
        date_note=meta.date_note or None,
        sha256=digest,
        text=text,
    )
    session.add(source)
    session.flush()
    if original is not None:
        assert source.id is not None  # given by the flush
        session.add(
            SourceOriginal(
                source_id=source.id,
                filename=original.filename[:255],
                media_type=original.media_type[:100],
                sha256=sha256_of(original.data),
                data=original.data,
            )
        )
        session.flush()
    return source


def update(
    session: Session,
    *,
    slug: str,
    data: SourceUpdate,
    if_match_version: int,
    user_id: int | None = None,
) -> Source:
    """Correct a source's metadata; its text never changes. In the audit, with what changed."""
    source = get(session, slug=slug)
    require_version("source", current=source.version, asked=if_match_version)
    given = data.model_dump(exclude_unset=True)
    for required in ("title", "slug"):
        if required in given and given[required] is None:
            raise invalid(FieldError(required, "must not be null"))
    values = {k: v for k, v in given.items() if getattr(source, k) != v}
    if "slug" in values:
        slugs.check_new(session, slug=values["slug"], taken=col(Source.slug) == values["slug"])
    _check_dates(
        values.get("published_on", source.published_on),
        values.get("published_precision", source.published_precision),
    )
    if not values:
        return source
    assert source.id is not None  # read from its table
    values["updated_at"] = utcnow()
    if not compare_and_set(
        session, Source, row_id=source.id, version=if_match_version, values=values
    ):
        raise precondition_failed(
            "Someone else changed the source at the same moment.",
            current_version=if_match_version + 1,
        )
    if "slug" in values:
        slugs.record(session, kind="source", old=slug, new=values["slug"], target_id=source.id)
    changed = {k: [_jsonable(getattr(source, k)), _jsonable(v)] for k, v in values.items()
               if k != "updated_at"}  # fmt: skip
    audit.record(session, action="source_corrected", subject="source",
                 slug=values.get("slug", slug), user_id=user_id, detail=changed)  # fmt: skip
    session.expire(source)
    session.refresh(source)
    return source


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def create(
    session: Session,
    *,
    slug: str,
    title: str,
    raw: bytes,
    publisher: str | None = None,
    url: str | None = None,
    published_on: dt.date | None = None,
    published_precision: str | None = None,
    date_note: str | None = None,
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
        published_precision=published_precision,
        date_note=date_note,
        sha256=digest,
        text=text,
    )
    session.add(source)
    session.flush()
    return source


def quote_spans(session: Session, *, source_id: int | None) -> list[QuoteSpan]:
    """Every published item's quoted span in this source, in reading order."""
    rows = session.execute(
        sa.select(
            col(Item.id),
            col(Item.slug),
            col(Item.title),
            col(Item.kind),
            col(Item.quote_start),
            col(Item.quote_end),
        )
        .where(col(Item.source_id) == source_id, col(Item.publication) == "published")
        .order_by(col(Item.quote_start), col(Item.id))
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


# A passage may start with an opening mark and end with closing punctuation, never with a
# fragment of the sentence around it (", and", "said;").
_OPENING_FRAGMENT = set(",.;:!?)]}\u2013\u2014-")
_CLOSING_FRAGMENT = set(",;:([{\u2013\u2014-")
MIN_QUOTE_WORDS = 3
MIN_QUOTE_CHARS = 15


def check_passage(text: str, start: int, end: int, field: str = "quote") -> None:
    """A tracked passage, [start, end) of its source: at least 3 words (or 15 characters), and
    from the start of a word to the end of one, with no space or fragment of punctuation at
    either end (a slipped selection such as " and " is not a quote)."""
    passage = text[start:end]
    problem = None
    if passage != passage.strip():
        problem = "must not start or end with a space"
    elif len(passage.split()) < MIN_QUOTE_WORDS and len(passage) < MIN_QUOTE_CHARS:
        problem = (
            f"give at least {MIN_QUOTE_WORDS} words (or {MIN_QUOTE_CHARS} characters): "
            "a passage, not a fragment"
        )
    elif passage[0] in _OPENING_FRAGMENT or passage[-1] in _CLOSING_FRAGMENT:
        problem = "must start and end with a word, not with a piece of punctuation"
    elif (start > 0 and text[start - 1].isalnum() and passage[0].isalnum()) or (
        end < len(text) and text[end].isalnum() and passage[-1].isalnum()
    ):
        problem = "must start and end on a word's boundary, not inside a word"
    if problem is not None:
        raise invalid(FieldError(field, problem))
