"""Items as an Excel workbook: the CSV's columns and rows (`csv_export`), with typed cells.

Sheet "Items": the header of `csv_export.csv_columns()`, then one row per matching item in the
list's order. Days are dates (`yyyy-mm-dd`), moments are date-times in UTC (a workbook holds no
time zone: the UTC wall time is written), ids, versions, counts and quantities are numbers,
flags are booleans, a missing value is an empty cell, and links are absolute. Every text cell is
stored as text, never as a formula: a title such as `=HYPERLINK(...)` is shown as written and
never runs (no leading quote is needed, unlike in the CSV). The header row is frozen and has a
filter; the columns have widths for what they hold.

Sheet "Vocabulary": one row per kind and status (with their labels, phase and outcome), so that
whoever edits the workbook sees which statuses each kind allows.

The workbook is written in openpyxl's write-only mode to a temporary file (rows go to disk as
they are read, strings inline: no table of strings held in memory) and sent from it in chunks,
so memory stays flat whatever the table's size."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import types
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet._write_only import WriteOnlyWorksheet  # type: ignore[import-untyped]
from openpyxl.worksheet.filters import AutoFilter  # type: ignore[import-untyped]
from openpyxl.writer.excel import ExcelWriter  # type: ignore[import-untyped]
from sqlmodel import Session

from service.config import get_settings
from service.items import csv_export, vocabulary
from service.items.filters import ItemFilters
from service.items.models import ItemPublic

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEMS_SHEET = "Items"
VOCABULARY_SHEET = "Vocabulary"
VOCABULARY_COLUMNS = ("kind", "kind_label", "status", "status_label", "phase", "outcome")
DAY_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm:ss"
CREATOR = "Accountability tracker"
# The date every part of the workbook carries (the zip format's first day).
FIXED_MOMENT = dt.datetime(1980, 1, 1)
# How much of the finished file is sent at a time.
CHUNK = 64 * 1024

# Column widths, in characters: long text wide, links for a full address, names and slugs for
# most of theirs, dates and moments for all of theirs, anything else (numbers, codes) for its
# header.
WIDE_TEXT = {"title": 60, "description": 60, "quote": 60}
MIN_WIDTH = 8
MAX_WIDTH = 40
LINK_WIDTH = 50
DAY_WIDTH = 12
MOMENT_WIDTH = 20
NAMES = ("slug", "_name", "_title", "_unit")
NAME_WIDTH = 30


def stream(
    *,
    filters: ItemFilters,
    sort: str | None,
    public_in: Callable[[Session], Callable[[Any], Any]],
    batch: int = 500,
) -> Iterator[bytes]:
    """The workbook's bytes, in chunks: written whole to a temporary file first (a zip is
    complete only at its end), then read back; the file is removed once sent or abandoned.
    Each item passes through what `public_in` gives (what the public may read of it)."""
    handle, name = tempfile.mkstemp(prefix="items-", suffix=".xlsx")
    os.close(handle)
    path = Path(name)
    try:
        items = csv_export.public_items(
            filters=filters, sort=sort, public_in=public_in, batch=batch
        )
        write(path, items, base_url=get_settings().base_url.rstrip("/"))
        with path.open("rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
    finally:
        path.unlink(missing_ok=True)


def write(path: Path, items: Iterator[ItemPublic], *, base_url: str = "") -> None:
    """The workbook of these items, saved at `path`."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(ITEMS_SHEET)
    columns = csv_export.csv_columns()
    days, moments = _typed_columns()
    _start(sheet, columns, [_width(c, days, moments) for c in columns])
    count = 0
    for item in items:
        values = csv_export.flat_values(item, base_url=base_url)
        sheet.append(
            [
                _cell(sheet, column, value, days, moments)
                for column, value in zip(columns, values, strict=True)
            ]
        )
        count += 1
    sheet.auto_filter = AutoFilter(ref=f"A1:{get_column_letter(len(columns))}{count + 1}")
    _vocabulary(book.create_sheet(VOCABULARY_SHEET))
    # The same items make the same bytes (a strong ETag names one sequence of bytes): no moment
    # of writing in the document's properties nor in the zip's entries.
    book.properties.creator = CREATOR
    book.properties.created = book.properties.modified = FIXED_MOMENT
    with _Archive(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).save()


class _Archive(zipfile.ZipFile):
    """A zip whose entries all carry the same date, whenever they were written."""

    def _entry(self, name: str) -> zipfile.ZipInfo:
        entry = zipfile.ZipInfo(name, date_time=FIXED_MOMENT.timetuple()[:6])
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o600 << 16
        return entry

    def writestr(  # type: ignore[override]
        self, name: str | zipfile.ZipInfo, data: str | bytes, *args: Any, **kwargs: Any
    ) -> None:
        entry = self._entry(name) if isinstance(name, str) else name
        super().writestr(entry, data, *args, **kwargs)

    def write(  # type: ignore[override]
        self, filename: str, arcname: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        # A sheet written in write-only mode: copied in chunks, not read whole.
        with (
            open(filename, "rb") as source,
            self.open(self._entry(arcname or filename), "w", force_zip64=True) as target,
        ):
            shutil.copyfileobj(source, target, CHUNK)


def _start(sheet: WriteOnlyWorksheet, columns: list[str], widths: list[int]) -> None:
    """Widths and the frozen header row (set before any row is written), then the header."""
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = _text(sheet, column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)


def _vocabulary(sheet: WriteOnlyWorksheet) -> None:
    widths = [14, 14, 22, 22, 10, 10]
    _start(sheet, list(VOCABULARY_COLUMNS), widths)
    rows = 0
    for kind in vocabulary.KINDS:
        for status in kind.statuses:
            values = (
                kind.code,
                kind.label,
                status.code,
                status.label,
                status.phase,
                status.outcome,
            )
            sheet.append([_text(sheet, value) for value in values])
            rows += 1
    sheet.auto_filter = AutoFilter(ref=f"A1:{get_column_letter(len(VOCABULARY_COLUMNS))}{rows + 1}")


def _typed_columns() -> tuple[frozenset[str], frozenset[str]]:
    """The columns that hold a day and those that hold a moment: the public shape's own date
    and date-time fields (written as ISO text in its JSON)."""
    days: set[str] = set()
    moments: set[str] = set()
    for name, info in ItemPublic.model_fields.items():
        kinds = _types_of(info.annotation)
        if dt.datetime in kinds:
            moments.add(name)
        elif dt.date in kinds:
            days.add(name)
    return frozenset(days), frozenset(moments)


def _types_of(annotation: Any) -> tuple[Any, ...]:
    """The types a field may hold (`Day | None` is a date or None)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(t for arg in get_args(annotation) for t in _types_of(arg))
    if get_origin(annotation) is Annotated:
        return _types_of(get_args(annotation)[0])
    return (annotation,)


def _width(column: str, days: frozenset[str], moments: frozenset[str]) -> int:
    if column in WIDE_TEXT:
        return WIDE_TEXT[column]
    if column.startswith("links_"):
        return LINK_WIDTH
    if column in days:
        return DAY_WIDTH
    if column in moments:
        return MOMENT_WIDTH
    if column.endswith(NAMES):
        return NAME_WIDTH
    return min(max(len(column) + 2, MIN_WIDTH), MAX_WIDTH)


def _cell(
    sheet: WriteOnlyWorksheet,
    column: str,
    value: Any,
    days: frozenset[str],
    moments: frozenset[str],
) -> Any:
    """A value as the workbook holds it: a typed cell, or the number or flag itself."""
    if value is None or value == "":
        return None
    if column in days and isinstance(value, str):
        cell = WriteOnlyCell(sheet, dt.date.fromisoformat(value))
        cell.number_format = DAY_FORMAT
        return cell
    if column in moments and isinstance(value, str):
        cell = WriteOnlyCell(sheet, _utc_wall_time(dt.datetime.fromisoformat(value)))
        cell.number_format = MOMENT_FORMAT
        return cell
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        # openpyxl stores any other string as text; one that starts with `=` needs a cell of
        # its own, marked as text.
        return _text(sheet, text) if text.startswith("=") else text
    return value  # a number or a flag


def _utc_wall_time(moment: dt.datetime) -> dt.datetime:
    """The moment in UTC, without its zone (a workbook cannot hold one); a moment without a
    zone is taken as UTC already."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _text(sheet: WriteOnlyWorksheet, value: str) -> WriteOnlyCell:
    """A text cell, stored as text whatever it starts with: openpyxl would make a string that
    starts with `=` a formula. Characters a workbook cannot hold (control characters other than
    tab and line breaks) are left out."""
    cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell
