"""A published item is corrected in public: its quote, kind, actor, title or quantity changed with
a required note, shown dated on its page and listed at /corrections (page, JSON, Atom), its
history keeping the old values."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from tests.support.accounts import sign_in
from tests.support.pages import html
from tests.support.seed import ITEM

NOTE = "Correction: the pledge was made by the force, not the commissioner."


def _version(client, slug: str) -> str:
    return f'"{client.get(f"/api/v1/items/{slug}").json()["version"]}"'


def test_a_correction_needs_a_note_and_is_shown_with_its_date(client, editor_headers) -> None:
    path = f"/api/v1/items/{ITEM}/corrections"
    headers = {**editor_headers, "If-Match": _version(client, ITEM)}
    without = client.post(path, json={"actor": "south-yorkshire-police"}, headers=headers)
    assert without.status_code == 422
    assert without.json()["errors"][0]["field"] == "note"
    response = client.post(
        path,
        json={"note": NOTE, "actor": "south-yorkshire-police", "kind": "proposal"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    corrected = response.json()
    assert corrected["actor"]["slug"] == "south-yorkshire-police"
    assert (corrected["kind"], corrected["status"]) == ("proposal", "proposed")
    public = TestClient(client.app)
    history = public.get(f"/api/v1/items/{ITEM}").json()["history"]
    last = history[-1]
    assert last["type"] == "correction" and last["note"] == NOTE
    assert last["changes"]["actor_id"] == ["alan-billings", "south-yorkshire-police"]
    assert last["changes"]["kind"] == ["commitment", "proposal"]
    notice = html(public.get(f"/items/{ITEM}")).select_one(".notice--correction")
    assert NOTE in notice.get_text() and "Corrected on" in notice.get_text()
    # Listed in public: the page, its JSON twin and the Atom feed.
    listed = public.get("/api/v1/corrections").json()["corrections"]
    assert [(c["item"]["slug"], c["note"], c["by"]) for c in listed] == [(ITEM, NOTE, "editor")]
    page = html(public.get("/corrections"))
    assert NOTE in page.select_one(".corrections").get_text()
    feed = ET.fromstring(public.get("/corrections.atom").content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert NOTE in feed.find("a:entry/a:summary", ns).text
    # The summary counts it as a proposal now.
    kinds = public.get("/api/v1/summary").json()["kinds"]
    assert kinds["proposal"]["by_status"]["proposed"] >= 1


def test_a_draft_is_edited_not_corrected(client, editor_headers) -> None:
    body = {"kind": "commitment", "title": "Draft pledge", "actor": "alan-billings",
            "source": "rotherham-cse-live-updates-pcc", "publication": "draft",
            "quote": "I have also formed a victims and survivors panel"}  # fmt: skip
    draft = client.post("/api/v1/items", json=body, headers=editor_headers).json()
    refused = client.post(f"/api/v1/items/{draft['slug']}/corrections", json={"note": NOTE},
                          headers={**editor_headers, "If-Match": '"1"'})  # fmt: skip
    assert refused.status_code == 409


def test_an_editor_corrects_an_item_from_its_page(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    form = html(client.get(f"/items/{ITEM}/correct")).select_one("form.stacked")
    values = {f["name"]: f.get("value", "") for f in form.select("input") if f.get("name")}
    for select in form.select("select"):
        chosen = select.select_one("option[selected]")
        values[select["name"]] = chosen["value"] if chosen else ""
    for area in form.select("textarea"):
        values[area["name"]] = area.get_text()
    values["note"] = ""
    missing = client.post(f"/items/{ITEM}/correct", data={**values, "csrf_token": csrf})
    assert missing.status_code == 422
    assert html(missing).select_one("#f-note-error").get_text().startswith("Write the public note")
    values.update(note=NOTE, title="62 more staff for the CSE unit, says the force")
    done = client.post(f"/items/{ITEM}/correct", data={**values, "csrf_token": csrf},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303, done.text[:400]
    page = html(client.get(f"/items/{ITEM}"))
    assert page.select_one("h1").get_text().endswith("says the force")
    assert NOTE in page.select_one(".notice--correction").get_text()
