"""When a claim was made, as a list of items shows it: the item's own date (`made_on`), else its
source's publication date at the precision the source's text supports ("2015" when only the
year is known), else nothing: a list says "date not stated" rather than show when the item was
recorded here, which belongs on the item's page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from service.sources.models import Source


@dataclass(frozen=True)
class SourceDate:
    """A source's publication date and how much of it its text supports (day, month, year)."""

    published_on: dt.date
    published_precision: str | None


def source_dates(session: Session) -> dict[str, SourceDate]:
    """The publication date of every source that has one, by slug (sources are few, and their
    texts are not read)."""
    rows = session.execute(
        sa.select(
            col(Source.slug), col(Source.published_on), col(Source.published_precision)
        ).where(col(Source.published_on).is_not(None))
    )
    return {slug: SourceDate(day, precision) for slug, day, precision in rows}
