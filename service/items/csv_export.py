"""Items as CSV: every matching item, read page by page with the keyset and streamed, so that
memory stays flat whatever the table's size. The columns are the item's public shape, flattened.
UTF-8 with a byte-order mark (so that spreadsheets detect the encoding), a header row, ISO 8601
dates.

A text cell that a spreadsheet would read as a formula (one starting with `=`, `+`, `-`, `@`, a
tab or a carriage return) is written with a leading single quote, as OWASP advises, so that a
title such as `=HYPERLINK(...)` stays text. Numbers are left as they are: a negative quantity is
still a number."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from service.db import read_session
from service.items import listing
from service.items.models import ItemFilters, ItemPublic, csv_columns
from service.withheld import service as withheld


def stream(*, filters: ItemFilters, sort: str | None, batch: int = 500) -> Iterator[bytes]:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_columns())
    yield _take(buffer)
    # A session of its own: the stream outlives the request handler.
    with read_session() as session:
        # The CSV is public: withheld names are replaced in every cell.
        masker = withheld.masker(session)
        rows = listing.iter_all(session, filters=filters, sort=sort, batch=batch)
        for count, row in enumerate(rows, 1):
            cells = inert(ItemPublic.from_row(row._mapping).csv_row())
            if masker:
                cells = [masker.text(c) if isinstance(c, str) else c for c in cells]
            writer.writerow(cells)
            if count % batch == 0:
                yield _take(buffer)
        yield _take(buffer)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cells: list[object]) -> list[object]:
    """The row with every text cell that could start a formula prefixed by a single quote."""
    return [
        f"'{cell}" if isinstance(cell, str) and cell.startswith(FORMULA_STARTS) else cell
        for cell in cells
    ]


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data.encode("utf-8")
