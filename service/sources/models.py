"""Source: an archived public text, kept byte for byte with its SHA-256, and its public shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, computed_field
from sqlmodel import Field, SQLModel

from service import urls
from service.db import UTCDateTime, utcnow
from service.items.vocabulary import KindCode
from service.shapes import Day, Links, Timestamp


class Source(SQLModel, table=True):
    __tablename__ = "source"
    __table_args__ = (sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    title: str = Field(max_length=500)
    publisher: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    published_on: dt.date | None = None
    sha256: str = Field(max_length=64)
    text: str = Field(sa_type=sa.Text)
    archived_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SourceRef(BaseModel):
    """A source as an item names it."""

    slug: str
    title: str


class SourcePublic(BaseModel):
    slug: str
    title: str
    publisher: str | None
    url: str | None
    published_on: Day | None
    sha256: str
    archived_at: Timestamp
    length: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def links(self) -> Links:
        return Links(self=urls.source_api(self.slug), html=urls.source(self.slug))

    @classmethod
    def of(cls, source: Source) -> SourcePublic:
        return cls.model_construct(**_public_fields(source))


def _public_fields(source: Source) -> dict[str, Any]:
    return {
        "slug": source.slug,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "published_on": source.published_on,
        "sha256": source.sha256,
        "archived_at": source.archived_at,
        "length": len(source.text),
    }


class SpanItem(BaseModel):
    id: int
    slug: str
    title: str
    kind: KindCode


class QuoteSpan(BaseModel):
    """Where an item quotes the source: [start, end) in code points of its text."""

    item: SpanItem
    start: int
    end: int


class SourceWithText(SourcePublic):
    text: str
    quote_spans: list[QuoteSpan]

    @classmethod
    def with_spans(cls, source: Source, spans: list[QuoteSpan]) -> SourceWithText:
        return cls.model_construct(**_public_fields(source), text=source.text, quote_spans=spans)


class SourceList(BaseModel):
    sources: list[SourcePublic]
