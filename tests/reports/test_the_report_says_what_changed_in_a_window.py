"""The report page `/report?from=DATE&to=DATE` and its twins `/report.json` and `/report.md`:
what changed in the window (status changes by kind and outcome, new items, replies,
corrections and retractions), the counts at its start and end, overdue items and targets;
bad windows are refused beside the fields (page) or as problem+json (twins); drafts and
withheld names stay out."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from tests.reports.test_summary_as_of_a_day_follows_the_history import move_history_back
from tests.support.pages import html
from tests.support.seed import ITEM, QUOTE, SOURCE

NOTE = "All 62 posts filled, says the PCC's annual report."
NAME = "Margaret Crofts"
WITHHELD_ITEM = "syp-60-extra-officers-edl-protest"


def _public(client: TestClient) -> TestClient:
    return TestClient(client.app)


def _deliver(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(f"/api/v1/items/{ITEM}/status", headers=headers,
                           json={"status": "delivered", "note": NOTE})  # fmt: skip
    assert response.status_code == 200, response.text


def test_the_default_window_is_the_last_seven_days(client, today) -> None:
    week_start = today - dt.timedelta(days=6)
    report = _public(client).get("/report.json").json()
    assert report["window"] == {"start": week_start.isoformat(), "end": today.isoformat()}
    assert report["start_as_of"] == (week_start - dt.timedelta(days=1)).isoformat()
    assert report["end_as_of"] == today.isoformat()


def test_a_status_change_is_listed_by_kind_and_outcome_and_counted(
    client, today, editor_headers
) -> None:
    week_start = today - dt.timedelta(days=6)
    move_history_back()
    before = client.get("/api/v1/summary").json()
    _deliver(client, editor_headers)
    public = _public(client)
    report = public.get("/report.json").json()
    assert [(g["kind"], g["outcome"]) for g in report["status_changes"]] == [
        ("commitment", "positive")
    ]
    [change] = report["status_changes"][0]["changes"]
    assert change["item"]["slug"] == ITEM and change["item"]["url"] == f"/items/{ITEM}"
    assert (change["to_status_label"], change["note"]) == ("Delivered", NOTE)
    assert report["new_items"] == [] and report["replies"] == [] and report["corrections"] == []
    delivered = next(r for r in report["counts"] if r["status"] == "delivered")
    assert (delivered["start"], delivered["end"]) == (
        before["kinds"]["commitment"]["by_status"]["delivered"],
        before["kinds"]["commitment"]["by_status"]["delivered"] + 1,
    )
    assert report["totals"] == {"kind": "all", "label": "All items", "status": None,
                                "start": before["total"], "end": before["total"]}  # fmt: skip
    # Its target: 62 staff, with the progress recorded.
    target = next(t for t in report["targets"] if t["item"]["slug"] == ITEM)
    assert target["target"] == 62 and target["unit"] == "staff"
    # The page shows the same, with charts drawn as SVG.
    page = html(public.get("/report"))
    assert page.select_one("h1").get_text(strip=True).startswith("Report:")
    status = page.select_one("#report-status").parent
    assert "Delivered" in status.get_text() and NOTE in status.get_text()
    assert status.select_one(f'a[href$="/items/{ITEM}"]') is not None
    assert len(page.select("svg.report__chart rect")) >= 2
    assert page.select_one('.site-nav a[aria-current="page"]').get_text() == "Report"
    # The Markdown twin.
    md = public.get("/report.md")
    assert md.status_code == 200 and md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.text.startswith(f"# Report: {week_start.isoformat()} to {today.isoformat()}\n")
    assert "### Commitments: positive (1)" in md.text
    assert "→ Delivered" in md.text


def test_new_items_corrections_and_retractions_are_listed_and_drafts_never(
    client, editor_headers
) -> None:
    move_history_back()
    body = {"kind": "commitment", "actor": "alan-billings", "source": SOURCE, "quote": QUOTE}
    new = client.post("/api/v1/items", headers=editor_headers,
                      json={**body, "title": "A new public pledge"}).json()  # fmt: skip
    draft = client.post("/api/v1/items", headers=editor_headers,
                        json={**body, "title": "A secret draft pledge",
                              "publication": "draft"}).json()  # fmt: skip
    retracted = client.post(f"/api/v1/items/{ITEM}/retract", headers=editor_headers,
                            json={"reason": "Tracked in error."})  # fmt: skip
    assert retracted.status_code == 200, retracted.text
    public = _public(client)
    report = public.get("/report.json").json()
    assert [c["item"]["slug"] for c in report["new_items"]] == [new["slug"]]
    assert [(c["item"]["slug"], c["type"], c["note"]) for c in report["corrections"]] == [
        (ITEM, "retracted", "Tracked in error.")
    ]
    assert ITEM not in [t["item"]["slug"] for t in report["targets"]]
    for path in ("/report", "/report.json", "/report.md"):
        text = public.get(path).text
        assert draft["slug"] not in text and "secret draft" not in text


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ({"from": "yesterday"}, "from", "must be a date"),
        ({"to": "2026-13-01"}, "to", "must be a date"),
        # a number: that many days from today
        ({"from": 0, "to": -6}, "from", "not be after"),
        ({"from": "2020-01-01", "to": "2021-06-01"}, "to", "at most 366 days"),
        ({"to": 1}, "to", "after today"),
    ],
)
def test_a_bad_window_is_refused_beside_its_field(client, today, query, field, words) -> None:
    query = {
        name: (today + dt.timedelta(days=value)).isoformat() if isinstance(value, int) else value
        for name, value in query.items()
    }
    public = _public(client)
    page = public.get("/report", params=query)
    assert page.status_code == 422
    message = html(page).select_one(f"#f-{field}-error")
    assert message is not None and words in message.get_text()
    assert html(page).select_one(f"#f-{field}")["aria-invalid"] == "true"
    for twin in ("/report.json", "/report.md"):
        problem = public.get(twin, params=query)
        assert problem.status_code == 422
        assert problem.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in problem.json()["errors"]]


def test_a_twin_refuses_a_parameter_it_does_not_take(client) -> None:
    refused = _public(client).get("/report.json", params={"since": "7d"})
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["since"]
    assert _public(client).get("/report.md", params={"_": "1"}).status_code == 200


def test_a_withheld_name_does_not_reach_the_report(client, editor_headers) -> None:
    move_history_back()
    version = client.get(f"/api/v1/items/{WITHHELD_ITEM}").json()["version"]
    edited = client.patch(f"/api/v1/items/{WITHHELD_ITEM}",
                          headers={**editor_headers, "If-Match": f'"{version}"'},
                          json={"title": f"Officers sent, says {NAME}"})  # fmt: skip
    assert edited.status_code == 200, edited.text
    client.post(f"/api/v1/items/{WITHHELD_ITEM}/status", headers=editor_headers,
                json={"status": "in_progress", "note": f"{NAME} confirmed it."})  # fmt: skip
    withheld = client.post(f"/api/v1/items/{WITHHELD_ITEM}/withheld-names",
                           json={"name": NAME}, headers=editor_headers)  # fmt: skip
    assert withheld.status_code == 201, withheld.text
    public = _public(client)
    report = public.get("/report.json").json()
    changes = [c for g in report["status_changes"] for c in g["changes"]]
    assert [c["item"]["slug"] for c in changes] == [WITHHELD_ITEM]
    for path in ("/report", "/report.json", "/report.md"):
        text = public.get(path).text
        assert "Margaret" not in text and "Crofts" not in text, path
