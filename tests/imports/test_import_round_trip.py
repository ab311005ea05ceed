"""Export → edit in a spreadsheet → import: the preview names exactly what the file changes, and
confirming applies it all at once, each change an event whose note names the import."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest

from tests.support.seed import ACTOR, QUOTE, SOURCE

# Three statuses and a title, on four items of the seeds.
STATUS_CHANGES = {
    "pcc-62-additional-cse-staff": "in_progress",
    "gov-prison-for-officials-who-fail-children": "withdrawn",
    "ipcc-allegation-naked-images-group-offending": "upheld",
}
NEW_TITLE = ("pcc-victims-and-survivors-panel", "A panel of victims and survivors advises the PCC")


def export_csv(client, headers) -> tuple[list[str], list[dict[str, str]]]:
    response = client.get("/api/v1/items.csv", headers=headers)
    assert response.status_code == 200
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return list(reader.fieldnames or []), list(reader)


def write_csv(columns: list[str], rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def upload(client, headers, name: str, data: bytes):
    return client.post("/api/v1/imports", files={"file": (name, data)}, headers=headers)


def snapshot(client, headers) -> dict[str, tuple[int, str, str, int]]:
    """Every item's version, status, title and number of events."""
    items = client.get("/api/v1/items", params={"limit": 200},
                       headers=headers).json()["items"]  # fmt: skip

    def events(slug: str) -> int:
        return len(client.get(f"/api/v1/items/{slug}/history", headers=headers).json()["events"])

    return {i["slug"]: (i["version"], i["status"], i["title"], events(i["slug"])) for i in items}


def edit_rows(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if row["slug"] in STATUS_CHANGES:
            row["status"] = STATUS_CHANGES[row["slug"]]
            row["note"] = f"Checked on the record for {row['slug']}."
        if row["slug"] == NEW_TITLE[0]:
            row["title"] = NEW_TITLE[1]


def check_preview(preview: dict[str, Any], before: dict[str, tuple[int, str, str, int]]) -> None:
    assert preview["refuse"] == [] and preview["create"] == []
    changed = {c["item"]["slug"]: c for c in preview["change"]}
    assert set(changed) == {*STATUS_CHANGES, NEW_TITLE[0]}
    for slug, status in STATUS_CHANGES.items():
        assert changed[slug]["fields"] == [
            {"field": "status", "old": before[slug][1], "new": status}
        ]
        assert changed[slug]["item"]["version"] == before[slug][0]
    assert changed[NEW_TITLE[0]]["fields"] == [
        {"field": "title", "old": before[NEW_TITLE[0]][2], "new": NEW_TITLE[1]}
    ]
    assert preview["unchanged"] == len(before) - 4
    assert preview["rows"] == len(before)


def check_applied(client, headers, preview, before, after) -> None:
    import_id = preview["id"]
    rows = {c["item"]["slug"]: c["row"] for c in preview["change"]}
    for slug, (version, status, title, events) in before.items():
        if slug in STATUS_CHANGES:
            assert after[slug][:2] == (version + 1, STATUS_CHANGES[slug])
            assert after[slug][3] == events + 1
            last = client.get(f"/api/v1/items/{slug}/history", headers=headers).json()["events"][-1]
            assert last["type"] == "status"
            assert last["to_status"] == STATUS_CHANGES[slug] and last["from_status"] == status
            assert last["note"] == (
                f"Checked on the record for {slug}. "
                f"(Import {import_id} ({preview['filename']}), row {rows[slug]})"
            )
        elif slug == NEW_TITLE[0]:
            assert after[slug][:3] == (version + 1, status, NEW_TITLE[1])
            last = client.get(f"/api/v1/items/{slug}/history", headers=headers).json()["events"][-1]
            assert last["type"] == "edit"
            assert last["changes"] == {"title": [title, NEW_TITLE[1]]}
            assert last["note"] == f"Import {import_id} ({preview['filename']}), row {rows[slug]}"
        else:
            assert after[slug] == before[slug]


def test_a_csv_export_edited_and_imported_changes_exactly_what_was_edited(
    client, editor_headers
) -> None:
    before = snapshot(client, editor_headers)
    columns, rows = export_csv(client, editor_headers)
    edit_rows(rows)
    response = upload(client, editor_headers, "items.csv", write_csv([*columns, "note"], rows))
    assert response.status_code == 201, response.text
    preview = response.json()
    assert response.headers["location"] == f"/api/v1/imports/{preview['id']}"
    check_preview(preview, before)
    assert preview["ignored"]["unknown"] == []
    assert (
        "status_label" in preview["ignored"]["derived"]
        and "links_html" in preview["ignored"]["derived"]
    )
    # Nothing is written by the preview.
    assert snapshot(client, editor_headers) == before
    assert client.get(f"/api/v1/imports/{preview['id']}", headers=editor_headers).json() == preview

    confirmed = client.post(f"/api/v1/imports/{preview['id']}/confirm", headers=editor_headers)
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["state"] == "applied" and body["created"] == []
    assert {c["slug"] for c in body["changed"]} == {*STATUS_CHANGES, NEW_TITLE[0]}
    check_applied(client, editor_headers, preview, before, snapshot(client, editor_headers))
    # Applied once: a second confirm changes nothing.
    again = client.post(f"/api/v1/imports/{preview['id']}/confirm", headers=editor_headers)
    assert again.status_code == 409 and "applied already" in again.json()["detail"]


def test_an_xlsx_export_edited_and_imported_changes_exactly_what_was_edited(
    client, editor_headers
) -> None:
    before = snapshot(client, editor_headers)
    response = client.get("/api/v1/items.xlsx", headers=editor_headers)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Items"]
    header = [cell.value for cell in sheet[1]]
    slug_at, status_at, title_at = (header.index(n) + 1 for n in ("slug", "status", "title"))
    note_at = len(header) + 1
    sheet.cell(row=1, column=note_at, value="note")
    for number in range(2, sheet.max_row + 1):
        slug = sheet.cell(row=number, column=slug_at).value
        if slug in STATUS_CHANGES:
            sheet.cell(row=number, column=status_at, value=STATUS_CHANGES[slug])
            sheet.cell(row=number, column=note_at, value=f"Checked on the record for {slug}.")
        if slug == NEW_TITLE[0]:
            sheet.cell(row=number, column=title_at, value=NEW_TITLE[1])
    out = io.BytesIO()
    book.save(out)
    response = upload(client, editor_headers, "items.xlsx", out.getvalue())
    assert response.status_code == 201, response.text
    preview = response.json()
    check_preview(preview, before)
    assert snapshot(client, editor_headers) == before
    confirmed = client.post(f"/api/v1/imports/{preview['id']}/confirm", headers=editor_headers)
    assert confirmed.status_code == 200, confirmed.text
    check_applied(client, editor_headers, preview, before, snapshot(client, editor_headers))


def test_a_file_with_mistakes_is_refused_row_by_row_and_changes_nothing(
    client, editor_headers
) -> None:
    before = snapshot(client, editor_headers)
    columns, rows = export_csv(client, editor_headers)
    by_slug = {row["slug"]: row for row in rows}
    by_slug["pcc-62-additional-cse-staff"]["status"] = "kept-ish"
    by_slug["gov-prison-for-officials-who-fail-children"]["actor_slug"] = "no-such-actor"
    by_slug["ipcc-allegation-naked-images-group-offending"]["version"] = "0"
    by_slug["pcc-victims-and-survivors-panel"]["status"] = "delivered"  # a good row among them
    new = dict.fromkeys(columns, "")
    new.update(kind="commitment", title="A made-up promise", actor_slug=ACTOR,
               source_slug=SOURCE, quote="words that are nowhere in the source")  # fmt: skip
    rows.append(new)
    response = upload(client, editor_headers, "items.csv", write_csv(columns, rows))
    assert response.status_code == 201, response.text
    preview = response.json()
    number = {row["slug"]: index + 2 for index, row in enumerate(rows)}
    refused = {(r["row"], r["column"]): r["reason"] for r in preview["refuse"]}
    assert set(refused) == {
        (number["pcc-62-additional-cse-staff"], "status"),
        (number["gov-prison-for-officials-who-fail-children"], "actor_slug"),
        (number["ipcc-allegation-naked-images-group-offending"], "version"),
        (len(rows) + 1, "quote"),
    }, refused
    assert (
        "'kept-ish' is not a status of a commitment"
        in refused[(number["pcc-62-additional-cse-staff"], "status")]
    )
    assert (
        "no-such-actor"
        in refused[(number["gov-prison-for-officials-who-fail-children"], "actor_slug")]
    )
    assert (
        "changed since this file was made"
        in refused[(number["ipcc-allegation-naked-images-group-offending"], "version")]
    )
    confirmed = client.post(f"/api/v1/imports/{preview['id']}/confirm", headers=editor_headers)
    assert confirmed.status_code == 409
    assert confirmed.headers["content-type"] == "application/problem+json"
    assert "4 refused rows" in confirmed.json()["detail"]
    assert snapshot(client, editor_headers) == before


def test_a_row_without_an_item_creates_one_with_its_verbatim_quote(client, editor_headers) -> None:
    columns = [
        "kind",
        "title",
        "actor",
        "source",
        "quote",
        "due_on",
        "quantity_value",
        "quantity_unit",
    ]
    row = {"kind": "commitment", "title": "A victims and survivors panel", "actor": ACTOR,
           "source": SOURCE, "quote": QUOTE, "due_on": "2027-03-31", "quantity_value": "",
           "quantity_unit": ""}  # fmt: skip
    preview = upload(client, editor_headers, "new.csv", write_csv(columns, [row])).json()
    assert preview["refuse"] == [] and preview["change"] == []
    assert preview["create"] == [{
        "row": 2, "kind": "commitment", "title": "A victims and survivors panel",
        "status": "pledged", "actor": ACTOR, "source": SOURCE, "quote": QUOTE,
        "publication": "published",
    }]  # fmt: skip
    body = client.post(f"/api/v1/imports/{preview['id']}/confirm", headers=editor_headers).json()
    created = body["created"][0]
    item = client.get(f"/api/v1/items/{created['slug']}", headers=editor_headers).json()
    assert item["quote"] == QUOTE and item["due_on"] == "2027-03-31"
    assert item["source"]["slug"] == SOURCE and item["actor"]["slug"] == ACTOR
    assert item["history"][0]["note"] == f"Import {preview['id']} (new.csv), row 2"


def test_an_item_changed_after_the_preview_stops_the_whole_import(client, editor_headers) -> None:
    columns, rows = export_csv(client, editor_headers)
    edit_rows(rows)
    preview = upload(
        client, editor_headers, "items.csv", write_csv([*columns, "note"], rows)
    ).json()
    assert preview["refuse"] == []
    slug = "gov-prison-for-officials-who-fail-children"
    changed = client.post(f"/api/v1/items/{slug}/status", headers=editor_headers,
                          json={"status": "enacted", "note": "Passed into law."})  # fmt: skip
    assert changed.status_code == 200
    before = snapshot(client, editor_headers)
    confirmed = client.post(f"/api/v1/imports/{preview['id']}/confirm", headers=editor_headers)
    assert confirmed.status_code == 409
    assert "changed since the preview" in confirmed.json()["detail"]
    assert snapshot(client, editor_headers) == before
    assert client.get(f"/api/v1/imports/{preview['id']}",
                      headers=editor_headers).json()["state"] == "previewed"  # fmt: skip


def test_unknown_columns_are_named_and_withheld_placeholders_never_written(
    client, editor_headers
) -> None:
    columns, rows = export_csv(client, editor_headers)
    rows[0]["title"] = "Said by [name withheld] at the meeting"
    for row in rows:
        row["our ref"] = "X1"
    preview = upload(client, editor_headers, "items.csv",
                     write_csv([*columns, "our ref"], rows)).json()  # fmt: skip
    assert preview["ignored"]["unknown"] == ["our ref"]
    assert [(r["row"], r["column"]) for r in preview["refuse"]] == [(2, "title")]
    assert "withheld" in preview["refuse"][0]["reason"]


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("items.ods", b"id,slug\n", 422, ".csv and .xlsx"),
        ("items.xlsx", b"id,slug\n1,a\n", 422, "not an Excel workbook"),
        ("items.csv", b"PK\x03\x04" + b"\x00" * 64, 422, "not a CSV"),
        ("items.csv", b"id,slug\n" + b"1,a\n" * (1_800_000), 413, "over"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_naming_file(
    client, editor_headers, name, data, status, message
) -> None:
    response = upload(client, editor_headers, name, data)
    assert response.status_code == status, response.text
    problem = response.json()
    assert message in problem["detail"] or any(message in e["message"] for e in problem["errors"])
    if status == 422:
        assert problem["errors"][0]["field"] == "file"


def test_imports_are_for_editors(client) -> None:
    response = client.post("/api/v1/imports", files={"file": ("items.csv", b"id\n1\n")})
    assert response.status_code == 401
    assert client.get("/api/v1/imports/1").status_code == 401


def test_every_problem_of_a_row_is_named_at_once(client, editor_headers) -> None:
    columns, rows = export_csv(client, editor_headers)
    row = next(r for r in rows if r["slug"] == "pcc-62-additional-cse-staff")
    row.update(status="kept-ish", due_on="31/03/2027", quantity_value="sixty-two")
    preview = upload(client, editor_headers, "items.csv", write_csv(columns, rows)).json()
    number = rows.index(row) + 2
    assert sorted((r["row"], r["column"], r["reason"]) for r in preview["refuse"]) == [
        (number, "due_on", "write the date as 2027-03-31, not '31/03/2027'"),
        (number, "quantity_value", "write a number such as 1200000, not 'sixty-two'"),
        (number, "status", "'kept-ish' is not a status of a commitment"),
    ]
