"""An uploaded spreadsheet read into rows: a CSV or an Excel workbook (.xlsx), nothing else.

`read_table` gives the header's names and each data row's values by name, with the row's number
in the spreadsheet (the header is row 1 when it is the first line), so that a problem can be
pointed at where the editor will find it. A file that cannot be read at all raises `Unreadable`
with a sentence for the editor; a cell that cannot be used (a formula without a stored value)
is noted on its row (`Row.errors`) and the rest of the file is still read.

CSV: UTF-8 with or without a byte-order mark, or UTF-16 with one (Excel's "Unicode text");
comma, semicolon or tab between cells, whichever the header line uses. Every value is text ("" for
an empty cell). A cell that the CSV export protected from being read as a formula (a single
quote before `=`, `+`, `-`, `@`, a tab or a carriage return: `csv_export.inert`) loses that
quote, so that an export reads back as the text it was.

XLSX: the sheet named "Items" when there is one, else the first. Values keep their types (text,
whole numbers as int, other numbers as float, booleans, dates, date-times; None for an empty
cell); a day stored as a date-time at midnight in a date format is a date. Formulas are never
evaluated: a formula cell gives the value the spreadsheet stored with it, and one stored without
a value is a cell error. Before the workbook is parsed, its zip is checked for what it would
expand to (`MAX_EXPANDED_BYTES`, `MAX_RATIO`), so that a small upload cannot fill the memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook  # type: ignore[import-untyped]
from openpyxl.styles.numbers import is_datetime  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from service.items.csv_export import FORMULA_STARTS

MAX_BYTES = 5 * 1024 * 1024
# Data rows, the header not counted.
MAX_ROWS = 5000
# What a workbook's parts may expand to, together, and how much more than its compressed size
# any one part may be.
MAX_EXPANDED_BYTES = 64 * 1024 * 1024
MAX_RATIO = 200
# The sheet read first when a workbook has several (the one the tracker's own export writes).
ITEMS_SHEET = "Items"
DELIMITERS = (",", ";", "\t")
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
# What openpyxl calls a number format that shows a time of day.
TIMES = ("datetime", "time")
# How much of a sheet's XML is searched at a time for a formula.
CHUNK = 256 * 1024
NO_STORED_VALUE = "a formula without a stored value: type the value itself"


class Unreadable(Exception):
    """The file cannot be read: `message` says why, for the editor; `status` is the HTTP status
    to answer with (413 for a file too large, 422 otherwise)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Row:
    """A data row: its number in the spreadsheet, its values by column name, and what could not
    be read of its cells as (column, reason)."""

    number: int
    values: dict[str, object]
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Table:
    """The header's column names, the data rows (entirely empty ones left out) and, for a
    workbook, the name of the sheet read."""

    columns: list[str]
    rows: list[Row]
    sheet: str | None = None


def read_table(filename: str, data: bytes) -> Table:
    """The rows of an uploaded file: its name's suffix says what it is (.csv or .xlsx, in any
    case), and its bytes must be what the suffix says."""
    suffix = _suffix(filename)
    if suffix not in (".csv", ".xlsx"):
        raise Unreadable(
            "only .csv and .xlsx files can be imported: save the spreadsheet as an Excel "
            "workbook (.xlsx) or as CSV UTF-8 (.csv)"
        )
    if len(data) > MAX_BYTES:
        raise Unreadable(
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it into several files",
            status=413,
        )
    if suffix == ".xlsx":
        return _read_xlsx(data)
    return _read_csv(data)


def _suffix(filename: str) -> str:
    # A browser may send a path (C:\Users\...\items.csv): its last part is the name.
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


# ---------------------------------------------------------------------------------------------
# Header and rows, whatever the format


def _table(records: Iterable[tuple[int, Sequence[Any], list[tuple[int, str]]]]) -> Table:
    """Header and rows from (row number, cells, problems by column index) of each record."""
    records = iter(records)
    header: list[str] | None = None
    rows: list[Row] = []
    for number, cells, problems in records:
        if header is None:
            if _empty(cells):
                continue
            header = _header(cells)
            continue
        if _empty(cells) and not problems:
            continue
        if len(rows) == MAX_ROWS:
            raise Unreadable(
                f"the file has more than {MAX_ROWS} rows: import at most {MAX_ROWS} rows at a "
                "time (split it into several files)"
            )
        rows.append(_row(number, header, cells, problems))
    if header is None:
        raise Unreadable("the file is empty: its first row should name the columns")
    return Table(columns=header, rows=rows)


def _empty(cells: Sequence[Any]) -> bool:
    return all(_blank(cell) for cell in cells)


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _header(cells: Sequence[Any]) -> list[str]:
    names = ["" if _blank(cell) else str(cell).strip() for cell in cells]
    while names and not names[-1]:
        names.pop()  # empty columns after the last name
    seen: dict[str, str] = {}
    for index, name in enumerate(names):
        letter = get_column_letter(index + 1)
        if not name:
            raise Unreadable(
                f"column {letter} has no name in the header row: name it, or remove the column"
            )
        if name.casefold() in seen:
            raise Unreadable(
                f"two columns are named “{name}” (columns {seen[name.casefold()]} and {letter}): "
                "each column needs a name of its own"
            )
        seen[name.casefold()] = letter
    return names


def _row(
    number: int, header: list[str], cells: Sequence[Any], problems: list[tuple[int, str]]
) -> Row:
    values: dict[str, object] = {
        name: cells[index] if index < len(cells) else None for index, name in enumerate(header)
    }
    errors = [(_column_name(header, index), reason) for index, reason in problems]
    for index in range(len(header), len(cells)):
        if not _blank(cells[index]):
            errors.append(
                (get_column_letter(index + 1), "a value in a column without a name in the header")
            )
    return Row(number=number, values=values, errors=errors)


def _column_name(header: list[str], index: int) -> str:
    return header[index] if index < len(header) else get_column_letter(index + 1)


# ---------------------------------------------------------------------------------------------
# CSV


def _read_csv(data: bytes) -> Table:
    text = _csv_text(data)
    delimiter = _delimiter(text)
    try:
        lines = list(_csv_records(text, delimiter))
    except csv.Error as exc:
        raise Unreadable(f"this file is not a CSV that can be read ({exc})") from None
    table = _table(lines)
    for row in table.rows:
        row.values = {name: "" if value is None else value for name, value in row.values.items()}
    return table


def _csv_text(data: bytes) -> str:
    if data.startswith(ZIP_MAGIC):
        raise Unreadable(
            "this file is not a CSV: it is a zip (an Excel workbook is one): name it .xlsx if "
            "it is a workbook, or save it as CSV UTF-8"
        )
    if data.startswith(PDF_MAGIC):
        raise Unreadable("this file is not a CSV: it is a PDF")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise Unreadable(_NOT_UTF8) from None
    if b"\x00" in data:
        raise Unreadable(
            "this file is not a CSV: it holds binary data; save the spreadsheet as CSV UTF-8"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable(_NOT_UTF8) from None


_NOT_UTF8 = (
    "this file's text is not in UTF-8: in your spreadsheet, save it as “CSV UTF-8 (Comma "
    "delimited)” and upload that file"
)


def _delimiter(text: str) -> str:
    """The delimiter the header line uses most, outside quotes (a comma when it has none)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    started = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            if char in "\r\n":
                if started:
                    break
                continue  # blank lines before the header
            started = True
            if char in counts:
                counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(
    text: str, delimiter: str
) -> Iterator[tuple[int, list[str], list[tuple[int, str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    for number, cells in enumerate(reader, 1):
        yield number, [_uninert(cell) for cell in cells], []


def _uninert(cell: str) -> str:
    """The text before `csv_export.inert` put a quote in front of it."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


# ---------------------------------------------------------------------------------------------
# XLSX


def _read_xlsx(data: bytes) -> Table:
    _check_zip(data)
    with warnings.catch_warnings():
        # openpyxl warns of what it leaves out (data validation extensions, default styles).
        warnings.simplefilter("ignore")
        try:
            stored = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            # Read a second time, for the formulas themselves, only when a sheet holds one.
            formulas = (
                load_workbook(io.BytesIO(data), read_only=True, data_only=False)
                if _has_formulas(data)
                else None
            )
        except Exception:  # a damaged part: openpyxl's parsers raise many kinds
            raise Unreadable(_UNREADABLE_WORKBOOK) from None
        try:
            names = [sheet.title for sheet in stored.worksheets]
            if not names:
                raise Unreadable("this workbook has no sheet to read")
            name = ITEMS_SHEET if ITEMS_SHEET in names else names[0]
            written = formulas[name] if formulas is not None else None
            table = _table(_xlsx_records(stored[name], written))
            table.sheet = name
            return table
        except Unreadable:
            raise
        except Exception:
            raise Unreadable(_UNREADABLE_WORKBOOK) from None
        finally:
            stored.close()
            if formulas is not None:
                formulas.close()


# A formula's element (`<f>`, `<f t="shared" …>`, `<x:f>`) in a sheet's XML.
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet part of the workbook holds a formula (read in chunks)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            if not entry.filename.startswith("xl/worksheets/"):
                continue
            with archive.open(entry) as part:
                tail = b""
                while chunk := part.read(CHUNK):
                    if _FORMULA.search(tail + chunk):
                        return True
                    tail = chunk[-32:]
    return False


_UNREADABLE_WORKBOOK = (
    "this workbook cannot be read: open it in your spreadsheet, save it again as .xlsx and "
    "upload that file"
)
_NOT_A_WORKBOOK = (
    "this file is not an Excel workbook: save the spreadsheet as .xlsx, or as CSV UTF-8 with a "
    ".csv name"
)


def _check_zip(data: bytes) -> None:
    """A zip holding a workbook, that does not expand to much more than it is."""
    if not data.startswith(ZIP_MAGIC):
        raise Unreadable(_NOT_A_WORKBOOK)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise Unreadable(_NOT_A_WORKBOOK) from None
    if "xl/workbook.xml" not in {entry.filename for entry in entries}:
        raise Unreadable(_NOT_A_WORKBOOK)
    expanded = sum(entry.file_size for entry in entries)
    ratio = max(
        (e.file_size / max(e.compress_size, 1) for e in entries if e.file_size), default=0.0
    )
    if expanded > MAX_EXPANDED_BYTES or ratio > MAX_RATIO:
        raise Unreadable(
            f"the workbook expands to more than {MAX_EXPANDED_BYTES // (1024 * 1024)} MB, or "
            f"one of its parts to more than {MAX_RATIO} times its size: it is not read"
        )


def _xlsx_records(
    stored: Any, formulas: Any | None
) -> Iterator[tuple[int, list[Any], list[tuple[int, str]]]]:
    """Each row's stored values, with the cells that hold a formula but no value noted (when
    the sheet holds formulas: `formulas` is the same sheet, read with them)."""
    # Rows are read as they are in the file, not as its stated dimension says.
    stored.reset_dimensions()
    kept_rows = stored.iter_rows()
    if formulas is None:
        written_rows: Iterator[Sequence[Any]] = (() for _ in iter(int, 1))
    else:
        formulas.reset_dimensions()
        written_rows = formulas.iter_rows()
    for number, kept in enumerate(kept_rows, 1):
        written = next(written_rows)
        values: list[Any] = []
        problems: list[tuple[int, str]] = []
        for index, value_cell in enumerate(kept):
            cell = written[index] if index < len(written) else None
            value = _value(value_cell)
            if getattr(cell, "data_type", None) == "f" and value is None:
                problems.append((index, NO_STORED_VALUE))
            elif getattr(value_cell, "data_type", None) == "e":
                problems.append((index, f"an error ({value}): type the value itself"))
                value = None
            values.append(value)
        yield number, values, problems


def _value(cell: Any) -> object:
    value = getattr(cell, "value", None)
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        return value
    if isinstance(value, dt.datetime):
        if value.time() == dt.time() and is_datetime(cell.number_format) not in TIMES:
            return value.date()
        return value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return str(value)
