"""The change feed in a window of time (when an event was recorded, when it happened), page by
page: `has_more`, `next` and the `Link` header say whether more wait and where, also when the
feed's horizon cuts a page short; lists with pages give `Link: rel="next"` too."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from service.db import write_session
from service.events import service as events
from service.events.models import Event
from tests.support.seed import ITEM

FEED = "/api/v1/changes"
UTC = dt.UTC


def _date_events() -> None:
    """The seed's 35 events, recorded in three waves: 1-10 on 1 January 2024 at noon, 11-20 on
    10 February at 08:00, 21-35 on 5 March at 23:30 (UTC); 1-5 happened on 1 June 2020."""
    waves = (
        (1, 10, dt.datetime(2024, 1, 1, 12, 0, tzinfo=UTC)),
        (11, 20, dt.datetime(2024, 2, 10, 8, 0, tzinfo=UTC)),
        (21, 35, dt.datetime(2024, 3, 5, 23, 30, tzinfo=UTC)),
    )
    event = Event.__table__  # type: ignore[attr-defined]
    with write_session() as session:
        for first, last, at in waves:
            session.execute(sa.update(event).where(event.c.id.between(first, last)).values(at=at))
        session.execute(
            sa.update(event).where(event.c.id <= 5).values(occurred_on=dt.date(2020, 6, 1))
        )


def _ids(client, **params) -> list[int]:
    response = client.get(FEED, params={"limit": 1000, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["has_more"] is False and body["next"] is None and "link" not in response.headers
    return [e["id"] for e in body["events"]]


def test_since_and_until_select_by_when_an_event_was_recorded(client) -> None:
    _date_events()
    assert _ids(client) == list(range(1, 36))
    # A date as a start is the start of that day; as an end, the whole day.
    assert _ids(client, since="2024-02-10") == list(range(11, 36))
    assert _ids(client, until="2024-02-10") == list(range(1, 21))
    assert _ids(client, since="2024-02-10", until="2024-02-10") == list(range(11, 21))
    # Times are inclusive at both ends; an offset is honoured, none means UTC.
    assert _ids(client, since="2024-02-10T08:00:00Z") == list(range(11, 36))
    assert _ids(client, since="2024-02-10T08:00:00.000001+00:00") == list(range(21, 36))
    assert _ids(client, until="2024-02-10T09:00:00+01:00") == list(range(1, 21))
    assert _ids(client, until="2024-02-10T07:59:59") == list(range(1, 11))
    assert _ids(client, since="2024-03-06") == []
    # With `after`, as a poller resumes.
    assert _ids(client, after=15, since="2024-02-10", until="2024-02-10") == list(range(16, 21))


def test_occurred_since_and_until_select_by_when_it_happened_else_when_recorded(client) -> None:
    _date_events()
    assert _ids(client, occurred_until="2020-12-31") == list(range(1, 6))
    assert _ids(client, occurred_since="2021-01-01") == list(range(6, 36))
    # A stated day counts whole, whatever the hour given: 1 June 2020 is in from 18:00 that day.
    assert _ids(client, occurred_since="2020-06-01T18:00:00Z") == list(range(1, 36))
    assert _ids(client, occurred_until="2020-06-01T00:00:00Z") == list(range(1, 6))
    # Without a stated day, when it was recorded: 6-10 on 1 January 2024 at noon.
    assert _ids(client, occurred_until="2024-01-01") == list(range(1, 11))
    assert _ids(client, occurred_until="2024-01-01T11:59:59Z") == list(range(1, 6))
    both = {"occurred_since": "2020-01-01", "occurred_until": "2024-01-31", "since": "2024-01-01"}
    assert _ids(client, **both, until="2024-01-01") == list(range(1, 11))


def test_a_window_upside_down_or_a_bad_date_is_a_422_naming_the_field(client) -> None:
    cases = {
        "since": {"since": "2024-03-01", "until": "2024-02-01"},
        "occurred_since": {
            "occurred_since": "2024-02-01T00:00:01Z",
            "occurred_until": "2024-01-31",
        },
    }
    for field, params in cases.items():
        response = client.get(FEED, params=params)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"] == [
            {"field": field, "message": f"must not be after `{field.replace('since', 'until')}`"}
        ]
    bad = [
        {"since": "yesterday"},
        {"until": "2024-13-01"},
        {"occurred_since": "1700000000"},
        {"since": "0001-01-01T00:00:00+14:00"},
    ]
    for params in bad:
        response = client.get(FEED, params=params)
        assert response.status_code == 422, params
        assert [e["field"] for e in response.json()["errors"]] == list(params)
    # The same day at both ends is a window of one day.
    assert (
        client.get(FEED, params={"since": "2024-02-10", "until": "2024-02-10"}).status_code == 200
    )


def test_pages_say_whether_more_follow_and_next_keeps_the_window(client) -> None:
    _date_events()
    seen: list[int] = []
    url: str | None = f"{FEED}?since=2024-02-10&limit=10"
    pages = []
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [e["id"] for e in body["events"]]
        pages.append((body["last_id"], body["has_more"], body["next"]))
        if body["next"] is None:
            assert "link" not in response.headers
        else:
            assert response.headers["link"] == f'<{body["next"]}>; rel="next"'
        url = body["next"]
    assert seen == list(range(11, 36))
    assert pages == [
        (20, True, f"{FEED}?since=2024-02-10&limit=10&after=20"),
        (30, True, f"{FEED}?since=2024-02-10&limit=10&after=30"),
        (35, False, None),
    ]
    # A page that ends where the window ends says so, though events follow outside it.
    last = client.get(FEED, params={"until": "2024-02-10", "after": 15, "limit": 5}).json()
    assert [e["id"] for e in last["events"]] == list(range(16, 21))
    assert last["has_more"] is False and last["next"] is None and last["last_id"] == 20
    # Exactly full and nothing after it: no more.
    whole = client.get(FEED, params={"after": 30, "limit": 5}).json()
    assert whole["has_more"] is False and whole["next"] is None
    # An empty page keeps `after` as its last id; cache-busting parameters stay out of `next`.
    assert client.get(FEED, params={"after": 35}).json() == {
        "events": [], "last_id": 35, "has_more": False, "next": None
    }  # fmt: skip
    busted = client.get(FEED, params={"limit": 30, "_": "123"})
    assert busted.json()["next"] == f"{FEED}?limit=30&after=30"


def test_a_kept_page_is_sent_again_with_its_link(client) -> None:
    first = client.get(FEED, params={"limit": 10})
    again = client.get(FEED, params={"limit": 10})
    assert again.content == first.content
    assert (
        again.headers["link"] == first.headers["link"] == f'<{FEED}?limit=10&after=10>; rel="next"'
    )
    cached = client.get(
        FEED, params={"limit": 10}, headers={"If-None-Match": first.headers["etag"]}
    )
    assert cached.status_code == 304


def test_a_page_cut_short_by_the_horizon_says_more_follow_when_they_match(
    client, monkeypatch
) -> None:
    _date_events()
    horizon = 32  # 33-35 are committed past it: left out of this moment's page
    monkeypatch.setattr(events, "feed_horizon", lambda engine: horizon)
    cut = client.get(FEED, params={"after": 30})
    body = cut.json()
    assert [e["id"] for e in body["events"]] == [31, 32] and body["last_id"] == 32
    assert body["has_more"] is True and body["next"] == f"{FEED}?after=32"
    assert cut.headers["link"] == f'<{FEED}?after=32>; rel="next"'
    assert "etag" not in cut.headers and cut.headers["cache-control"] == "no-store"
    # None of 33-35 is in this window: nothing more, though the page is still of this moment.
    windowed = client.get(FEED, params={"after": 10, "until": "2024-03-05T23:00:00Z"})
    assert [e["id"] for e in windowed.json()["events"]] == list(range(11, 21))
    assert windowed.json()["has_more"] is False and windowed.json()["next"] is None
    assert "etag" not in windowed.headers
    # A full page below the horizon: more follow whatever commits later, and it is kept.
    full = client.get(FEED, params={"after": 28, "limit": 2})
    assert full.json()["has_more"] is True and full.headers["etag"]
    # Full up to the horizon exactly, more past it: the same as a later read would say.
    exact = client.get(FEED, params={"after": 30, "limit": 2})
    assert exact.json()["has_more"] is True and exact.headers["etag"]
    monkeypatch.setattr(events, "feed_horizon", lambda engine: None)
    rest = client.get(FEED, params={"after": 32}).json()
    assert [e["id"] for e in rest["events"]] == [33, 34, 35] and rest["has_more"] is False


def test_the_item_list_links_its_next_page(client) -> None:
    url = "/api/v1/items?kind=commitment&limit=4&_=1"
    slugs: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        slugs += [i["slug"] for i in body["items"]]
        if body["next_cursor"] is None:
            assert "link" not in response.headers
            break
        link = re.fullmatch(r'<([^>]+)>; rel="next"', response.headers["link"])
        assert link is not None
        url = link.group(1)
        assert url.startswith("/api/v1/items?kind=commitment&limit=4&cursor=")
        assert url.endswith(f"cursor={body['next_cursor']}") and "_=" not in url
    everything = client.get("/api/v1/items", params={"kind": "commitment", "limit": 200}).json()
    assert slugs == [i["slug"] for i in everything["items"]] and len(slugs) > 4


def test_the_corrections_link_their_next_page(client, editor_headers) -> None:
    for reason in ("Withdrawn by the council.", "A duplicate entry."):
        slug = client.get("/api/v1/items", params={"limit": 1}).json()["items"][0]["slug"]
        retracted = client.post(f"/api/v1/items/{slug}/retract", json={"reason": reason},
                                headers=editor_headers)  # fmt: skip
        assert retracted.status_code == 200, retracted.text
    first = client.get("/api/v1/corrections", params={"limit": 1})
    before = first.json()["next_before"]
    assert before is not None
    assert first.headers["link"] == f'</api/v1/corrections?limit=1&before={before}>; rel="next"'
    second = client.get("/api/v1/corrections", params={"limit": 1, "before": before})
    assert [c["note"] for c in second.json()["corrections"]] == ["Withdrawn by the council."]
    assert second.json()["next_before"] is None and "link" not in second.headers


def test_sources_and_actors_come_in_one_page_without_a_link(client) -> None:
    for path in ("/api/v1/sources", "/api/v1/actors"):
        response = client.get(path)
        assert response.status_code == 200 and "link" not in response.headers
        assert "next" not in response.json() and "next_cursor" not in response.json()


def test_a_status_change_is_in_the_window_of_today(client, editor_headers) -> None:
    today = dt.datetime.now(UTC).date().isoformat()
    before = client.get(FEED, params={"since": today, "until": today, "limit": 1000}).json()
    changed = client.post(f"/api/v1/items/{ITEM}/status",
                          json={"status": "in_progress", "note": "Recruiting."},
                          headers=editor_headers)  # fmt: skip
    assert changed.status_code == 200, changed.text
    after = client.get(FEED, params={"since": today, "until": today, "limit": 1000}).json()
    assert len(after["events"]) == len(before["events"]) + 1
    assert after["events"][-1]["note"] == "Recruiting." and after["has_more"] is False
