"""Item: one tracked claim (a commitment, an allegation or a proposal) and its verbatim quote;
its input shapes, its public shape (the API's JSON, the CSV's columns, the pages' data) and the
list filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

import orjson
import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, computed_field
from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from service import urls
from service.actors.models import ActorRef
from service.db import UTCDateTime, utcnow
from service.events.models import EventPublic, ReplyPublic
from service.items.vocabulary import (
    RESOLVED_STATUSES,
    KindCode,
    KindName,
    Outcome,
    Phase,
    StatusCode,
    StatusName,
    kind_status_check_sql,
    progress_target,
    status_of,
)
from service.links.models import ORDERED_LINKS, ItemBrief, Rollup, in_public_order
from service.masking import Masker
from service.shapes import (
    SLUG_PATTERN,
    Day,
    InputModel,
    JsonNumber,
    Links,
    Timestamp,
    UrlText,
    json_number,
)
from service.sources.models import SourceRef

PUBLISHED = "published"
PUBLICATIONS = ("draft", PUBLISHED, "retracted")
Publication = Literal["draft", "published", "retracted"]
NewPublication = Literal["draft", "published"]


class Item(SQLModel, table=True):
    __tablename__ = "item"
    __table_args__ = (
        sa.CheckConstraint(kind_status_check_sql(), name="status_of_kind"),
        sa.CheckConstraint("quote_start >= 0 AND quote_end > quote_start", name="quote_span"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "(quantity_value IS NULL) = (quantity_unit IS NULL)", name="quantity_complete"
        ),
        sa.CheckConstraint(
            "progress_target IS NULL OR progress_target > 0", name="progress_target_positive"
        ),
        sa.CheckConstraint(
            "publication IN ('draft', 'published', 'retracted')", name="publication_known"
        ),
        # Keyset pagination: each sort order has an index ending in the id tie-breaker.
        sa.Index("ix_item_updated_at_id", "updated_at", "id"),
        sa.Index("ix_item_title_id", "title", "id"),
        sa.Index("ix_item_due_on_id", "due_on", "id"),
        # The overdue count reads only this index: due before today, status not resolved.
        sa.Index("ix_item_due_on_status", "due_on", "status"),
        # A list of one kind, in each order (migration 0011).
        sa.Index("ix_item_kind_updated_at_id", "kind", "updated_at", "id"),
        sa.Index("ix_item_kind_title_id", "kind", "title", "id"),
        sa.Index("ix_item_kind_due_on_id", "kind", "due_on", "id"),
        sa.Index("ix_item_kind_status_updated_at_id", "kind", "status", "updated_at", "id"),
        sa.Index("ix_item_status_updated_at_id", "status", "updated_at", "id"),
        sa.Index("ix_item_actor_id_updated_at_id", "actor_id", "updated_at", "id"),
        sa.Index("ix_item_source_id_updated_at_id", "source_id", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=20)
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, sa_type=sa.Text)
    status: str = Field(max_length=40)
    actor_id: int = Field(foreign_key="actor.id")
    responsible_id: int | None = Field(default=None, foreign_key="actor.id", index=True)
    source_id: int = Field(foreign_key="source.id")
    quote: str = Field(sa_type=sa.Text)
    quote_start: int
    quote_end: int
    quantity_value: float | None = None
    quantity_unit: str | None = Field(default=None, max_length=40)
    progress_value: float | None = None
    progress_target: float | None = None
    made_on: dt.date | None = None
    due_on: dt.date | None = None
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1
    # How many replies its history holds, kept with each reply, so that lists and the CSV say
    # whether the other side has answered without reading the history.
    reply_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # A draft is for editors only until it is published; a retracted item should never have
    # been tracked: it leaves the lists and the counts, its page and history stay.
    publication: str = Field(
        default="published", max_length=10, sa_column_kwargs={"server_default": "published"}
    )


# The API's input shapes. Field names are the API's names; the service checks the domain rules
# (quote verbatim, status within the kind, actors and sources that exist).


class Quantity(InputModel):
    model_config = ConfigDict(extra="forbid")

    value: float = PField(ge=0, allow_inf_nan=False)
    unit: str = PField(min_length=1, max_length=40)


class ItemCreate(InputModel):
    model_config = ConfigDict(extra="forbid")

    slug: str | None = PField(default=None, min_length=1, max_length=120, pattern=SLUG_PATTERN)
    kind: KindName
    title: str = PField(min_length=1, max_length=300)
    description: str | None = PField(default=None, max_length=20000)
    actor: str = PField(min_length=1, max_length=120)
    responsible: str | None = PField(default=None, max_length=120)
    status: StatusName | None = None
    source: str = PField(min_length=1, max_length=120)
    quote: str = PField(min_length=1, max_length=20000)
    quote_start: int | None = PField(default=None, ge=0)
    quantity: Quantity | None = None
    progress_value: float | None = PField(default=None, ge=0, allow_inf_nan=False)
    made_on: dt.date | None = None
    due_on: dt.date | None = None
    publication: NewPublication = PField(
        default="published",
        description="`draft`: for editors only until it is published "
        "(`POST /api/v1/items/{ref}/publish`).",
    )


class ItemUpdate(InputModel):
    """Fields an edit may change; status changes go through the status route, with a note."""

    model_config = ConfigDict(extra="forbid")

    slug: str | None = PField(
        default=None,
        min_length=1,
        max_length=120,
        pattern=SLUG_PATTERN,
        description="A new slug: the old one then leads to the new one (301).",
    )
    title: str | None = PField(default=None, min_length=1, max_length=300)
    description: str | None = PField(default=None, max_length=20000)
    actor: str | None = PField(default=None, min_length=1, max_length=120)
    responsible: str | None = PField(default=None, max_length=120)
    source: str | None = PField(default=None, min_length=1, max_length=120)
    quote: str | None = PField(default=None, min_length=1, max_length=20000)
    quote_start: int | None = PField(default=None, ge=0)
    quantity: Quantity | None = None
    progress_value: float | None = PField(default=None, ge=0, allow_inf_nan=False)
    made_on: dt.date | None = None
    due_on: dt.date | None = None
    note: str | None = PField(default=None, max_length=20000)


class ItemCorrection(InputModel):
    """A published item corrected in public: what changes, and the note the public reads."""

    model_config = ConfigDict(extra="forbid")

    note: str = PField(
        min_length=1,
        max_length=5000,
        description="The public notice, e.g. `Correction: the pledge was made by the council, "
        "not the mayor.`",
    )
    title: str | None = PField(default=None, min_length=1, max_length=300)
    kind: KindName | None = PField(default=None, description="A new kind, with `status` of it.")
    status: StatusName | None = PField(
        default=None, description="With a new kind: its status (else the kind's first)."
    )
    actor: str | None = PField(default=None, min_length=1, max_length=120)
    responsible: str | None = PField(default=None, max_length=120)
    source: str | None = PField(default=None, min_length=1, max_length=120)
    quote: str | None = PField(default=None, min_length=1, max_length=20000)
    quote_start: int | None = PField(default=None, ge=0)
    quantity: Quantity | None = None


class StatusChange(InputModel):
    model_config = ConfigDict(extra="forbid")

    status: StatusName = PField(min_length=1, max_length=40)
    note: str = PField(max_length=20000)
    evidence_url: UrlText | None = None
    evidence_quote: str | None = PField(default=None, max_length=20000)
    progress_value: float | None = PField(default=None, ge=0, allow_inf_nan=False)
    expected_version: int | None = PField(default=None, ge=1)
    occurred_on: dt.date | None = PField(
        default=None,
        description="When the change happened in the world, if known (not after today); "
        "the event also records when it was entered.",
    )


class ItemMaskedTitle(SQLModel, table=True):
    """The title of an item that holds a withheld name, as the public reads it: kept with the
    search index (items.search), so that a list sorted by title orders the item by what is shown
    of it, never by the name."""

    __tablename__ = "item_masked_title"

    item_id: int = Field(foreign_key="item.id", primary_key=True, ondelete="CASCADE")
    title: str = Field(sa_type=sa.Text)


class ItemTally(SQLModel, table=True):
    """How many items there are of each kind and status, kept in the same transaction as every
    change, so that totals and the summary cost a few rows whatever the table's size."""

    __tablename__ = "item_tally"

    kind: str = Field(max_length=20, primary_key=True)
    status: str = Field(max_length=40, primary_key=True)
    count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


# ---------------------------------------------------------------------------------------------
# The public shape


class QuantityPublic(BaseModel):
    value: JsonNumber
    unit: str


class Progress(BaseModel):
    value: JsonNumber
    target: JsonNumber
    percent: float


def is_overdue(status: str, due_on: dt.date | None, today: dt.date | None = None) -> bool:
    if due_on is None or status in RESOLVED_STATUSES:
        return False
    return due_on < (today or dt.datetime.now(dt.UTC).date())


# The columns of the items query (items.service.select_items) that the public shape reads, in
# the order `item_values` unpacks them.
ITEM_COLUMNS = (
    "id", "slug", "kind", "title", "description", "status", "actor_slug", "actor_name",
    "responsible_slug", "responsible_name", "quantity_value", "quantity_unit", "progress_value",
    "progress_target", "source_slug", "source_title", "quote", "quote_start", "quote_end",
    "made_on", "due_on", "created_at", "updated_at", "version", "reply_count", "publication",
)  # fmt: skip


@lru_cache(maxsize=256)
def _status_fields(kind: str, status: str) -> tuple[str, str, str]:
    found = status_of(kind, status)
    return found.label, found.phase, found.outcome


def item_values(columns: Sequence[Any], today: dt.date | None = None) -> dict[str, Any]:
    """An item's public values from its `ITEM_COLUMNS`, as plain values (what its JSON says, in
    the model's order): the one place that turns a row into an item, for the list's JSON
    (straight to orjson) and for `ItemPublic` alike."""
    (
        id_, slug, kind, title, description, status, actor_slug, actor_name, responsible_slug,
        responsible_name, quantity_value, unit, value, target, source_slug, source_title, quote,
        quote_start, quote_end, made_on, due_on, created_at, updated_at, version, reply_count,
        publication,
    ) = columns  # fmt: skip
    label, phase, outcome = _status_fields(kind, status)
    return {
        "id": id_,
        "slug": slug,
        "kind": kind,
        "title": title,
        "description": description,
        "status": status,
        "status_label": label,
        "phase": phase,
        "outcome": outcome,
        "actor": {"slug": actor_slug, "name": actor_name},
        "responsible": (
            {"slug": responsible_slug, "name": responsible_name} if responsible_slug else None
        ),
        "quantity": (
            {"value": json_number(quantity_value), "unit": unit} if unit is not None else None
        ),
        # Progress is shown only once somebody has recorded it: an unknown value is not zero.
        "progress": (
            {
                "value": json_number(value),
                "target": json_number(target),
                "percent": round(min(value / target, 1.0) * 100, 1),
            }
            if target is not None and value is not None
            else None
        ),
        "source": {"slug": source_slug, "title": source_title},
        "quote": quote,
        "quote_start": quote_start,
        "quote_end": quote_end,
        "made_on": made_on,
        "due_on": due_on,
        "overdue": is_overdue(status, due_on, today),
        "created_at": created_at,
        "updated_at": updated_at,
        "version": version,
        "reply_count": reply_count,
        "publication": publication,
        "links": {"self": urls.item_api(slug), "html": urls.item(slug)},
    }


class ItemPublic(BaseModel):
    id: int
    slug: str
    kind: KindCode
    title: str
    description: str | None
    status: StatusCode
    status_label: str
    phase: Phase
    outcome: Outcome
    actor: ActorRef
    responsible: ActorRef | None
    quantity: QuantityPublic | None
    progress: Progress | None
    source: SourceRef
    quote: str
    quote_start: int
    quote_end: int
    made_on: Day | None
    due_on: Day | None
    overdue: bool
    created_at: Timestamp
    updated_at: Timestamp
    version: int
    reply_count: int
    publication: Publication

    @computed_field  # type: ignore[prop-decorator]
    @property
    def links(self) -> Links:
        return Links(self=urls.item_api(self.slug), html=urls.item(self.slug))

    @property
    def tracks_progress(self) -> bool:
        """Whether progress may be recorded on it (a commitment with a positive quantity)."""
        value = self.quantity.value if self.quantity else None
        return progress_target(self.kind, value) is not None

    @classmethod
    def from_row(cls, row: Mapping[Any, Any], *, today: dt.date | None = None) -> ItemPublic:
        """From a row of the items query (with its actor, responsible and source)."""
        return cls.of_values(item_values(tuple(row[c] for c in ITEM_COLUMNS), today))

    @classmethod
    def of_values(cls, values: dict[str, Any]) -> ItemPublic:
        """From `item_values`: the same values, as the model."""
        responsible, quantity, progress = (
            values["responsible"], values["quantity"], values["progress"],
        )  # fmt: skip
        return cls.model_construct(
            **{
                **values,
                "actor": ActorRef.model_construct(**values["actor"]),
                "responsible": ActorRef.model_construct(**responsible) if responsible else None,
                "quantity": QuantityPublic.model_construct(**quantity) if quantity else None,
                "progress": Progress.model_construct(**progress) if progress else None,
                "source": SourceRef.model_construct(**values["source"]),
            }
        )

    def __public_fields__(self, masker: Masker) -> dict[str, Any]:
        """Its quote and offsets as they fall in the source's public text: a quote that begins
        or ends inside a withheld name covers the whole mask."""
        quote, start, end = masker.passage(self.source.slug, self.quote_start, self.quote_end)
        if quote is None:
            return {}
        return {"quote": quote, "quote_start": start, "quote_end": end}


class ItemWithHistory(ItemPublic):
    """One item as its own URL answers: with its history and its links to other items."""

    def __public_fields__(self, masker: Masker) -> dict[str, Any]:
        ordered = {name: in_public_order(getattr(self, name), masker) for name in ORDERED_LINKS}
        return {**super().__public_fields__(masker), **ordered}

    history: list[EventPublic]
    replies: list[ReplyPublic]
    parent: ItemBrief | None
    children: list[ItemBrief]
    rollup: Rollup | None
    related: list[ItemBrief]
    follows_from: list[ItemBrief]
    followed_by: list[ItemBrief]


class ItemList(BaseModel):
    items: list[ItemPublic]
    next_cursor: str | None
    total: int


def _texts_of(values: Mapping[str, Any]) -> str:
    """Every string of an item's values (nested ones too), one text."""
    found: list[str] = []
    for value in values.values():
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, Mapping):
            found.append(_texts_of(value))
    return "\n".join(found)


@dataclass(frozen=True)
class ItemListValues:
    """A page of the list as `item_values` (no model per item): what the API's list writes
    with one orjson call. Masked item by item through `ItemPublic` when names are withheld."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int

    def __public__(self, masker: Masker, walk: Any) -> ItemListValues:
        shown = []
        for values in self.items:
            # Through the model only an item that may hold a name: its texts, or its source.
            if values["source"]["slug"] in masker.sources or masker.names.may_be_in(
                _texts_of(values)
            ):
                values = walk(ItemPublic.of_values(values)).model_dump()
            shown.append(values)
        return replace(self, items=shown)

    def json(self) -> bytes:
        return orjson.dumps(
            {"items": self.items, "next_cursor": self.next_cursor, "total": self.total}
        )


class KindSummary(BaseModel):
    label: str
    total: int
    by_phase: dict[Phase, int]
    by_status: dict[str, int]
    by_outcome: dict[Outcome, int]


class Summary(BaseModel):
    total: int
    kinds: dict[KindCode, KindSummary]
    overdue: int
    commitments_delivered_share: float | None
    last_change_at: Timestamp | None
