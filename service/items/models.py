"""Item: one tracked claim (a commitment, an allegation or a proposal) and its verbatim quote;
its input shapes, its public shape (the API's JSON, the CSV's columns, the pages' data) and the
list filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, computed_field
from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from service import urls
from service.actors.models import ActorRef
from service.db import UTCDateTime, utcnow
from service.events.models import EventPublic, ReplyPublic
from service.items.vocabulary import (
    RESOLVED_STATUSES,
    KindCode,
    Outcome,
    Phase,
    StatusCode,
    kind_status_check_sql,
    progress_target,
    status_of,
)
from service.links.models import ItemBrief, Rollup
from service.shapes import SLUG_PATTERN, Day, InputModel, JsonNumber, Links, Timestamp
from service.sources.models import SourceRef


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


# The API's input shapes. Field names are the API's names; the service checks the domain rules
# (quote verbatim, status within the kind, actors and sources that exist).


class Quantity(InputModel):
    model_config = ConfigDict(extra="forbid")

    value: float = PField(ge=0, allow_inf_nan=False)
    unit: str = PField(min_length=1, max_length=40)


class ItemCreate(InputModel):
    model_config = ConfigDict(extra="forbid")

    slug: str | None = PField(default=None, min_length=1, max_length=120, pattern=SLUG_PATTERN)
    kind: str
    title: str = PField(min_length=1, max_length=300)
    description: str | None = PField(default=None, max_length=20000)
    actor: str = PField(min_length=1, max_length=120)
    responsible: str | None = PField(default=None, max_length=120)
    status: str | None = None
    source: str = PField(min_length=1, max_length=120)
    quote: str = PField(min_length=1, max_length=20000)
    quote_start: int | None = PField(default=None, ge=0)
    quantity: Quantity | None = None
    progress_value: float | None = PField(default=None, ge=0, allow_inf_nan=False)
    made_on: dt.date | None = None
    due_on: dt.date | None = None


class ItemUpdate(InputModel):
    """Fields an edit may change; status changes go through the status route, with a note."""

    model_config = ConfigDict(extra="forbid")

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


class StatusChange(InputModel):
    model_config = ConfigDict(extra="forbid")

    status: str = PField(min_length=1, max_length=40)
    note: str = PField(max_length=20000)
    evidence_url: str | None = PField(default=None, max_length=2000)
    evidence_quote: str | None = PField(default=None, max_length=20000)
    progress_value: float | None = PField(default=None, ge=0, allow_inf_nan=False)
    expected_version: int | None = PField(default=None, ge=1)
    occurred_on: dt.date | None = PField(
        default=None,
        description="When the change happened in the world, if known (not after today); "
        "the event also records when it was entered.",
    )


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
    def from_row(cls, row: Mapping[str, Any], *, today: dt.date | None = None) -> ItemPublic:
        """From a row of the items query (with its actor, responsible and source)."""
        status = status_of(row["kind"], row["status"])
        progress = None
        # Progress is shown only once somebody has recorded it: an unknown value is not zero.
        if row["progress_target"] is not None and row["progress_value"] is not None:
            value, target = row["progress_value"], row["progress_target"]
            progress = Progress.model_construct(
                value=value, target=target, percent=round(min(value / target, 1.0) * 100, 1)
            )
        return cls.model_construct(
            id=row["id"],
            slug=row["slug"],
            kind=row["kind"],
            title=row["title"],
            description=row["description"],
            status=row["status"],
            status_label=status.label,
            phase=status.phase,
            outcome=status.outcome,
            actor=ActorRef.model_construct(slug=row["actor_slug"], name=row["actor_name"]),
            responsible=(
                ActorRef.model_construct(slug=row["responsible_slug"], name=row["responsible_name"])
                if row["responsible_slug"]
                else None
            ),
            quantity=(
                QuantityPublic.model_construct(
                    value=row["quantity_value"], unit=row["quantity_unit"]
                )
                if row["quantity_unit"] is not None
                else None
            ),
            progress=progress,
            source=SourceRef.model_construct(slug=row["source_slug"], title=row["source_title"]),
            quote=row["quote"],
            quote_start=row["quote_start"],
            quote_end=row["quote_end"],
            made_on=row["made_on"],
            due_on=row["due_on"],
            overdue=is_overdue(row["status"], row["due_on"], today),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            version=row["version"],
            reply_count=row["reply_count"],
        )

    def csv_row(self) -> list[object]:
        """The item flattened for CSV, in the order of `csv_columns()`."""
        return [_csv_value(v) for v in _flatten(self.model_dump(mode="json"), csv_columns())]


class ItemWithHistory(ItemPublic):
    """One item as its own URL answers: with its history and its links to other items."""

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


def csv_columns() -> list[str]:
    """The CSV's header, from the public shape: a nested object's fields become `object_field`
    columns (actor_slug, actor_name, quantity_value, links_html, ...)."""
    columns: list[str] = []
    for name, info in ItemPublic.model_fields.items():
        nested = _nested_model(info.annotation)
        if nested is None:
            columns.append(name)
        else:
            columns += [f"{name}_{sub}" for sub in _field_names(nested)]
    columns += [f"links_{sub}" for sub in Links.model_fields]
    return columns


def _field_names(model: type[BaseModel]) -> list[str]:
    return [*model.model_fields, *model.model_computed_fields]


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    candidates = getattr(annotation, "__args__", (annotation,))
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)


def _flatten(body: dict[str, Any], columns: list[str]) -> list[Any]:
    flat: dict[str, Any] = {}
    for name, value in body.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                flat[f"{name}_{sub}"] = inner
        else:
            flat[name] = value
    return [flat.get(column) for column in columns]


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# ---------------------------------------------------------------------------------------------
# The list filters, as the API's query parameters and the dashboard's filter bar name them

Sort = Literal["updated_at", "-updated_at", "title", "due_on", "relevance"]
SORTS: tuple[Sort, ...] = ("updated_at", "-updated_at", "title", "due_on", "relevance")
# Without `sort`: the best matches first when `q` has words, else the latest changed first.
DEFAULT_SORT: Sort = "-updated_at"
MAX_LIMIT = 200
MAX_SEARCH = 200


def _iso_datetime(value: Any) -> Any:
    """ISO 8601 only: Pydantic alone would also take a Unix time such as `1700000000`."""
    if value is None or isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or len(value) > 64:
        raise ValueError("must be an ISO 8601 date-time")
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("must be an ISO 8601 date-time") from None


def _in_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Without an offset the time is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:  # 0001-01-01T00:00+14:00 is a valid ISO 8601 time before year 1 in UTC
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("out of range") from None


class ItemFilters(InputModel):
    """Which items a list shows: the same model for `GET /api/v1/items`, the CSV export and the
    dashboard's filter bar. Unknown query parameters are ignored."""

    model_config = ConfigDict(extra="ignore")

    kind: KindCode | None = PField(default=None, description="commitment, allegation or proposal")
    status: list[StatusCode] = PField(default_factory=list, description="Repeatable.")
    actor: str | None = PField(default=None, max_length=120, description="Actor slug.")
    responsible: str | None = PField(
        default=None,
        max_length=120,
        description="Slug of the actor responsible (for an allegation, the investigator).",
    )
    outcome: list[Outcome] = PField(
        default_factory=list,
        description="Repeatable: positive, mixed, negative, neutral or pending.",
    )
    source: str | None = PField(default=None, max_length=120, description="Source slug.")
    q: str | None = PField(
        default=None,
        max_length=MAX_SEARCH,
        description=(
            "Words to search for in the title, description, quote and actors' names: every word "
            "must match the start of a word (`ofs` finds Ofsted); case does not matter."
        ),
    )
    overdue: bool | None = PField(default=None, description="Only overdue (true) or not (false).")
    updated_since: Annotated[
        dt.datetime | None,
        BeforeValidator(_iso_datetime),
        AfterValidator(_in_utc),
        PField(description="ISO 8601 date-time; items changed at or after it."),
    ] = None

    @property
    def only_kind_and_status(self) -> bool:
        return not (self.actor or self.responsible or self.outcome or self.source or self.q) and (
            self.overdue is None and self.updated_since is None
        )

    @property
    def is_empty(self) -> bool:
        return self.only_kind_and_status and not (self.kind or self.status)


class ListQuery(ItemFilters):
    """The list's filters with its order and page."""

    sort: Sort | None = PField(
        default=None,
        description=(
            "`updated_at`, `-updated_at`, `title`, `due_on` or `relevance`. Without it: "
            "`relevance` (best match first) when `q` is given, else `-updated_at`."
        ),
    )
    limit: int = PField(default=50, ge=1, le=MAX_LIMIT)
    cursor: str | None = PField(default=None, max_length=1000, description="From `next_cursor`.")


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
