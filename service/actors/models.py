"""Actor: a person or body that promises, is accused, proposes or investigates; its public
shapes and its scorecard."""

from __future__ import annotations

from typing import Final, Literal

import sqlalchemy as sa
from pydantic import BaseModel, computed_field
from sqlmodel import Field, SQLModel

from service import urls
from service.shapes import Links

ACTOR_KINDS: Final = {
    "person": "Person",
    "police_force": "Police force",
    "government": "Government",
    "regulator": "Regulator",
    "council": "Council",
    "other": "Other",
}
ActorKind = Literal["person", "police_force", "government", "regulator", "council", "other"]

_kinds = ", ".join(f"'{k}'" for k in ACTOR_KINDS)


class Actor(SQLModel, table=True):
    __tablename__ = "actor"
    __table_args__ = (sa.CheckConstraint(f"kind IN ({_kinds})", name="kind_known"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=40)


class ActorRef(BaseModel):
    """An actor as an item names it."""

    slug: str
    name: str


class ActorPublic(BaseModel):
    slug: str
    name: str
    kind: ActorKind

    @computed_field  # type: ignore[prop-decorator]
    @property
    def links(self) -> Links:
        return Links(self=urls.actor_api(self.slug), html=urls.actor(self.slug))

    @classmethod
    def of(cls, actor: Actor) -> ActorPublic:
        return cls(slug=actor.slug, name=actor.name, kind=actor.kind)


class PhaseCounts(BaseModel):
    total: int = 0
    open: int = 0
    active: int = 0
    resolved: int = 0


class Scorecard(BaseModel):
    """An actor's items (as the actor, not as responsible) counted by kind and phase."""

    commitment: PhaseCounts
    allegation: PhaseCounts
    proposal: PhaseCounts


class ActorWithScorecard(ActorPublic):
    scorecard: Scorecard


class ActorList(BaseModel):
    actors: list[ActorPublic]
