"""A withheld name: words (a private person's name) that editors see and the public never does.
Every public value is masked before it is shown (`service.masking`, applied by the delivery
layer): pages for anyone who cannot edit, and the JSON API, the CSV, the change feed, the Atom
feed and the search index for everyone."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.shapes import InputModel, Timestamp


class WithheldName(SQLModel, table=True):
    __tablename__ = "withheld_name"
    __table_args__ = (
        sa.CheckConstraint("length(name) >= 2", name="name_long_enough"),
        # Ids never reused: the data version reads the newest id and the count.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    # Its words as names are compared (service.masking.words, joined by spaces): "Mary King"
    # and "MARY  KING" are one name.
    name_key: str = Field(max_length=400, unique=True)
    # The item on which an editor marked it (the name is withheld everywhere, not only there).
    item_id: int = Field(foreign_key="item.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)


class WithheldCreate(InputModel):
    model_config = ConfigDict(extra="forbid")

    name: str = PField(
        min_length=1,
        max_length=200,
        description="The name to withhold, as it appears in the item, an event of its history, "
        "its source, its actors or their aliases (case, spacing and accents of width aside). "
        "At least 3 letters, and not a common word.",
    )


class WithheldPublic(BaseModel):
    """A withheld name, as editors see it (never served to the public)."""

    id: int
    name: str
    item_slug: str
    created_at: Timestamp
