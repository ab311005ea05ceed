"""Event: the append-only history of every change to an item (never updated, never deleted),
and its public shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.items.vocabulary import StatusCode, label_of
from service.shapes import Day, JsonNumber, Timestamp

EVENT_TYPES = ("created", "status", "progress", "edit")
EventType = Literal["created", "status", "progress", "edit"]
_types = ", ".join(f"'{t}'" for t in EVENT_TYPES)


class Event(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        sa.CheckConstraint(f"type IN ({_types})", name="type_known"),
        sa.CheckConstraint(
            "type <> 'status' OR (note IS NOT NULL AND length(note) > 0)", name="status_has_note"
        ),
        sa.Index("ix_event_item_id_id", "item_id", "id"),
        sa.UniqueConstraint("item_id", "version", name="uq_event_item_id_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id")
    # The item's version once this event applied: one event per version, no gaps.
    version: int
    type: str = Field(max_length=20)
    # When the change was recorded here; occurred_on is when it happened in the world, as the
    # editor states it (null when not stated: never guessed from `at`).
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    occurred_on: dt.date | None = None
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    from_status: str | None = Field(default=None, max_length=40)
    to_status: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, sa_type=sa.Text)
    evidence_url: str | None = Field(default=None, max_length=2000)
    evidence_quote: str | None = Field(default=None, sa_type=sa.Text)
    progress_value: float | None = None
    # For edits: {field: [old, new]}, so that no earlier wording is ever lost.
    changes: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class EventItemRef(BaseModel):
    id: int
    slug: str
    title: str


class EventPublic(BaseModel):
    """One change to an item, as the history, the change feed and the Atom feed show it."""

    id: int
    item: EventItemRef
    version: int
    type: EventType
    at: Timestamp
    occurred_on: Day | None
    by: str | None
    from_status: StatusCode | None
    from_status_label: str | None
    to_status: StatusCode | None
    to_status_label: str | None
    note: str | None
    evidence_url: str | None
    evidence_quote: str | None
    progress_value: JsonNumber | None
    changes: dict[str, Any] | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EventPublic:
        """From a row of the events query (with its item's slug, title and kind)."""
        kind = row["item_kind"]
        return cls.model_construct(
            id=row["id"],
            item=EventItemRef.model_construct(
                id=row["item_id"], slug=row["item_slug"], title=row["item_title"]
            ),
            version=row["version"],
            type=row["type"],
            at=row["at"],
            occurred_on=row["occurred_on"],
            by=row["username"],
            from_status=row["from_status"],
            from_status_label=label_of(kind, row["from_status"]),
            to_status=row["to_status"],
            to_status_label=label_of(kind, row["to_status"]),
            note=row["note"],
            evidence_url=row["evidence_url"],
            evidence_quote=row["evidence_quote"],
            progress_value=row["progress_value"],
            changes=row["changes"],
        )


class History(BaseModel):
    events: list[EventPublic]


class ChangeFeed(BaseModel):
    events: list[EventPublic]
    last_id: int
