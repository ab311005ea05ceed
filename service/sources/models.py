"""Source: an archived public text, kept byte for byte with its SHA-256, and its public shapes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Final, Literal

import sqlalchemy as sa
from pydantic import AfterValidator, BaseModel, ConfigDict, WithJsonSchema, computed_field
from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from service import urls
from service.db import UTCDateTime, utcnow
from service.items.vocabulary import KindCode
from service.masking import Masker
from service.shapes import SLUG_PATTERN, Day, InputModel, JsonNumber, Links, Timestamp, UrlText

PRECISIONS: Final = ("day", "month", "year")
Precision = Literal["day", "month", "year"]
# The longest archived text taken in (characters): a long report, not a whole book.
MAX_TEXT_CHARS = 500_000


class Source(SQLModel, table=True):
    """The archived text never changes; its metadata may be corrected (`version` guards it)."""

    __tablename__ = "source"
    __table_args__ = (
        sa.CheckConstraint("length(sha256) = 64", name="sha256_length"),
        sa.CheckConstraint(
            "published_precision IS NULL OR published_precision IN ('day', 'month', 'year')",
            name="precision_known",
        ),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        # The same text twice is one source.
        sa.UniqueConstraint("sha256", name="uq_source_sha256"),
        sa.Index("ix_source_updated_at", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True)
    title: str = Field(max_length=500)
    publisher: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=2000)
    published_on: dt.date | None = None
    # How much of published_on the text supports (a month: the day is the 1st), and why.
    published_precision: str | None = Field(default=None, max_length=5)
    date_note: str | None = Field(default=None, sa_type=sa.Text)
    sha256: str = Field(max_length=64)
    text: str = Field(sa_type=sa.Text)
    archived_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = 1


class SourceOriginal(SQLModel, table=True):
    """The bytes of an upload exactly as received (an HTML page, a PDF), beside the text that
    was archived from them."""

    __tablename__ = "source_original"

    source_id: int = Field(foreign_key="source.id", primary_key=True)
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_type=sa.LargeBinary)


class CandidateDismissal(SQLModel, table=True):
    """An editor's decision that a suggested passage is not worth tracking."""

    __tablename__ = "candidate_dismissal"
    __table_args__ = (
        sa.UniqueConstraint(
            "source_id", "quote_start", "quote_end", name="uq_candidate_dismissal_span"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    quote_start: int
    quote_end: int
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SourceSuggestions(SQLModel, table=True):
    """The claims suggested in a source's text, computed once when the source is archived (and
    again by `tracker suggestions recompute` when the method changes), never per request."""

    __tablename__ = "source_suggestions"

    source_id: int = Field(foreign_key="source.id", primary_key=True)
    method: str = Field(max_length=20)  # candidates.METHOD that computed them
    computed_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    candidates: list[dict[str, Any]] = Field(sa_type=sa.JSON)  # each Candidate.stored()


DECISIONS: Final = ("tracked", "dismissed", "restored")


class SuggestionDecision(SQLModel, table=True):
    """What an editor did with a suggestion (tracked it, dismissed it, took a dismissal back),
    with the suggestion as it was made and, when tracked, what the editor chose: the examples a
    ranker can learn from (docs/INTAKE.md)."""

    __tablename__ = "suggestion_decision"
    __table_args__ = (
        sa.CheckConstraint(
            "decision IN ('tracked', 'dismissed', 'restored')", name="decision_known"
        ),
        sa.Index("ix_suggestion_decision_source", "source_id", "quote_start", "quote_end"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id")
    quote_start: int  # the suggestion's passage
    quote_end: int
    decision: str = Field(max_length=10)
    method: str = Field(max_length=20)
    suggested: dict[str, Any] = Field(sa_type=sa.JSON)  # Candidate.stored()
    # Tracked: the item's kind, quote offsets, quantity, actor, responsible and due date.
    chosen: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # A draft deleted since leaves the decision, without its item.
    item_id: int | None = Field(default=None, foreign_key="item.id", ondelete="SET NULL")
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------------------------------------
# Input shapes


def _http_url(value: str | None) -> str | None:
    if value is not None and not re.match(r"^https?://[^\s/]+\S*$", value):
        raise ValueError("must be an http or https URL")
    return value


HttpUrl = Annotated[
    str | None,
    AfterValidator(_http_url),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "format": "uri", "maxLength": 2000}, {"type": "null"}]}
    ),
]


class SourceMetadata(InputModel):
    """What may be said about a source besides its text; all of it can be corrected later."""

    model_config = ConfigDict(extra="forbid")

    title: str = PField(min_length=1, max_length=500)
    publisher: str | None = PField(default=None, max_length=200)
    url: HttpUrl = PField(default=None, max_length=2000)
    published_on: dt.date | None = None
    published_precision: Precision | None = None
    date_note: str | None = PField(default=None, max_length=5000)
    slug: str | None = PField(default=None, min_length=1, max_length=120, pattern=SLUG_PATTERN)


class SourceCreate(SourceMetadata):
    """A source from pasted text."""

    text: str = PField(min_length=1)


class SourceUpdate(InputModel):
    model_config = ConfigDict(extra="forbid")

    slug: str | None = PField(
        default=None,
        min_length=1,
        max_length=120,
        pattern=SLUG_PATTERN,
        description="A new slug: the old one then leads to the new one (301).",
    )
    title: str | None = PField(default=None, min_length=1, max_length=500)
    publisher: str | None = PField(default=None, max_length=200)
    url: HttpUrl = PField(default=None, max_length=2000)
    published_on: dt.date | None = None
    published_precision: Precision | None = None
    date_note: str | None = PField(default=None, max_length=5000)


class SourceRef(BaseModel):
    """A source as an item names it."""

    slug: str
    title: str


class OriginalPublic(BaseModel):
    """The upload a source was archived from, downloadable at `links.original`."""

    filename: str
    media_type: str
    sha256: str
    size: int


class SourcePublic(BaseModel):
    slug: str
    title: str
    publisher: str | None
    url: UrlText | None
    published_on: Day | None
    published_precision: Precision | None
    date_note: str | None
    sha256: str
    archived_at: Timestamp
    updated_at: Timestamp
    version: int
    length: int
    items_tracked: int
    original: OriginalPublic | None
    masked: bool = PField(
        description="Names withheld from the public are masked in this source's text: "
        "`sha256` and `length` are those of the masked text, not of the archived one."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def links(self) -> Links:
        return Links(self=urls.source_api(self.slug), html=urls.source(self.slug))

    @classmethod
    def of(
        cls, source: Source, *, items_tracked: int, original: OriginalPublic | None
    ) -> SourcePublic:
        return cls.model_construct(**_public_fields(source, items_tracked, original))

    def __public_fields__(self, masker: Masker) -> dict[str, Any]:
        """The hash and length of the text the public reads, never of the archived one (a guess
        at a withheld name could be checked against them); the upload only if it holds no
        withheld name, in any way it can be read."""
        shown: dict[str, Any] = {}
        if self.slug in masker.hidden_originals:
            shown["original"] = None
        mask = masker.sources.get(self.slug)
        if mask is not None:
            shown.update(sha256=mask.sha256, length=len(mask.public), masked=True)
        return shown


def _public_fields(
    source: Source, items_tracked: int, original: OriginalPublic | None
) -> dict[str, Any]:
    return {
        "slug": source.slug,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "published_on": source.published_on,
        "published_precision": source.published_precision,
        "date_note": source.date_note,
        "sha256": source.sha256,
        "archived_at": source.archived_at,
        "updated_at": source.updated_at,
        "version": source.version,
        "length": len(source.text),
        "items_tracked": items_tracked,
        "original": original,
        "masked": False,
    }


class SpanItem(BaseModel):
    id: int
    slug: str
    title: str
    kind: KindCode


class QuoteSpan(BaseModel):
    """Where an item quotes the source: [start, end) in code points of its text."""

    item: SpanItem
    start: int
    end: int


class SourceWithText(SourcePublic):
    text: str
    quote_spans: list[QuoteSpan]

    def __public_fields__(self, masker: Masker) -> dict[str, Any]:
        shown = super().__public_fields__(masker)
        mask = masker.sources.get(self.slug)
        if mask is not None:
            spans = []
            for span in self.quote_spans:
                start, end = mask.span(span.start, span.end)
                spans.append(span.model_copy(update={"start": start, "end": end}))
            shown.update(text=mask.public, quote_spans=spans)
        return shown

    @classmethod
    def with_spans(
        cls, source: Source, spans: list[QuoteSpan], *, original: OriginalPublic | None
    ) -> SourceWithText:
        fields = _public_fields(source, len({s.item.id for s in spans}), original)
        return cls.model_construct(**fields, text=source.text, quote_spans=spans)


class SourceList(BaseModel):
    sources: list[SourcePublic]


# ---------------------------------------------------------------------------------------------
# Suggested claims


class CandidateQuantity(BaseModel):
    value: JsonNumber
    unit: str


class CandidateSpan(BaseModel):
    quote_start: int
    quote_end: int


class CandidatePublic(BaseModel):
    """A passage of a source's text that reads like a claim worth tracking. `quote` is exactly
    `text[quote_start:quote_end]`; `item` is the tracked item whose quote lies inside it."""

    id: str
    quote: str
    quote_start: int
    quote_end: int
    kind: KindCode | Literal["reply"] = PField(
        description="A reply is a denial or a rejection of the allegation it `answers`."
    )
    quantity: CandidateQuantity | None
    actor: str | None
    actor_name: str | None
    responsible: str | None = PField(
        default=None,
        description="An allegation's finder (a watchdog, inspectors, a court): a known actor.",
    )
    responsible_name: str | None = PField(
        default=None, description="The finder's name as written, when no known actor matched."
    )
    item: str | None
    state: Literal["new", "accepted", "dismissed"]
    score: float
    cue: str
    title: str = PField(description="A short plain title made from the passage, to edit.")
    due_on: Day | None = PField(
        description="The deadline the passage states (counted from the source's date when it "
        "gives a span or a month alone), or null."
    )
    due_words: str | None = PField(description="The words the deadline comes from.")
    also: list[CandidateSpan] = PField(
        default_factory=list,
        description="The same claim written again in the text (a headline and its paragraph).",
    )
    answers: str | None = PField(
        default=None, description="A reply's allegation: the id of that suggestion."
    )


class CandidateList(BaseModel):
    source: str = PField(description="The slug of the source they are suggested in.")
    candidates: list[CandidatePublic]

    def __public_fields__(self, masker: Masker) -> dict[str, Any]:
        """Each passage as it falls in the source's public text (its id is its offsets there)."""

        def shown_span(start: int, end: int) -> tuple[int, int] | None:
            quote, shown_start, shown_end = masker.passage(self.source, start, end)
            return None if quote is None else (shown_start, shown_end)

        shown = []
        for candidate in self.candidates:
            quote, start, end = masker.passage(
                self.source, candidate.quote_start, candidate.quote_end
            )
            if quote is None:
                shown.append(candidate)
                continue
            also = []
            for span in candidate.also:
                moved = shown_span(span.quote_start, span.quote_end)
                also.append(
                    CandidateSpan(quote_start=moved[0], quote_end=moved[1]) if moved else span
                )
            answers = candidate.answers
            if answers is not None:
                first, last = (int(n) for n in answers.split("-"))
                moved = shown_span(first, last)
                answers = f"{moved[0]}-{moved[1]}" if moved else answers
            candidate = candidate.model_copy(
                update={"quote": quote, "quote_start": start, "quote_end": end,
                        "id": f"{start}-{end}", "also": also, "answers": answers}
            )  # fmt: skip
            shown.append(candidate)
        return {"candidates": shown}
