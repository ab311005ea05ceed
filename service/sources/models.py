"""Source: an archived public text, kept byte for byte with its SHA-256."""

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow


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
