"""`GET /api/v1/summary?as_of=DATE`: the counts as they stood at the end of that day (UTC), read
from the history: status changes, publications, retractions and kind corrections each count
from the day they were recorded; drafts never."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.seed import ITEM, QUOTE, SOURCE

LONG_AGO = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)


def move_history_back(days_ago: dt.datetime = LONG_AGO) -> None:
    """Every event recorded so far, as if recorded `days_ago` (the seeds are recorded today)."""
    from service.db import write_session
    from service.events.models import Event

    with write_session() as session:
        session.execute(sa.update(Event).values(at=days_ago))


def summary(client: TestClient, as_of: dt.date | None = None) -> dict:
    query = {"as_of": as_of.isoformat()} if as_of else {}
    response = client.get("/api/v1/summary", params=query)
    assert response.status_code == 200, response.text
    return response.json()


def _version(client: TestClient, slug: str) -> str:
    return f'"{client.get(f"/api/v1/items/{slug}").json()["version"]}"'


def test_as_of_today_is_the_summary_now(client, today) -> None:
    assert summary(client, today) == summary(client)
    move_history_back()
    assert summary(client, today) == summary(client)


def test_before_a_status_change_the_old_status_counts(client, today, editor_headers) -> None:
    yesterday = today - dt.timedelta(days=1)
    move_history_back()
    before = summary(client)
    pledged = before["kinds"]["commitment"]["by_status"]
    changed = client.post(f"/api/v1/items/{ITEM}/status", headers=editor_headers,
                          json={"status": "delivered", "note": "All 62 posts filled."})  # fmt: skip
    assert changed.status_code == 200, changed.text
    old_status = client.get(f"/api/v1/items/{ITEM}").json()["history"][-1]["from_status"]
    now = summary(client)
    then = summary(client, yesterday)
    assert then["kinds"] == before["kinds"] and then["total"] == before["total"]
    assert then["kinds"]["commitment"]["by_status"] == pledged
    assert now["kinds"]["commitment"]["by_status"]["delivered"] == pledged["delivered"] + 1
    assert now["kinds"]["commitment"]["by_status"][old_status] == pledged[old_status] - 1
    assert then["commitments_delivered_share"] == before["commitments_delivered_share"]
    assert then["last_change_at"] == before["last_change_at"]
    assert now["last_change_at"] != then["last_change_at"]
    assert summary(client, today) == now


def test_a_retraction_counts_from_its_day(client, today, editor_headers) -> None:
    yesterday = today - dt.timedelta(days=1)
    move_history_back()
    before = summary(client)
    retracted = client.post(f"/api/v1/items/{ITEM}/retract", headers=editor_headers,
                            json={"reason": "Tracked in error."})  # fmt: skip
    assert retracted.status_code == 200, retracted.text
    assert summary(client, yesterday)["kinds"] == before["kinds"]
    now = summary(client, today)
    assert now == summary(client)
    assert now["total"] == before["total"] - 1
    assert now["kinds"]["commitment"]["total"] == before["kinds"]["commitment"]["total"] - 1


def test_a_draft_never_counts_and_a_publication_counts_from_its_day(
    client, today, editor_headers
) -> None:
    yesterday = today - dt.timedelta(days=1)
    body = {"kind": "commitment", "title": "Draft pledge", "actor": "alan-billings",
            "source": SOURCE, "publication": "draft", "quote": QUOTE}  # fmt: skip
    kept = client.post("/api/v1/items", json=body, headers=editor_headers).json()
    published = client.post("/api/v1/items", json={**body, "title": "Published later"},
                            headers=editor_headers).json()  # fmt: skip
    move_history_back()
    before = summary(client)
    answer = client.post(f"/api/v1/items/{published['slug']}/publish", headers=editor_headers)
    assert answer.status_code == 200, answer.text
    assert summary(client, yesterday) == before
    now = summary(client, today)
    assert now == summary(client)
    assert now["total"] == before["total"] + 1
    # The draft that stays a draft is in neither, at any day.
    assert client.get(f"/api/v1/items/{kept['slug']}").status_code == 404
    for day in (yesterday, today):
        counted = summary(client, day)["kinds"]["commitment"]["total"]
        assert counted == before["kinds"]["commitment"]["total"] + (day == today)


def test_a_kind_correction_counts_under_the_old_kind_before_its_day(
    client, today, editor_headers
) -> None:
    yesterday = today - dt.timedelta(days=1)
    move_history_back()
    before = summary(client)
    corrected = client.post(
        f"/api/v1/items/{ITEM}/corrections",
        json={"note": "It was a proposal, not a pledge.", "kind": "proposal"},
        headers={**editor_headers, "If-Match": _version(client, ITEM)},
    )
    assert corrected.status_code == 200, corrected.text
    assert summary(client, yesterday)["kinds"] == before["kinds"]
    now = summary(client, today)
    assert now == summary(client)
    assert now["kinds"]["proposal"]["by_status"]["proposed"] == (
        before["kinds"]["proposal"]["by_status"]["proposed"] + 1
    )
    assert now["kinds"]["commitment"]["total"] == before["kinds"]["commitment"]["total"] - 1


def test_before_any_item_everything_is_zero(client) -> None:
    move_history_back()
    empty = summary(client, (LONG_AGO - dt.timedelta(days=1)).date())
    assert empty["total"] == 0 and empty["overdue"] == 0
    assert empty["last_change_at"] is None and empty["commitments_delivered_share"] is None
    assert all(kind["total"] == 0 for kind in empty["kinds"].values())
    assert set(empty["kinds"]) == set(summary(client)["kinds"])


def test_a_future_day_or_a_bad_date_is_a_problem(client, today) -> None:
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    future = client.get("/api/v1/summary", params={"as_of": tomorrow})
    assert future.status_code == 422
    assert future.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in future.json()["errors"]] == ["as_of"]
    assert "after today" in future.json()["errors"][0]["message"]
    for bad_day in ("last week", "0", "2026-12-03T10:00:00"):
        bad = client.get("/api/v1/summary", params={"as_of": bad_day})
        assert bad.status_code == 422, bad_day
        assert bad.headers["content-type"].startswith("application/problem+json")


def test_each_day_is_its_own_answer_and_the_past_does_not_move(
    client, today, editor_headers
) -> None:
    yesterday = today - dt.timedelta(days=1)
    move_history_back()
    then = client.get("/api/v1/summary", params={"as_of": yesterday.isoformat()})
    now = client.get("/api/v1/summary", params={"as_of": today.isoformat()})
    assert then.headers["etag"] != now.headers["etag"]
    again = client.get("/api/v1/summary", params={"as_of": yesterday.isoformat()},
                       headers={"If-None-Match": then.headers["etag"]})  # fmt: skip
    assert again.status_code == 304
    client.post(f"/api/v1/items/{ITEM}/status", headers=editor_headers,
                json={"status": "delivered", "note": "All 62 posts filled."})  # fmt: skip
    later = client.get("/api/v1/summary", params={"as_of": yesterday.isoformat()})
    assert later.json() == then.json()
    assert client.get("/api/v1/summary", params={"as_of": today.isoformat()}).json() != now.json()
