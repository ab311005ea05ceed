"""The list filters, as the API's query parameters and the dashboard's filter bar name them: the
same model for `GET /api/v1/items`, the CSV export and the dashboard, with the list's orders and
bounds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict
from pydantic import Field as PField

from service.items.vocabulary import KindCode, Outcome, StatusCode
from service.shapes import InputModel, in_utc

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
        AfterValidator(in_utc),
        PField(description="ISO 8601 date-time; items changed at or after it."),
    ] = None

    publication: Literal["draft", "published", "retracted"] | None = PField(
        default=None,
        description="Editors only: `draft` lists the drafts, `retracted` the retracted items. "
        "Without it, the published items, as everyone reads them.",
    )

    @property
    def only_kind_and_status(self) -> bool:
        return not (self.actor or self.responsible or self.outcome or self.source or self.q) and (
            self.overdue is None and self.updated_since is None and self.publication is None
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
