"""Writes through the API: create, edit with If-Match, status change; auth and their errors.
Each write appends exactly one event, in the same transaction as the change."""

from __future__ import annotations

import pytest

from tests.support.seed import ACTOR, ITEM, QUOTE, SOURCE


def _new_item(**overrides) -> dict:
    body = {
        "kind": "commitment",
        "title": "Victims and survivors panel (restated)",
        "actor": ACTOR,
        "source": SOURCE,
        "quote": QUOTE,
    }
    body.update(overrides)
    return body


def _event_count(client) -> int:
    return client.get("/api/v1/changes", params={"limit": 1000}).json()["last_id"]


def test_create_returns_201_with_location_and_records_one_event(client, editor_headers) -> None:
    before = _event_count(client)
    response = client.post(
        "/api/v1/items",
        json=_new_item(quantity={"value": 3, "unit": "meetings"}, due_on="2027-03-31"),
        headers=editor_headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/items/{body['slug']}"
    assert body["slug"] == "victims-and-survivors-panel-restated"
    assert (body["status"], body["phase"], body["version"]) == ("pledged", "open", 1)
    source_text = client.get(f"/api/v1/sources/{SOURCE}").json()["text"]
    assert source_text[body["quote_start"] : body["quote_end"]] == QUOTE
    assert body["quantity"] == {"value": 3, "unit": "meetings"} and body["progress"] is None
    events = client.get("/api/v1/changes", params={"after": before}).json()["events"]
    assert [(e["type"], e["by"], e["to_status"]) for e in events] == [
        ("created", "editor", "pledged")
    ]
    # The same title again gets a distinct slug.
    again = client.post("/api/v1/items", json=_new_item(), headers=editor_headers).json()
    assert again["slug"] == "victims-and-survivors-panel-restated-2"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quote": "I have also formed a victims' panel"}, "quote"),
        ({"quote_start": 3}, "quote_start"),
        ({"kind": "pledge"}, "kind"),
        ({"status": "upheld"}, "status"),
        ({"actor": "nobody"}, "actor"),
        ({"responsible": "nobody"}, "responsible"),
        ({"source": "nowhere"}, "source"),
        ({"slug": ITEM}, "slug"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"title": ""}, "title"),
        ({"progress_value": 3}, "progress_value"),
        ({"quantity": {"value": -1, "unit": "staff"}}, "quantity.value"),
        ({"colour": "red"}, "colour"),
        ({"due_on": "next week"}, "due_on"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(client, editor_headers, overrides, field):
    before = _event_count(client)
    response = client.post("/api/v1/items", json=_new_item(**overrides), headers=editor_headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert _event_count(client) == before


def test_status_change_appends_one_event_with_its_note_and_evidence(client, editor_headers):
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={
            "status": "in_progress",
            "note": "40 of the 62 posts filled.",
            "evidence_url": "https://example.org/report",
            "evidence_quote": "40 officers have joined",
            "progress_value": 40,
            "expected_version": 1,
        },
        headers=editor_headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["status_label"], body["phase"], body["version"]) == (
        "in_progress",
        "In progress",
        "active",
        2,
    )
    assert body["progress"] == {"value": 40, "target": 62, "percent": 64.5}
    history = client.get(f"/api/v1/items/{ITEM}/history").json()["events"]
    assert [e["version"] for e in history] == [1, 2]
    last = history[-1]
    assert last["type"] == "status" and last["by"] == "editor"
    assert (last["from_status"], last["to_status"], last["to_status_label"]) == (
        "pledged",
        "in_progress",
        "In progress",
    )
    assert last["note"] == "40 of the 62 posts filled."
    assert last["evidence_url"] == "https://example.org/report"
    assert last["evidence_quote"] == "40 officers have joined"
    assert last["progress_value"] == 40


@pytest.mark.parametrize(
    ("change", "status_code", "field"),
    [
        ({"status": "upheld", "note": "x"}, 422, "status"),
        ({"status": "delivered", "note": "   "}, 422, "note"),
        ({"status": "delivered"}, 422, "note"),
        ({"note": "x"}, 422, "status"),
        (
            {"status": "delivered", "note": "x", "evidence_url": "javascript:alert(1)"},
            422,
            "evidence_url",
        ),
        ({"status": "delivered", "note": "x", "progress_value": -1}, 422, "progress_value"),
        ({"status": "delivered", "note": "x", "expected_version": "one"}, 422, "expected_version"),
        ({"status": "delivered", "note": "x", "expected_version": 7}, 409, None),
    ],
)
def test_status_change_errors(client, editor_headers, change, status_code, field) -> None:
    response = client.post(f"/api/v1/items/{ITEM}/status", json=change, headers=editor_headers)
    assert response.status_code == status_code, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    if field:
        assert field in [e["field"] for e in body["errors"]]
    else:
        assert body["current_version"] == 1
    item = client.get(f"/api/v1/items/{ITEM}").json()
    assert (item["version"], item["status"], len(item["history"])) == (1, "pledged", 1)


def test_progress_on_an_item_without_quantity_is_refused(client, editor_headers) -> None:
    response = client.post(
        "/api/v1/items/pcc-victims-and-survivors-panel/status",
        json={"status": "delivered", "note": "x", "progress_value": 1},
        headers=editor_headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "progress_value"


def test_patch_needs_if_match_and_refuses_a_stale_version(client, editor_headers) -> None:
    url = f"/api/v1/items/{ITEM}"
    missing = client.patch(url, json={"title": "New"}, headers=editor_headers)
    assert missing.status_code == 428
    assert missing.json()["title"] == "Precondition required"
    stale = client.patch(url, json={"title": "New"}, headers={**editor_headers, "If-Match": '"9"'})
    assert stale.status_code == 412 and stale.json()["current_version"] == 1
    bad = client.patch(url, json={"title": "New"}, headers={**editor_headers, "If-Match": "abc"})
    assert bad.status_code == 422
    assert client.get(url).json()["title"] == "62 additional staff for the CSE unit"


def test_patch_records_old_and_new_wording(client, editor_headers) -> None:
    url = f"/api/v1/items/{ITEM}"
    response = client.patch(
        url,
        json={
            "title": "62 more staff for the CSE unit",
            "responsible": None,
            "quote": "62 additional staff",
            "note": "Shorter quote.",
        },
        headers={**editor_headers, "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "62 more staff for the CSE unit" and body["responsible"] is None
    assert body["quote"] == "62 additional staff" and body["version"] == 2
    source_text = client.get(f"/api/v1/sources/{body['source']['slug']}").json()["text"]
    assert source_text[body["quote_start"] : body["quote_end"]] == "62 additional staff"
    event = client.get(f"{url}/history").json()["events"][-1]
    assert event["type"] == "edit" and event["note"] == "Shorter quote."
    assert event["changes"]["title"] == [
        "62 additional staff for the CSE unit",
        "62 more staff for the CSE unit",
    ]
    assert event["changes"]["responsible_id"] == ["south-yorkshire-police", None]
    assert event["changes"]["quote"][1] == "62 additional staff"
    # Editing to the same values changes nothing and appends no event.
    same = client.patch(
        url,
        json={"title": "62 more staff for the CSE unit"},
        headers={**editor_headers, "If-Match": '"2"'},
    )
    assert same.status_code == 200 and same.json()["version"] == 2
    assert len(client.get(f"{url}/history").json()["events"]) == 2


def test_patch_refuses_a_quote_not_in_the_source_and_status(client, editor_headers) -> None:
    url = f"/api/v1/items/{ITEM}"
    headers = {**editor_headers, "If-Match": '"1"'}
    response = client.patch(url, json={"quote": "63 additional staff"}, headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "quote"
    response = client.patch(url, json={"status": "delivered"}, headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "status"
    assert client.get(url).json()["version"] == 1


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/items", _new_item()),
        ("PATCH", f"/api/v1/items/{ITEM}", {"title": "x"}),
        ("POST", f"/api/v1/items/{ITEM}/status", {"status": "delivered", "note": "x"}),
    ],
)
def test_writes_need_an_editor(client, make_user, method, path, body) -> None:
    headers = {"If-Match": '"1"'}
    anonymous = client.request(method, path, json=body, headers=headers)
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert anonymous.headers["content-type"] == "application/problem+json"
    wrong = client.request(
        method, path, json=body, headers={**headers, "Authorization": "Bearer trk_nope"}
    )
    assert wrong.status_code == 401
    viewer = make_user("viewer", "viewer")
    forbidden = client.request(
        method, path, json=body, headers={**headers, "Authorization": f"Bearer {viewer}"}
    )
    assert forbidden.status_code == 403 and forbidden.json()["title"] == "Forbidden"
    admin = make_user("admin", "admin")
    allowed = client.request(
        method, path, json=body, headers={**headers, "Authorization": f"Bearer {admin}"}
    )
    assert allowed.status_code in (200, 201), allowed.text


def test_unknown_item_writes_are_404(client, editor_headers) -> None:
    response = client.post(
        "/api/v1/items/nope/status",
        json={"status": "delivered", "note": "x"},
        headers=editor_headers,
    )
    assert response.status_code == 404 and response.json()["detail"] == "No item nope."


def test_bodies_over_one_mebibyte_are_413(client, editor_headers) -> None:
    body = b'{"status": "delivered", "note": "' + b"x" * (1024 * 1024) + b'"}'
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        content=body,
        headers={**editor_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"/api/v1/items/{ITEM}").json()["version"] == 1


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"status": "delivered", "note": "\xff\xfe"}', b"[]", b'"text"', b""],
)
def test_malformed_bodies_are_4xx_problems(client, editor_headers, content) -> None:
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        content=content,
        headers={**editor_headers, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get(f"/api/v1/items/{ITEM}").json()["version"] == 1
