"""Actor: a person or body that promises, is accused, proposes or investigates; its public
shapes and its scorecard."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, computed_field
from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from service import urls
from service.db import UTCDateTime, utcnow
from service.masking import Masker
from service.shapes import SLUG_PATTERN, InputModel, Links

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
    __table_args__ = (
        sa.CheckConstraint(f"kind IN ({_kinds})", name="kind_known"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.Index("ix_actor_updated_at", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=40)
    # Other names the texts use for it ("the PCC", "SYP"): suggested claims match on these too.
    aliases: list[str] = Field(
        default_factory=list, sa_type=sa.JSON, sa_column_kwargs={"server_default": "[]"}
    )
    # Unique regardless of case and spacing: "Ofsted" and " ofsted" are one actor.
    name_key: str = Field(max_length=300, unique=True)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


Alias = Annotated[str, PField(min_length=1, max_length=200)]


class ActorCreate(InputModel):
    model_config = ConfigDict(extra="forbid")

    name: str = PField(min_length=1, max_length=300)
    kind: ActorKind
    slug: str | None = PField(default=None, min_length=1, max_length=120, pattern=SLUG_PATTERN)
    aliases: list[Alias] = PField(default_factory=list, max_length=50)


class ActorUpdate(InputModel):
    model_config = ConfigDict(extra="forbid")

    slug: str | None = PField(
        default=None,
        min_length=1,
        max_length=120,
        pattern=SLUG_PATTERN,
        description="A new slug: the old one then leads to the new one (301).",
    )
    name: str | None = PField(default=None, min_length=1, max_length=300)
    kind: ActorKind | None = None
    aliases: list[Alias] | None = PField(default=None, max_length=50)


class ActorRef(BaseModel):
    """An actor as an item names it."""

    slug: str
    name: str


class ActorPublic(BaseModel):
    slug: str
    name: str
    kind: ActorKind
    aliases: list[str]
    version: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def links(self) -> Links:
        return Links(self=urls.actor_api(self.slug), html=urls.actor(self.slug))

    @classmethod
    def of(cls, actor: Actor) -> ActorPublic:
        return cls(
            slug=actor.slug,
            name=actor.name,
            kind=actor.kind,
            aliases=list(actor.aliases or []),
            version=actor.version,
        )


class PhaseCounts(BaseModel):
    total: int = 0
    open: int = 0
    active: int = 0
    resolved: int = 0
    # Outcome meters need the statuses themselves (upheld apart from not upheld).
    by_status: dict[str, int] = PField(default_factory=dict)


class Scorecard(BaseModel):
    """An actor's items (as the actor, not as responsible) counted by kind, phase and status."""

    commitment: PhaseCounts
    allegation: PhaseCounts
    proposal: PhaseCounts


class ActorWithScorecard(ActorPublic):
    scorecard: Scorecard


class ActorList(BaseModel):
    actors: list[ActorPublic]

    def __public_fields__(self, masker: Masker) -> dict[str, object]:
        """In the order of their names as the public reads them (an order by a withheld name
        would tell where it sorts)."""
        return {"actors": sorted(self.actors, key=lambda a: (masker.text(a.name), a.slug))}
