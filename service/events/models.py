"""Event: the append-only history of every change to an item. Never updated, never deleted."""

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow

EVENT_TYPES = ("created", "status", "progress", "edit")
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
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    from_status: str | None = Field(default=None, max_length=40)
    to_status: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, sa_type=sa.Text)
    evidence_url: str | None = Field(default=None, max_length=2000)
    evidence_quote: str | None = Field(default=None, sa_type=sa.Text)
    progress_value: float | None = None
    # For edits: {field: [old, new]}, so that no earlier wording is ever lost.
    changes: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
