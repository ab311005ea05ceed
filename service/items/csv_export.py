"""Items as CSV: every matching item, read page by page with the keyset and streamed, so that
memory stays flat whatever the table's size. The columns are the item's public shape, flattened.
UTF-8 with a byte-order mark (so that spreadsheets detect the encoding), a header row, ISO 8601
dates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from service.db import read_session
from service.items import listing
from service.items.models import ItemFilters, ItemPublic, csv_columns


def stream(*, filters: ItemFilters, sort: str, batch: int = 500) -> Iterator[bytes]:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_columns())
    yield _take(buffer)
    # A session of its own: the stream outlives the request handler.
    with read_session() as session:
        rows = listing.iter_all(session, filters=filters, sort=sort, batch=batch)
        for count, row in enumerate(rows, 1):
            writer.writerow(ItemPublic.from_row(row._mapping).csv_row())
            if count % batch == 0:
                yield _take(buffer)
        yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data.encode("utf-8")
