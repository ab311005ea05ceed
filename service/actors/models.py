"""Actor: a person or body that promises, is accused, proposes or investigates."""

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from service.items.vocabulary import ACTOR_KINDS

_kinds = ", ".join(f"'{k}'" for k in ACTOR_KINDS)


class Actor(SQLModel, table=True):
    __tablename__ = "actor"
    __table_args__ = (sa.CheckConstraint(f"kind IN ({_kinds})", name="kind_known"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=40)
