"""A slug an item, a source or an actor had before it was changed: its old URLs lead to the new
one (301), unless the old slug holds a withheld name (then they lead nowhere: 404)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow

SlugKind = Literal["item", "source", "actor"]
SLUG_KINDS = ("item", "source", "actor")


class SlugRedirect(SQLModel, table=True):
    __tablename__ = "slug_redirect"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('item', 'source', 'actor')", name="kind_known"),
        sa.UniqueConstraint("kind", "old_slug", name="uq_slug_redirect_kind_old_slug"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    old_slug: str = Field(max_length=120)
    # The id of the item, source or actor that had it.
    target_id: int
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
