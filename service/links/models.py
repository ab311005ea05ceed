"""Links between items: one item part of another (a tree), two items related (symmetric), one
item following from another; the input shape, and the public shapes that an item's JSON and
page show (parent, children with their roll-up, related items)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, computed_field
from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from service import urls
from service.db import UTCDateTime, utcnow
from service.items.vocabulary import (
    KIND_BY_CODE,
    KindCode,
    Outcome,
    Phase,
    StatusCode,
    label_of,
    outcome_of,
)
from service.masking import Masker
from service.shapes import InputModel, Links

RELATIONS = ("part_of", "related", "follows_from")
Relation = Literal["part_of", "related", "follows_from"]
# Relations with a direction: following them from an item must never come back to it.
DIRECTED: frozenset[str] = frozenset({"part_of", "follows_from"})
_relations = ", ".join(f"'{r}'" for r in RELATIONS)


class ItemLink(SQLModel, table=True):
    """`item` is part of / follows from / is related to `target`. A `related` link is stored
    once, from the lower id to the higher, so that it reads the same from either end."""

    __tablename__ = "item_link"
    __table_args__ = (
        sa.CheckConstraint(f"relation IN ({_relations})", name="relation_known"),
        sa.CheckConstraint("item_id <> target_id", name="not_to_itself"),
        sa.CheckConstraint("relation <> 'related' OR item_id < target_id", name="related_ordered"),
        sa.UniqueConstraint("item_id", "relation", "target_id", name="uq_item_link"),
        sa.Index("ix_item_link_target_id_relation", "target_id", "relation"),
        # Ids never reused (SQLite would otherwise reuse the highest after a delete): the data
        # version reads the newest id and the count.
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id")
    relation: str = Field(max_length=20)
    target_id: int = Field(foreign_key="item.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)


class LinkCreate(InputModel):
    model_config = ConfigDict(extra="forbid")

    relation: Relation = PField(
        description="`part_of` (a tree: one parent each, no loops), `related` (symmetric) or "
        "`follows_from`."
    )
    target: str = PField(min_length=1, max_length=120, description="The other item: id or slug.")


class ItemBrief(BaseModel):
    """Another item, as a link names it."""

    slug: str
    kind: KindCode
    title: str
    status: StatusCode
    status_label: str
    phase: Phase
    outcome: Outcome

    @computed_field  # type: ignore[prop-decorator]
    @property
    def links(self) -> Links:
        return Links(self=urls.item_api(self.slug), html=urls.item(self.slug))

    @classmethod
    def of(cls, slug: str, kind: str, title: str, status: str) -> ItemBrief:
        return cls.model_construct(  # the row's kind and status are the database's, checked
            slug=slug,
            kind=kind,  # type: ignore[arg-type]
            title=title,
            status=status,
            status_label=label_of(kind, status) or status,
            phase=_phase_of(kind, status),
            outcome=outcome_of(kind, status),
        )


def _phase_of(kind: str, status: str) -> Phase:
    found = KIND_BY_CODE[kind].status(status) if kind in KIND_BY_CODE else None
    return found.phase if found else "open"


class Rollup(BaseModel):
    """A parent's children counted by status and by outcome (zero counts left out)."""

    total: int
    by_status: dict[str, int]
    by_outcome: dict[Outcome, int]

    @classmethod
    def of(cls, children: list[ItemBrief]) -> Rollup | None:
        if not children:
            return None
        by_status: dict[str, int] = {}
        by_outcome: dict[Outcome, int] = {}
        for child in children:
            by_status[child.status] = by_status.get(child.status, 0) + 1
            by_outcome[child.outcome] = by_outcome.get(child.outcome, 0) + 1
        return cls(
            total=len(children),
            by_status=dict(sorted(by_status.items())),
            by_outcome=dict(sorted(by_outcome.items())),
        )


# A link in words: "A is part of B".
RELATION_WORDS = {"part_of": "part of", "related": "related to", "follows_from": "following from"}


def in_public_order(briefs: list[ItemBrief], masker: Masker) -> list[ItemBrief]:
    """Items listed by their titles as the public reads them (an order by a title that holds a
    withheld name would tell where the name sorts)."""
    return sorted(briefs, key=lambda brief: (masker.text(brief.title), brief.slug))


ORDERED_LINKS = ("children", "related", "follows_from", "followed_by")


class ItemLinks(BaseModel):
    """An item's place among the others."""

    parent: ItemBrief | None
    children: list[ItemBrief]
    rollup: Rollup | None
    related: list[ItemBrief]
    follows_from: list[ItemBrief]
    followed_by: list[ItemBrief]

    def __public_fields__(self, masker: Masker) -> dict[str, Any]:
        return {name: in_public_order(getattr(self, name), masker) for name in ORDERED_LINKS}

    @property
    def any(self) -> bool:
        return bool(
            self.parent or self.children or self.related or self.follows_from or self.followed_by
        )


class LinkPublic(BaseModel):
    """One link, as the API answers its creation."""

    relation: Relation
    item: ItemBrief
    target: ItemBrief

    @computed_field  # type: ignore[prop-decorator]
    @property
    def links(self) -> Links:
        path = urls.item_link_api(self.item.slug, self.relation, self.target.slug)
        return Links(self=path, html=urls.item(self.item.slug) + "#links")
