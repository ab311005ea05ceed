"""Item: one tracked claim (a commitment, an allegation or a proposal) and its verbatim quote."""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.items.vocabulary import kind_status_check_sql


class Item(SQLModel, table=True):
    __tablename__ = "item"
    __table_args__ = (
        sa.CheckConstraint(kind_status_check_sql(), name="status_of_kind"),
        sa.CheckConstraint("quote_start >= 0 AND quote_end > quote_start", name="quote_span"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "(quantity_value IS NULL) = (quantity_unit IS NULL)", name="quantity_complete"
        ),
        sa.CheckConstraint(
            "progress_target IS NULL OR progress_target > 0", name="progress_target_positive"
        ),
        # Keyset pagination: each sort order has an index ending in the id tie-breaker.
        sa.Index("ix_item_updated_at_id", "updated_at", "id"),
        sa.Index("ix_item_title_id", "title", "id"),
        sa.Index("ix_item_due_on_id", "due_on", "id"),
        # The overdue count reads only this index: due before today, status not resolved.
        sa.Index("ix_item_due_on_status", "due_on", "status"),
        sa.Index("ix_item_kind_status_updated_at_id", "kind", "status", "updated_at", "id"),
        sa.Index("ix_item_status_updated_at_id", "status", "updated_at", "id"),
        sa.Index("ix_item_actor_id_updated_at_id", "actor_id", "updated_at", "id"),
        sa.Index("ix_item_source_id_updated_at_id", "source_id", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=20)
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, sa_type=sa.Text)
    status: str = Field(max_length=40)
    actor_id: int = Field(foreign_key="actor.id")
    responsible_id: int | None = Field(default=None, foreign_key="actor.id", index=True)
    source_id: int = Field(foreign_key="source.id")
    quote: str = Field(sa_type=sa.Text)
    quote_start: int
    quote_end: int
    quantity_value: float | None = None
    quantity_unit: str | None = Field(default=None, max_length=40)
    progress_value: float | None = None
    progress_target: float | None = None
    made_on: dt.date | None = None
    due_on: dt.date | None = None
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


# The API's input shapes. Field names are the API's names; the service checks the domain rules
# (quote verbatim, status within the kind, actors and sources that exist).

_SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class _Input(BaseModel):
    """An input shape: no text may hold the NUL character, which no note or quote needs and
    which PostgreSQL cannot store (SQLite would, so the two would disagree)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain the NUL character")
        return value


class Quantity(_Input):
    model_config = ConfigDict(extra="forbid")

    value: float = PField(ge=0, allow_inf_nan=False)
    unit: str = PField(min_length=1, max_length=40)


class ItemCreate(_Input):
    model_config = ConfigDict(extra="forbid")

    slug: str | None = PField(default=None, min_length=1, max_length=120, pattern=_SLUG_PATTERN)
    kind: str
    title: str = PField(min_length=1, max_length=300)
    description: str | None = PField(default=None, max_length=20000)
    actor: str = PField(min_length=1, max_length=120)
    responsible: str | None = PField(default=None, max_length=120)
    status: str | None = None
    source: str = PField(min_length=1, max_length=120)
    quote: str = PField(min_length=1, max_length=20000)
    quote_start: int | None = PField(default=None, ge=0)
    quantity: Quantity | None = None
    progress_value: float | None = PField(default=None, ge=0, allow_inf_nan=False)
    made_on: dt.date | None = None
    due_on: dt.date | None = None


class ItemUpdate(_Input):
    """Fields an edit may change; status changes go through the status route, with a note."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = PField(default=None, min_length=1, max_length=300)
    description: str | None = PField(default=None, max_length=20000)
    actor: str | None = PField(default=None, min_length=1, max_length=120)
    responsible: str | None = PField(default=None, max_length=120)
    source: str | None = PField(default=None, min_length=1, max_length=120)
    quote: str | None = PField(default=None, min_length=1, max_length=20000)
    quote_start: int | None = PField(default=None, ge=0)
    quantity: Quantity | None = None
    progress_value: float | None = PField(default=None, ge=0, allow_inf_nan=False)
    made_on: dt.date | None = None
    due_on: dt.date | None = None
    note: str | None = PField(default=None, max_length=20000)


class StatusChange(_Input):
    model_config = ConfigDict(extra="forbid")

    status: str = PField(min_length=1, max_length=40)
    note: str = PField(max_length=20000)
    evidence_url: str | None = PField(default=None, max_length=2000)
    evidence_quote: str | None = PField(default=None, max_length=20000)
    progress_value: float | None = PField(default=None, ge=0, allow_inf_nan=False)
    expected_version: int | None = PField(default=None, ge=1)


class ItemTally(SQLModel, table=True):
    """How many items there are of each kind and status, kept in the same transaction as every
    change, so that totals and the summary cost a few rows whatever the table's size."""

    __tablename__ = "item_tally"

    kind: str = Field(max_length=20, primary_key=True)
    status: str = Field(max_length=40, primary_key=True)
    count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
