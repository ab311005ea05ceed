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
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from service.config import get_settings
from service.db import read_session
from service.items import listing
from service.items.filters import ItemFilters
from service.items.models import ItemPublic
from service.shapes import Links


def stream(
    *,
    filters: ItemFilters,
    sort: str | None,
    public_in: Callable[[Session], Callable[[Any], Any]],
    batch: int = 500,
) -> Iterator[bytes]:
    """The CSV's bytes, a batch of rows at a time; each item passes through what `public_in`
    gives for the stream's session (what the public may read of it) before it becomes a row."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csv_columns())
    yield _take(buffer)
    base_url = get_settings().base_url.rstrip("/")
    items = public_items(filters=filters, sort=sort, public_in=public_in, batch=batch)
    for count, item in enumerate(items, 1):
        writer.writerow(inert(csv_row(item, base_url=base_url)))
        if count % batch == 0:
            yield _take(buffer)
    yield _take(buffer)


def public_items(
    *,
    filters: ItemFilters,
    sort: str | None,
    public_in: Callable[[Session], Callable[[Any], Any]],
    batch: int = 500,
) -> Iterator[ItemPublic]:
    """Every matching item, in the list's order, as `public_in` shows it, read page by page in
    a session of its own (an export outlives the request handler)."""
    with read_session() as session:
        show = public_in(session)
        for row in listing.iter_all(session, filters=filters, sort=sort, batch=batch):
            yield show(ItemPublic.from_row(row._mapping))


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


def csv_columns() -> list[str]:
    """The CSV's header, from the public shape: a nested object's fields become `object_field`
    columns (actor_slug, actor_name, quantity_value, links_html, ...)."""
    return list(_columns())


@cache
def _columns() -> tuple[str, ...]:
    # Made once: every row is flattened in this order.
    columns: list[str] = []
    for name, info in ItemPublic.model_fields.items():
        nested = _nested_model(info.annotation)
        if nested is None:
            columns.append(name)
        else:
            columns += [f"{name}_{sub}" for sub in _field_names(nested)]
    columns += [f"links_{sub}" for sub in Links.model_fields]
    return tuple(columns)


def _field_names(model: type[BaseModel]) -> list[str]:
    return [*model.model_fields, *model.model_computed_fields]


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    candidates = getattr(annotation, "__args__", (annotation,))
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)


def _flatten(body: dict[str, Any], columns: Sequence[str]) -> list[Any]:
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


def flat_values(item: ItemPublic, *, base_url: str = "") -> list[Any]:
    """The item's JSON values, flattened in the order of `csv_columns()` (None where it has
    none); its links absolute, from `base_url` (a spreadsheet has no page to resolve a path
    against)."""
    body = item.model_dump(mode="json")
    body["links"] = {name: base_url + path for name, path in body["links"].items()}
    return _flatten(body, _columns())


def csv_row(item: ItemPublic, *, base_url: str = "") -> list[object]:
    """The item flattened for CSV, in the order of `csv_columns()`, its links absolute."""
    return [_csv_value(v) for v in flat_values(item, base_url=base_url)]
