"""A withheld name: words (a private person's name) that editors see and the public never does.
Every public representation replaces them with PLACEHOLDER: pages for anyone who cannot edit,
and the JSON API, the CSV, the change feed and the Atom feed for everyone."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from service.db import UTCDateTime, utcnow
from service.shapes import InputModel, Timestamp

PLACEHOLDER = "[name withheld]"
# A name is matched as written, so that it can be replaced inside JSON, CSV, XML and HTML alike:
# none of these characters, which those formats escape, may be part of it.
FORBIDDEN_CHARACTERS = '"\\<>&'


class WithheldName(SQLModel, table=True):
    __tablename__ = "withheld_name"
    __table_args__ = (
        sa.CheckConstraint("length(name) >= 2", name="name_long_enough"),
        # Ids never reused: the data version reads the newest id and the count.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    # The item on which an editor marked it (the name is withheld everywhere, not only there).
    item_id: int = Field(foreign_key="item.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)


class WithheldCreate(InputModel):
    model_config = ConfigDict(extra="forbid")

    name: str = PField(
        min_length=2,
        max_length=200,
        description="The words to withhold, exactly as they appear in the item, an event of its "
        "history or its source.",
    )


class WithheldPublic(BaseModel):
    """A withheld name, as editors see it (never served to the public)."""

    id: int
    name: str
    item_slug: str
    created_at: Timestamp
