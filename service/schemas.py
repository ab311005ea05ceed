"""The API's response shapes, for the OpenAPI document. Handlers build the same shapes as plain
dicts (serialised with orjson); tests and the schema fuzzer check that the two agree."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel

from service.items.vocabulary import KIND_CODES, STATUS_CODES

Kind = Literal[KIND_CODES]  # type: ignore[valid-type]
StatusCode = Literal[STATUS_CODES]  # type: ignore[valid-type]
Phase = Literal["open", "active", "resolved"]


class ProblemFieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemFieldError] | None = None
    current_version: int | None = None


class ActorRef(BaseModel):
    slug: str
    name: str


class SourceRef(BaseModel):
    slug: str
    title: str


class QuantityOut(BaseModel):
    value: float
    unit: str


class Progress(BaseModel):
    value: float
    target: float
    percent: float


class Links(BaseModel):
    self: str
    html: str


class ItemOut(BaseModel):
    id: int
    slug: str
    kind: Kind
    title: str
    description: str | None
    status: StatusCode
    status_label: str
    phase: Phase
    actor: ActorRef
    responsible: ActorRef | None
    quantity: QuantityOut | None
    progress: Progress | None
    source: SourceRef
    quote: str
    quote_start: int
    quote_end: int
    made_on: dt.date | None
    due_on: dt.date | None
    overdue: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    links: Links


class EventItemRef(BaseModel):
    id: int
    slug: str
    title: str


class EventOut(BaseModel):
    id: int
    item: EventItemRef
    version: int
    type: Literal["created", "status", "progress", "edit"]
    at: dt.datetime
    by: str | None
    from_status: StatusCode | None
    from_status_label: str | None
    to_status: StatusCode | None
    to_status_label: str | None
    note: str | None
    evidence_url: str | None
    evidence_quote: str | None
    progress_value: float | None
    changes: dict[str, Any] | None


class ItemWithHistory(ItemOut):
    history: list[EventOut]


class ItemList(BaseModel):
    items: list[ItemOut]
    next_cursor: str | None
    total: int


class History(BaseModel):
    events: list[EventOut]


class ChangeFeed(BaseModel):
    events: list[EventOut]
    last_id: int


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    database: bool
    migrations_at_head: bool
