"""Importing a spreadsheet, in Chromium: an editor downloads the export from the import page,
edits it, uploads it, reads the preview (field, old, new), applies it and finds the import named
in each item's history. A file with mistakes lists them by row and column, offers nothing to
apply and changes nothing. Without JavaScript the same flow is plain forms and redirects. The
pages pass axe and read well on a desktop and on a phone (screenshots in /tmp/shots)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]
import pytest
from playwright.sync_api import expect

from service.items import vocabulary
from tests.browser.axe import assert_accessible
from tests.browser.conftest import Server, Tab, _open, start_server
from tests.support.seed import ACTOR, QUOTE, SOURCE

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_URL = re.compile(r"/import/(\d+)$")

# Three statuses and a title, on four items of the seeds.
STATUS_CHANGES = {
    "pcc-62-additional-cse-staff": ("in_progress", "In progress"),
    "gov-prison-for-officials-who-fail-children": ("withdrawn", "Withdrawn"),
    "ipcc-allegation-naked-images-group-offending": ("upheld", "Upheld"),
}
NEW_TITLE = ("pcc-victims-and-survivors-panel", "A panel of victims and survivors advises the PCC")


@pytest.fixture(scope="module")
def own_server(chromium: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own: these imports change seed items that other browser tests read."""
    with start_server(tmp_path_factory.mktemp("imports")) as started:
        yield started


@pytest.fixture
def editor(browser: Any, own_server: Server) -> Iterator[Tab]:
    for tab in _open(browser, own_server, **DESKTOP):
        tab.sign_in()
        yield tab


@pytest.fixture
def editor_without_js(browser: Any, own_server: Server) -> Iterator[Tab]:
    for tab in _open(browser, own_server, **DESKTOP, java_script_enabled=False):
        tab.sign_in()
        yield tab


def snapshot(server: Server) -> dict[str, tuple[int, str, str]]:
    """Every item's version, status and title, as the API lists them."""
    with server.api() as api:
        response = api.get("/api/v1/items", params={"limit": 200})
        response.raise_for_status()
        listed = response.json()["items"]
    return {i["slug"]: (i["version"], i["status"], i["title"]) for i in listed}


def edit_workbook(data: bytes, edits: dict[str, dict[str, str]]) -> tuple[bytes, dict[str, int]]:
    """The exported workbook with these cells changed (by slug, then column; a column the sheet
    lacks, such as `note`, is added), and the sheet row of each item edited."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Items"]
    header = [cell.value for cell in sheet[1]]
    for column in {c for cells in edits.values() for c in cells} - set(header):
        header.append(column)
        sheet.cell(row=1, column=len(header), value=column)
    slug_at = header.index("slug") + 1
    rows: dict[str, int] = {}
    for number in range(2, sheet.max_row + 1):
        slug = sheet.cell(row=number, column=slug_at).value
        if slug in edits:
            rows[slug] = number
            for column, value in edits[slug].items():
                sheet.cell(row=number, column=header.index(column) + 1, value=value)
    assert set(rows) == set(edits), "every edited item is in the export"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows


def edit_csv(data: bytes, edits: dict[str, dict[str, str]]) -> tuple[bytes, dict[str, int]]:
    """The exported CSV with these cells changed, and the file row of each item edited (the
    header is row 1)."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    columns = list(reader.fieldnames or [])
    columns += sorted({c for cells in edits.values() for c in cells} - set(columns))
    records = list(reader)
    rows: dict[str, int] = {}
    for index, record in enumerate(records):
        if record["slug"] in edits:
            rows[record["slug"]] = index + 2
            record.update(edits[record["slug"]])
    assert set(rows) == set(edits), "every edited item is in the export"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return ("\ufeff" + out.getvalue()).encode("utf-8"), rows


def table_rows(page: Any, table: str) -> list[dict[str, str]]:
    """Each body row of the table, as {its cells' data-label: their text}."""
    return [
        dict(pair)
        for pair in page.locator(f"table.{table} tbody tr").evaluate_all(
            """rows => rows.map(row => [...row.querySelectorAll("td")].map(
                td => [td.dataset.label, td.innerText.trim()]))"""
        )
    ]


def card_gaps(page: Any, table: str) -> list[int]:
    """The space between each body row of the table and the next, in pixels."""
    boxes = [row.bounding_box() for row in page.locator(f"table.{table} tbody tr").all()]
    return [round(b["y"] - (a["y"] + a["height"])) for a, b in pairwise(boxes)]


def row_label(page: Any, table: str) -> str:
    """What the first Row cell of the table writes before its number."""
    return str(
        page.locator(f"table.{table} td[data-label=Row]").first.evaluate(
            "td => getComputedStyle(td, '::before').content"
        )
    )


def upload(page: Any, name: str, data: bytes, mime: str = XLSX) -> int:
    """Upload the file through the form; the import's number, from the preview's address."""
    page.get_by_label("Spreadsheet").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Preview the import").click()
    found = PREVIEW_URL.search(page.url)
    assert found, page.url
    return int(found.group(1))


def test_an_editor_imports_an_edited_export(editor: Tab, own_server: Server) -> None:
    page = editor.page
    editor.goto("/")
    page.locator("nav.site-nav").get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import items from a spreadsheet")
    before = snapshot(own_server)

    with page.expect_download() as download:
        page.get_by_role("link", name="items.xlsx").click()
    assert download.value.suggested_filename == "items.xlsx"
    exported = Path(download.value.path()).read_bytes()
    edits = {
        slug: {"status": status, "note": f"Checked on the record for {slug}."}
        for slug, (status, _) in STATUS_CHANGES.items()
    }
    edits[NEW_TITLE[0]] = {"title": NEW_TITLE[1]}
    data, rows = edit_workbook(exported, edits)

    import_id = upload(page, "items.xlsx", data)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Import {import_id}: items.xlsx")
    expect(page.locator(".import-summary")).to_have_text(
        f"{len(before)} rows read: 4 items to change, 0 to create, 0 problems, "
        f"{len(before) - 4} unchanged."
    )
    expected = sorted(
        [
            {"Row": str(rows[slug]), "Item": before[slug][2], "Field": "status",
             "Now": vocabulary.label_anywhere(before[slug][1]), "After": label}
            for slug, (_, label) in STATUS_CHANGES.items()
        ]
        + [
            {"Row": str(rows[NEW_TITLE[0]]), "Item": before[NEW_TITLE[0]][2], "Field": "title",
             "Now": before[NEW_TITLE[0]][2], "After": NEW_TITLE[1]}
        ],
        key=lambda row: int(row["Row"]),
    )  # fmt: skip
    assert table_rows(page, "import-changes") == expected
    expect(page.locator("table.import-refused")).to_have_count(0)
    expect(page.locator("table.import-creates")).to_have_count(0)
    assert snapshot(own_server) == before, "a preview writes nothing"
    assert_accessible(page)

    with page.expect_navigation():
        page.get_by_role("button", name="Apply: change 4, create 0").click()
    assert page.url.endswith(f"/import/{import_id}")
    expect(page.locator(".notice--done").first).to_have_text(
        "Imported: 4 items changed, 0 created."
    )
    expect(page.get_by_role("heading", name="Changed")).to_be_visible()
    expect(page.locator(".notice--done").last).to_have_text(
        re.compile(r"^Applied \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC\. Each item's history names")
    )
    expect(page.get_by_role("button", name=re.compile("^Apply"))).to_have_count(0)

    after = snapshot(own_server)
    for slug, (version, status, title) in before.items():
        if slug in STATUS_CHANGES:
            assert after[slug] == (version + 1, STATUS_CHANGES[slug][0], title)
        elif slug == NEW_TITLE[0]:
            assert after[slug] == (version + 1, status, NEW_TITLE[1])
        else:
            assert after[slug] == before[slug]

    slug = "pcc-62-additional-cse-staff"
    with page.expect_navigation():
        page.locator("table.import-changes").get_by_role("link", name=before[slug][2]).click()
    assert page.url.endswith(f"/items/{slug}")
    expect(page.locator(".item__status .badge").first).to_have_text(STATUS_CHANGES[slug][1])
    newest = page.locator(".events li").first
    expect(newest.locator(".event__what")).to_contain_text("Pledged → to In progress")
    expect(newest.locator(".event__note")).to_have_text(
        f"Checked on the record for {slug}. (Import {import_id} (items.xlsx), row {rows[slug]})"
    )
    editor.assert_clean()


def test_a_file_with_mistakes_lists_them_and_changes_nothing(
    editor: Tab, own_server: Server
) -> None:
    page = editor.page
    editor.goto("/import")
    exported = page.request.get(own_server.base_url + "/api/v1/items.csv")
    assert exported.ok
    before = snapshot(own_server)
    bad_status, stale, good = (
        "pcc-62-additional-cse-staff",
        "ipcc-allegation-naked-images-group-offending",
        "syp-further-cse-training",
    )
    data, rows = edit_csv(exported.body(), {
        bad_status: {"status": "kept-ish", "note": "Looks kept."},
        stale: {"version": "0", "title": "An older title"},
        good: {"status": "delivered", "note": "Training programme completed."},
    })  # fmt: skip

    import_id = upload(page, "items.csv", data, "text/csv")
    expect(page.get_by_role("heading", name="Problems to correct")).to_be_visible()
    refused = table_rows(page, "import-refused")
    # In the file's order: where each item stands in the export depends on what the tests
    # before this one changed.
    expected = sorted(
        [(rows[bad_status], "status"), (rows[stale], "version")], key=lambda pair: pair[0]
    )
    assert [(r["Row"], r["Column"]) for r in refused] == [(str(n), c) for n, c in expected]
    problems = {r["Column"]: r["Problem"] for r in refused}
    assert "'kept-ish' is not a status of a commitment" in problems["status"]
    assert "changed since this file was made" in problems["version"]
    expect(page.get_by_text("Nothing has been written.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Apply"))).to_have_count(0)
    expect(page.locator("form.import-confirm")).to_have_count(0)
    expect(page.get_by_role("link", name="Upload a corrected file")).to_have_attribute(
        "href", "/import"
    )
    assert_accessible(page)
    assert snapshot(own_server) == before

    # Confirming it anyway, through the API, is refused and still writes nothing.
    with own_server.api() as api:
        response = api.post(f"/api/v1/imports/{import_id}/confirm")
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "2 refused rows" in response.json()["detail"]
    assert snapshot(own_server) == before
    editor.assert_clean()


def test_an_import_without_javascript(editor_without_js: Tab, own_server: Server) -> None:
    tab = editor_without_js
    page = tab.page
    tab.goto("/import")
    exported = page.request.get(own_server.base_url + "/api/v1/items.xlsx")
    assert exported.ok
    slug = "syp-committed-to-justice-and-prevention"
    before = own_server.item(slug)
    data, rows = edit_workbook(
        exported.body(), {slug: {"status": "delivered", "note": "Strategy published."}}
    )

    import_id = upload(page, "items.xlsx", data)
    assert table_rows(page, "import-changes") == [
        {"Row": str(rows[slug]), "Item": before["title"], "Field": "status",
         "Now": vocabulary.label_anywhere(before["status"]), "After": "Delivered"}
    ]  # fmt: skip
    assert own_server.item(slug)["version"] == before["version"]

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Apply: change 1, create 0").click()
    # Post, 303, get: the address is the import's page again.
    assert navigation.value.request.redirected_from.method == "POST"
    assert page.url.endswith(f"/import/{import_id}")
    expect(page.locator(".notice--done").first).to_have_text("Imported: 1 item changed, 0 created.")
    item = own_server.item(slug)
    assert (item["status"], item["version"]) == ("delivered", before["version"] + 1)
    assert item["history"][-1]["note"] == (
        f"Strategy published. (Import {import_id} (items.xlsx), row {rows[slug]})"
    )
    tab.assert_clean()


def test_the_import_pages_read_well_on_a_desktop_and_a_phone(
    browser: Any, own_server: Server
) -> None:
    """Screenshots of the upload page and of a preview with changes, a new item and refused rows
    (saved, not applied); on a phone nothing is wider than the screen."""
    with own_server.api() as api:
        exported = api.get("/api/v1/items.csv")
        exported.raise_for_status()
        data, rows = edit_csv(exported.content, {
            "pcc-victims-and-survivors-panel": {
                "title": "The PCC's panel of victims and survivors meets every quarter",
                "description": "Set up in 2014; its members advise the PCC on services.",
            },
            "gov-targeted-support-for-survivors": {
                "status": "in_progress", "note": "Funding letters sent."
            },
        })  # fmt: skip
        text = data.decode("utf-8-sig")
        header = text.split("\r\n", 1)[0].split(",")
        new = dict.fromkeys(header, "")
        new.update(kind="commitment", title="A victims and survivors panel", actor_slug=ACTOR,
                   source_slug=SOURCE, quote=QUOTE)  # fmt: skip
        out = io.StringIO()
        csv.DictWriter(out, fieldnames=header, lineterminator="\r\n").writerow(new)
        response = api.post(
            "/api/v1/imports",
            files={"file": ("newsroom items.csv", data + out.getvalue().encode())},
        )
        response.raise_for_status()
        good = response.json()
        bad, _ = edit_csv(exported.content, {
            "pcc-62-additional-cse-staff": {"status": "kept-ish", "due_on": "31/03/2027"},
            "gov-prison-for-officials-who-fail-children": {"actor_slug": "no-such-actor"},
            "ipcc-allegation-naked-images-group-offending": {"version": "0", "status": "upheld"},
        })  # fmt: skip
        response = api.post("/api/v1/imports", files={"file": ("items.csv", bad)})
        response.raise_for_status()
        refused = response.json()
    assert (len(good["change"]), len(good["create"]), len(good["refuse"])) == (2, 1, 0)
    assert len(refused["refuse"]) == 4  # the first row has two problems, both named

    # The rows as the preview lists them, in the file's order; an item's fields in the order of
    # the columns, its second field in the same card on a phone.
    panel_first = (
        rows["pcc-victims-and-survivors-panel"] < rows["gov-targeted-support-for-survivors"]
    )
    fields = (
        ["title", "description", "status"] if panel_first else ["status", "title", "description"]
    )
    gaps = [0, 12] if panel_first else [12, 0]

    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "upload": "/import",
        "preview": f"/import/{good['id']}",
        "refused": f"/import/{refused['id']}",
    }
    for size, options in (("desktop", DESKTOP), ("phone", PHONE)):
        for tab in _open(browser, own_server, **options):
            tab.sign_in()
            for name, path in pages.items():
                tab.goto(path)
                expect(tab.page.locator("h1")).to_be_visible()
                tab.page.screenshot(path=str(SHOTS / f"import-{name}-{size}.png"), full_page=True)
                width = tab.page.evaluate("document.documentElement.scrollWidth")
                assert width <= options["viewport"]["width"], f"{path} is {width}px wide"
                if name == "preview":
                    changes = table_rows(tab.page, "import-changes")
                    assert [c["Field"] for c in changes] == fields
                    assert table_rows(tab.page, "import-creates")[0]["Title"].startswith(
                        "A victims and survivors panel"
                    )
                    if size == "phone":
                        assert card_gaps(tab.page, "import-changes") == gaps, (
                            "an item's second field stays in its card, other items are apart"
                        )
                        assert row_label(tab.page, "import-changes") == '"Row "'
            assert_accessible(tab.page)
            tab.assert_clean()
    assert snapshot(own_server)["gov-targeted-support-for-survivors"][1] == "pledged"
