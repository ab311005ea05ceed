"""An audit entry: one editor's action, with who, when and what changed. Every action an editor
takes besides writing an item's own fields is here (an item's public ones are also events of its
history); editors read them at /audit. Never updated, never deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.shapes import Timestamp

# What an editor did, in words.
ACTIONS = {
    "item_published": "published an item",
    "item_retracted": "retracted an item",
    "item_corrected": "corrected an item",
    "draft_deleted": "deleted a draft",
    "link_added": "linked two items",
    "link_removed": "removed a link",
    "name_withheld": "withheld a name",
    "name_shown": "showed a name again",
    "source_corrected": "corrected a source",
    "actor_corrected": "corrected an actor",
    "suggestion_dismissed": "dismissed a suggestion",
    "suggestion_restored": "took back a dismissal",
}
Subject = Literal["item", "source", "actor"]


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    # Ids never reused: the data version reads the newest.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    action: str = Field(max_length=40)
    # What it was done to: an item, a source or an actor, by its slug then.
    subject: str = Field(max_length=10)
    subject_slug: str = Field(max_length=120)
    # What changed: {field: [old, new]}, or what was added or removed.
    detail: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class AuditPublic(BaseModel):
    """An audit entry as editors read it."""

    id: int
    at: Timestamp
    by: str | None
    action: str
    says: str
    subject: Subject
    subject_slug: str
    detail: dict[str, Any] | None


class AuditList(BaseModel):
    entries: list[AuditPublic]
    next_before: int | None
