"""Event: the append-only history of every change to an item (never updated, never deleted),
and its public shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, BeforeValidator, ConfigDict, PrivateAttr, WithJsonSchema
from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from service.actors.models import ActorRef
from service.db import UTCDateTime, utcnow
from service.items.vocabulary import StatusCode, label_of
from service.masking import Masker
from service.shapes import Day, InputModel, JsonNumber, Timestamp, UrlText, in_utc
from service.sources.models import SourceRef

# A reply is the answer of an actor (the accused body, the council rated) to an item: its words
# in `note`, its link in `evidence_url`, a verbatim quote in `evidence_quote` (from `source_id`
# when the answer is an archived source).
# Published, retracted and correction events carry a public note (a retraction's reason, a
# correction's notice); a link event names the item linked or unlinked in `changes`.
EVENT_TYPES = (
    "created", "status", "progress", "edit", "reply", "published", "retracted", "correction",
    "link",
)  # fmt: skip
EventType = Literal[
    "created", "status", "progress", "edit", "reply", "published", "retracted", "correction",
    "link",
]  # fmt: skip
_types = ", ".join(f"'{t}'" for t in EVENT_TYPES)


class Event(SQLModel, table=True):
    __tablename__ = "event"
    __table_args__ = (
        sa.CheckConstraint(f"type IN ({_types})", name="type_known"),
        sa.CheckConstraint(
            "type <> 'status' OR (note IS NOT NULL AND length(note) > 0)", name="status_has_note"
        ),
        sa.CheckConstraint(
            "type <> 'reply' OR (actor_id IS NOT NULL AND note IS NOT NULL AND length(note) > 0)",
            name="reply_complete",
        ),
        sa.CheckConstraint(
            "type NOT IN ('retracted', 'correction') OR (note IS NOT NULL AND length(note) > 0)",
            name="note_required",
        ),
        sa.Index("ix_event_item_id_id", "item_id", "id"),
        sa.UniqueConstraint("item_id", "version", name="uq_event_item_id_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id")
    # The item's version once this event applied: one event per version, no gaps.
    version: int
    type: str = Field(max_length=20)
    # When the change was recorded here; occurred_on is when it happened in the world, as the
    # editor states it (null when not stated: never guessed from `at`).
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    occurred_on: dt.date | None = None
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    from_status: str | None = Field(default=None, max_length=40)
    to_status: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, sa_type=sa.Text)
    evidence_url: str | None = Field(default=None, max_length=2000)
    evidence_quote: str | None = Field(default=None, sa_type=sa.Text)
    progress_value: float | None = None
    # For edits: {field: [old, new]}, so that no earlier wording is ever lost.
    changes: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # For replies: who answered, and the archived source their words are quoted from.
    actor_id: int | None = Field(default=None, foreign_key="actor.id", index=True)
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)


class EventItemRef(BaseModel):
    id: int
    slug: str
    title: str


class EventPublic(BaseModel):
    """One change to an item, as the history, the change feed and the Atom feed show it."""

    id: int
    item: EventItemRef
    version: int
    type: EventType
    at: Timestamp
    occurred_on: Day | None
    by: str | None
    from_status: StatusCode | None
    from_status_label: str | None
    to_status: StatusCode | None
    to_status_label: str | None
    note: str | None
    evidence_url: UrlText | None
    evidence_quote: str | None
    progress_value: JsonNumber | None
    changes: dict[str, Any] | None
    # A reply's actor (who answered) and the source its quote is from; null for other events.
    actor: ActorRef | None
    source: SourceRef | None
    # The source its item quotes (for the offsets an edit of the quote records).
    _item_source: str | None = PrivateAttr(default=None)

    def __public_fields__(self, masker: Masker) -> dict[str, Any]:
        """A reply's quote and an edit of the item's quote, as the public reads their sources:
        each quote and its offsets where they fall in that source's public text."""
        shown_fields: dict[str, Any] = {}
        if self.type == "reply" and self.source is not None and self.evidence_quote:
            quoted = masker.quoted(self.source.slug, self.evidence_quote)
            if quoted is not None:
                shown_fields["evidence_quote"] = quoted
        changes = self.changes
        if not changes or not {"quote", "quote_start", "quote_end"} & changes.keys():
            return shown_fields
        shown = dict(changes)
        sources = changes.get("source_id") or [self._item_source, self._item_source]
        for side in (0, 1):
            mask = masker.sources.get(sources[side] or "")
            if mask is None:
                continue
            quote = changes["quote"][side] if "quote" in changes else None
            start = changes["quote_start"][side] if "quote_start" in changes else None
            if start is None and quote is not None:
                start = mask.text.find(quote)
            end = changes["quote_end"][side] if "quote_end" in changes else None
            if end is None and start is not None and start >= 0 and quote is not None:
                end = start + len(quote)
            if start is None or end is None or start < 0:
                continue
            public_start, public_end = mask.span(start, end)
            for name, value in (
                ("quote", mask.public[public_start:public_end]),
                ("quote_start", public_start),
                ("quote_end", public_end),
            ):
                if name in shown:
                    pair = list(shown[name])
                    pair[side] = value
                    shown[name] = pair
        return {**shown_fields, "changes": shown}

    @classmethod
    def from_row(cls, row: Mapping[Any, Any]) -> EventPublic:
        """From a row of the events query (with its item's slug, title, kind and source)."""
        kind = row["item_kind"]
        event = cls.model_construct(
            id=row["id"],
            item=EventItemRef.model_construct(
                id=row["item_id"], slug=row["item_slug"], title=row["item_title"]
            ),
            version=row["version"],
            type=row["type"],
            at=row["at"],
            occurred_on=row["occurred_on"],
            by=row["username"],
            from_status=row["from_status"],
            from_status_label=label_of(kind, row["from_status"]),
            to_status=row["to_status"],
            to_status_label=label_of(kind, row["to_status"]),
            note=row["note"],
            evidence_url=row["evidence_url"],
            evidence_quote=row["evidence_quote"],
            progress_value=row["progress_value"],
            changes=row["changes"],
            actor=(
                ActorRef.model_construct(slug=row["actor_slug"], name=row["actor_name"])
                if row["actor_slug"]
                else None
            ),
            source=(
                SourceRef.model_construct(slug=row["source_slug"], title=row["source_title"])
                if row["source_slug"]
                else None
            ),
        )
        event._item_source = row["item_source_slug"]
        return event


class History(BaseModel):
    events: list[EventPublic]


class ChangeFeed(BaseModel):
    events: list[EventPublic]
    last_id: int = PField(
        description="The id of this page's last event (`after` when the page is empty): the "
        "`after` to poll with next."
    )
    has_more: bool = PField(
        description="Whether more events of the same window follow this page: `next` names them."
    )
    next: str | None = PField(
        description="The next page (same window, `after` = `last_id`) as an absolute path, "
        'also sent as `Link: <...>; rel="next"`; null when `has_more` is false.'
    )


def _date_or_time(value: Any, *, end_of_day: bool) -> Any:
    """An ISO 8601 date or date-time as a UTC time: a date is the start of its day (UTC), or
    with `end_of_day` its last microsecond, so that a day given as an end counts whole. A time
    without an offset is UTC."""
    if value is None or isinstance(value, dt.datetime):
        moment = value
    elif not isinstance(value, str) or len(value) > 64:
        raise ValueError("must be an ISO 8601 date or date-time")
    else:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                raise ValueError("must be an ISO 8601 date or date-time") from None
        else:
            moment = dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min)
    return in_utc(moment)


_DATE_OR_TIME_SCHEMA = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}]
}
# A window's start: a date is the start of that day (UTC).
WindowStart = Annotated[
    dt.datetime,
    BeforeValidator(partial(_date_or_time, end_of_day=False)),
    WithJsonSchema(_DATE_OR_TIME_SCHEMA),
]
# A window's end, inclusive: a date is the whole of that day (UTC).
WindowEnd = Annotated[
    dt.datetime,
    BeforeValidator(partial(_date_or_time, end_of_day=True)),
    WithJsonSchema(_DATE_OR_TIME_SCHEMA),
]


@dataclass(frozen=True)
class ChangeWindow:
    """Which events the change feed shows, besides `after`: recorded (`Event.at`) from `since`
    to `until`, and happened in the world (`occurred_on`, or for an event without one the time
    it was recorded) from `occurred_since` to `occurred_until`; each end inclusive, in UTC."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None
    occurred_since: dt.datetime | None = None
    occurred_until: dt.datetime | None = None


@dataclass(frozen=True)
class FeedPage:
    """A page of the change feed: its events, whether more of the window follow it, and whether
    it is `settled`: false when newer events committed past the feed's horizon (PostgreSQL) were
    left out, so that the page is true of this moment only, not of the data version."""

    events: list[EventPublic]
    has_more: bool
    settled: bool = True


class Corrections(BaseModel):
    """The corrections and retractions made in public, newest first: each an event of its
    item's history, with the note the public reads."""

    corrections: list[EventPublic]
    next_before: int | None = PField(
        description="The `before` of the next page (older ones), or null on the last page."
    )


class ReplyCreate(InputModel):
    """An answer to an item from an actor: the accused body, the council whose promise is rated."""

    model_config = ConfigDict(extra="forbid")

    by: str = PField(min_length=1, max_length=120, description="The actor who replied (slug).")
    text: str = PField(min_length=1, max_length=20000, description="What they said.")
    url: UrlText | None = PField(default=None, description="Where they said it.")
    source: str | None = PField(
        default=None, max_length=120, description="An archived source holding the reply (slug)."
    )
    quote: str | None = PField(
        default=None,
        max_length=20000,
        description="Their words, verbatim (in `source` when one is given).",
    )
    occurred_on: dt.date | None = PField(default=None, description="When they replied.")


class ReplyPublic(BaseModel):
    """A reply, as the item's JSON and page show it beside the item."""

    id: int
    by: ActorRef
    text: str
    url: UrlText | None
    source: SourceRef | None
    quote: str | None
    occurred_on: Day | None
    at: Timestamp
    recorded_by: str | None

    def __public_fields__(self, masker: Masker) -> dict[str, Any]:
        """Its quote as the public reads its source: a quote that cuts a withheld name covers
        the whole mask."""
        if self.source is None or not self.quote:
            return {}
        quoted = masker.quoted(self.source.slug, self.quote)
        return {} if quoted is None else {"quote": quoted}

    @classmethod
    def of(cls, event: EventPublic) -> ReplyPublic:
        assert event.actor is not None and event.note is not None  # the table's reply_complete
        return cls.model_construct(
            id=event.id,
            by=event.actor,
            text=event.note,
            url=event.evidence_url,
            source=event.source,
            quote=event.evidence_quote,
            occurred_on=event.occurred_on,
            at=event.at,
            recorded_by=event.by,
        )
