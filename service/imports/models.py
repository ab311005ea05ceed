"""Imports of items from a spreadsheet: the preview an editor reads before anything is written,
and what a confirmed import applied."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.items.vocabulary import KindCode, StatusCode
from service.shapes import Timestamp

ImportState = Literal["previewed", "applied"]


class ItemImport(SQLModel, table=True):
    """One uploaded file: its preview, and the plan that confirming it applies."""

    __tablename__ = "item_import"
    __table_args__ = (
        sa.CheckConstraint("state IN ('previewed', 'applied')", name="state_known"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    filename: str = Field(max_length=200)
    sha256: str = Field(max_length=64)
    size: int
    state: str = Field(max_length=10, default="previewed")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    # What the editor reads: ImportPreview without its id.
    preview: dict[str, Any] = Field(sa_type=sa.JSON)
    # What confirming applies: a list of operations, each with the version it expects.
    plan: list[dict[str, Any]] = Field(sa_type=sa.JSON)
    applied_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    applied_by: int | None = Field(default=None, foreign_key="user_account.id")


class FieldChange(BaseModel):
    field: str
    old: Any
    new: Any


class ItemRef(BaseModel):
    id: int
    slug: str
    title: str
    version: int


class PlannedChange(BaseModel):
    row: int
    item: ItemRef
    fields: list[FieldChange]


class PlannedCreate(BaseModel):
    row: int
    kind: KindCode
    title: str
    status: StatusCode
    actor: str
    source: str
    quote: str
    publication: str


class Refusal(BaseModel):
    row: int | None
    column: str | None
    reason: str


class IgnoredColumns(BaseModel):
    unknown: list[str]
    derived: list[str]


class ImportPreview(BaseModel):
    id: int
    filename: str
    state: ImportState
    created_at: Timestamp
    rows: int
    create: list[PlannedCreate]
    change: list[PlannedChange]
    refuse: list[Refusal]
    unchanged: int
    ignored: IgnoredColumns
    applied_at: Timestamp | None = None


class ImportApplied(BaseModel):
    id: int
    state: ImportState
    applied_at: Timestamp
    created: list[ItemRef]
    changed: list[ItemRef]
