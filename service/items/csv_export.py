"""Items as CSV: every matching item, read page by page with the keyset and streamed, so that
memory stays flat whatever the table's size. UTF-8 with a byte-order mark (so that spreadsheets
detect the encoding), a header row, ISO 8601 dates."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from service.db import read_session
from service.items import listing
from service.items import service as items

COLUMNS = (
    "id", "slug", "kind", "title", "description", "status", "status_label", "phase",
    "actor", "actor_name", "responsible", "responsible_name", "source", "source_title",
    "quote", "quote_start", "quote_end", "quantity_value", "quantity_unit",
    "progress_value", "progress_target", "progress_percent", "made_on", "due_on", "overdue",
    "created_at", "updated_at", "version", "url",
)  # fmt: skip


def _row(item: dict) -> list[object]:
    quantity = item["quantity"] or {}
    progress = item["progress"] or {}
    responsible = item["responsible"] or {}
    return [
        item["id"], item["slug"], item["kind"], item["title"], item["description"] or "",
        item["status"], item["status_label"], item["phase"],
        item["actor"]["slug"], item["actor"]["name"],
        responsible.get("slug", ""), responsible.get("name", ""),
        item["source"]["slug"], item["source"]["title"],
        item["quote"], item["quote_start"], item["quote_end"],
        quantity.get("value", ""), quantity.get("unit", ""),
        progress.get("value", ""), progress.get("target", ""), progress.get("percent", ""),
        item["made_on"] or "", item["due_on"] or "", "true" if item["overdue"] else "false",
        item["created_at"], item["updated_at"], item["version"], item["links"]["html"],
    ]  # fmt: skip


def stream(*, filters: listing.ItemFilters, sort: str, batch: int = 500) -> Iterator[bytes]:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield _take(buffer)
    # A session of its own: the stream outlives the request handler.
    with read_session() as session:
        rows = listing.iter_all(session, filters=filters, sort=sort, batch=batch)
        for count, row in enumerate(rows, 1):
            writer.writerow(_row(items.as_json(row._mapping)))
            if count % batch == 0:
                yield _take(buffer)
        yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data.encode("utf-8")
