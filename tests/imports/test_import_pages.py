"""The import pages without a browser: upload, the preview's tables, confirm, and mistakes shown
beside the file field."""

from __future__ import annotations

from tests.imports.test_import_round_trip import export_csv, write_csv
from tests.support.accounts import sign_in
from tests.support.pages import html

ITEM = "pcc-62-additional-cse-staff"


def test_an_editor_uploads_reads_the_preview_and_confirms(
    client, make_user, editor_headers
) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    columns, rows = export_csv(client, editor_headers)
    for row in rows:
        if row["slug"] == ITEM:
            row["status"] = "Delivered"  # a label is read as its status
            row["note"] = "All 62 in post."
    data = write_csv([*columns, "note"], rows)

    page = html(client.get("/import"))
    assert page.select_one("input[type=file][name=file]") is not None
    response = client.post(
        "/import", data={"csrf_token": csrf}, files={"file": ("items.csv", data)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text
    preview_url = response.headers["location"]
    page = html(client.get(preview_url))
    cells = [td.get_text(" ", strip=True) for td in page.select("table.import-changes td")]
    assert cells[2:] == ["status", "Pledged", "Delivered"]
    assert page.select_one("table.import-refused") is None
    button = page.select_one("form.import-confirm button")
    assert button is not None and button.get_text(strip=True) == "Apply: change 1, create 0"
    # Nothing yet.
    assert client.get(f"/api/v1/items/{ITEM}").json()["status"] == "pledged"

    action = page.select_one("form.import-confirm")["action"]
    response = client.post(action, data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    page = html(client.get(response.headers["location"]))
    assert "Imported: 1 item changed, 0 created." in page.get_text()
    assert page.select_one("form.import-confirm") is None
    item = client.get(f"/api/v1/items/{ITEM}").json()
    assert item["status"] == "delivered"
    assert item["history"][-1]["note"].startswith("All 62 in post. (Import ")


def test_refused_rows_are_listed_and_offer_no_confirm(client, make_user, editor_headers) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    columns, rows = export_csv(client, editor_headers)
    rows[0]["due_on"] = "31/03/2027"
    response = client.post("/import", data={"csrf_token": csrf},
                           files={"file": ("items.csv", write_csv(columns, rows))})  # fmt: skip
    page = html(response)
    refused = [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in page.select("table.import-refused tbody tr")
    ]
    assert refused == [["2", "due_on", "write the date as 2027-03-31, not '31/03/2027'"]]
    assert page.select_one("form.import-confirm") is None
    assert "Nothing has been written" in page.get_text()


def test_a_file_that_cannot_be_read_is_named_beside_the_field(client, make_user) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    response = client.post("/import", data={"csrf_token": csrf},
                           files={"file": ("items.pdf", b"%PDF-1.7")})  # fmt: skip
    assert response.status_code == 422
    page = html(response)
    error = page.select_one("#f-file-error")
    assert error is not None and ".csv and .xlsx" in error.get_text()
    assert page.select_one("#f-file")["aria-invalid"] == "true"


def test_the_public_cannot_reach_the_import_pages(client) -> None:
    response = client.get("/import", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert "Import" not in [a.get_text() for a in html(client.get("/")).select("nav.site-nav a")]
