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


class SourceLinks(BaseModel):
    self: str
    html: str


class SourceOut(BaseModel):
    slug: str
    title: str
    publisher: str | None
    url: str | None
    published_on: dt.date | None
    sha256: str
    archived_at: dt.datetime
    length: int
    links: SourceLinks


class SpanItem(BaseModel):
    id: int
    slug: str
    title: str
    kind: Kind


class QuoteSpan(BaseModel):
    item: SpanItem
    start: int
    end: int


class SourceWithText(SourceOut):
    text: str
    quote_spans: list[QuoteSpan]


class SourceList(BaseModel):
    sources: list[SourceOut]


class ActorOut(BaseModel):
    slug: str
    name: str
    kind: Literal["person", "police_force", "government", "regulator", "council", "other"]
    links: Links


class PhaseCounts(BaseModel):
    total: int
    open: int
    active: int
    resolved: int


class Scorecard(BaseModel):
    commitment: PhaseCounts
    allegation: PhaseCounts
    proposal: PhaseCounts


class ActorWithScorecard(ActorOut):
    scorecard: Scorecard


class ActorList(BaseModel):
    actors: list[ActorOut]


class KindSummary(BaseModel):
    label: str
    total: int
    by_phase: dict[Phase, int]
    by_status: dict[str, int]


class Summary(BaseModel):
    total: int
    kinds: dict[Kind, KindSummary]
    overdue: int
    commitments_delivered_share: float | None
    last_change_at: dt.datetime | None


class VocabularyStatus(BaseModel):
    code: str
    label: str
    phase: Phase


class VocabularyKind(BaseModel):
    code: Kind
    label: str
    plural: str
    initial_status: str
    statuses: list[VocabularyStatus]


class CodeLabel(BaseModel):
    code: str
    label: str


class Vocabulary(BaseModel):
    phases: list[CodeLabel]
    kinds: list[VocabularyKind]
    actor_kinds: list[CodeLabel]
    roles: list[str]


# OpenAPI response declarations shared by the routers.
PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
NOT_MODIFIED = {304: {"description": "Not modified: the `If-None-Match` ETag is current."}}
