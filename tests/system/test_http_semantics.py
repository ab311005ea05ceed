"""HTTP as RFC 9110 has it: HEAD is GET without the body on every GET route, a 405 names the
methods the path takes, If-Match compares strongly (a weak ETag is a 412), and the moments in
`<time datetime>` are valid HTML (to the second, with their offset)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from service.delivery.store import store
from service.items import listing
from service.items import summary as summaries
from service.web.static import static_url
from tests.support.pages import html_page
from tests.support.seed import ACTOR, ITEM, SOURCE

BASE = "http://127.0.0.1:8000"

# A sample of each kind of GET route: the API, the CSV, feeds, embeds, pages, static files,
# the API's own documents, and answers that are not a 200 (a 404, a redirect). The sign-in
# page is left out: it holds a new CSRF token each time, so no two answers are the same size.
READS = [
    "/api/v1/items",
    "/api/v1/items?kind=commitment&limit=5",
    f"/api/v1/items/{ITEM}",
    f"/api/v1/items/{ITEM}/history",
    "/api/v1/summary",
    "/api/v1/vocabulary",
    f"/api/v1/sources/{SOURCE}",
    f"/api/v1/actors/{ACTOR}",
    "/api/v1/changes",
    "/api/v1/items.csv",
    "/feed.atom",
    f"/items/{ITEM}/feed.atom",
    "/corrections.atom",
    f"/items/{ITEM}/card",
    f"/items/{ITEM}/badge.svg",
    f"/actors/{ACTOR}/card",
    f"/oembed?url={BASE}/items/{ITEM}",
    "/",
    f"/items/{ITEM}",
    "/sources",
    f"/sources/{SOURCE}",
    "/actors",
    f"/actors/{ACTOR}",
    "/report",
    "/static/app.css",
    static_url("app.css"),
    "/openapi.json",
    "/healthz",
    "/api/v1/items/no-such-item",
    "/no/such/page",
    "/items/new",
]


# The first GET of the CSV streams it as it is written; later ones send the file kept.
STREAMED_FIRST = {"/api/v1/items.csv"}
# Headers that differ from one request to the next, whatever its method.
PER_REQUEST = {"x-request-id"}


def _headers(response) -> list[tuple[str, str]]:
    """The headers, with a new cookie's value (made afresh each time) left out."""
    return sorted(
        (k, re.sub(r"=[^;]*", "=…", v, count=1) if k == "set-cookie" else v)
        for k, v in response.headers.multi_items()
        if k not in PER_REQUEST
    )


def _anonymous(client, method: str, path: str):
    """A request from a visitor seen for the first time (no cookie)."""
    client.cookies.clear()
    return client.request(method, path, follow_redirects=False)


def test_head_is_get_without_the_body_on_every_kind_of_route(client) -> None:
    """HEAD before any GET (the route answers it) and after one (the fast path or a kept file
    may): the status and the headers of the GET answered in its place, Content-Length
    included, and no body."""
    statuses = set()
    for path in READS:
        cold = _anonymous(client, "HEAD", path)
        store.clear()  # the GET is built again, as the HEAD was
        got = _anonymous(client, "GET", path)
        warm = _anonymous(client, "HEAD", path)
        again = _anonymous(client, "GET", path)
        statuses.add(got.status_code)
        assert cold.status_code == got.status_code == warm.status_code, path
        assert cold.content == warm.content == b"", path
        if path in STREAMED_FIRST:
            # Streamed while it is written: the headers of a file sent whole come later.
            assert "content-length" not in cold.headers, path
            assert set(_headers(cold)) <= set(_headers(got)), path
        else:
            assert _headers(cold) == _headers(got), path
        assert _headers(warm) == _headers(again), path
        if "content-length" in again.headers:
            # The bytes sent, before any decoding (the GET may be compressed).
            assert int(again.headers["content-length"]) == again.num_bytes_downloaded, path
    # Answers that are not a 200 are covered too: a 404, and the sign-in redirect.
    assert {200, 303, 404} <= statuses, statuses


def test_head_on_every_get_route_of_the_app_is_never_a_405(client) -> None:
    """No GET route is left out: each one's path, filled in, answers HEAD as it answers GET."""
    from tests.reliability.support import walk_routes

    paths = {
        re.sub(r"\{ref\}|\{slug\}", ITEM if "item" in path else SOURCE, path)
        for path, methods in walk_routes(client.app.routes)
        if "GET" in methods
    }
    paths = {p.replace(f"/actors/{SOURCE}", f"/actors/{ACTOR}") for p in paths}
    assert len(paths) > 40
    for path in sorted(paths):
        got = client.get(path, follow_redirects=False)
        head = client.head(path, follow_redirects=False)
        assert head.status_code == got.status_code != 405, path
        assert head.content == b"", path


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/items",
        f"/api/v1/items/{ITEM}",
        "/feed.atom",
        "/",
        f"/items/{ITEM}",
        "/static/app.css",
    ],
)
def test_a_conditional_head_gets_304(client, path: str) -> None:
    etag = client.get(path).headers["etag"]
    head = client.head(path, headers={"If-None-Match": etag})
    get = client.get(path, headers={"If-None-Match": etag})
    assert head.status_code == get.status_code == 304
    assert head.headers["etag"] == etag
    assert _headers(head) == _headers(get)
    # A stale ETag: the whole answer's headers, still no body.
    stale = client.head(path, headers={"If-None-Match": '"stale"'})
    assert stale.status_code == 200 and stale.content == b""
    assert int(stale.headers["content-length"]) > 0


def test_a_repeat_head_is_answered_by_the_fast_path(client, monkeypatch) -> None:
    first = client.get("/api/v1/items", params={"limit": 5})

    def fail(*args, **kwargs):
        raise AssertionError("the route ran: the fast path did not answer the HEAD")

    monkeypatch.setattr(listing, "list_page", fail)
    monkeypatch.setattr(listing, "list_values", fail)
    monkeypatch.setattr(summaries, "summary", fail)
    head = client.head("/api/v1/items", params={"limit": 5})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == first.headers["content-length"]
    assert head.headers.get("content-encoding") == first.headers.get("content-encoding")
    assert head.headers["etag"] == first.headers["etag"]
    etag = first.headers["etag"]
    assert client.head("/api/v1/items?limit=5", headers={"If-None-Match": etag}).status_code == 304


# ---------------------------------------------------------------------------------------------
# Allow on a 405


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/", "GET, HEAD"),
        ("POST", "/api/v1/summary", "GET, HEAD"),
        ("PUT", "/api/v1/items", "GET, HEAD, POST"),
        ("PUT", f"/api/v1/items/{ITEM}", "DELETE, GET, HEAD, PATCH"),
        ("GET", f"/api/v1/items/{ITEM}/status", "POST"),
        ("HEAD", f"/api/v1/items/{ITEM}/status", "POST"),
        ("PATCH", f"/api/v1/sources/{SOURCE}/original", "GET, HEAD"),
        ("DELETE", "/items/new", "GET, HEAD, POST"),
        ("PUT", "/login", "GET, HEAD, POST"),
        ("GET", "/logout", "POST"),
        ("POST", "/feed.atom", "GET, HEAD"),
        ("POST", "/openapi.json", "GET, HEAD"),
        ("POST", "/static/app.css", "GET, HEAD"),
    ],
)
def test_every_405_names_exactly_the_methods_of_the_path(
    client, method: str, path: str, allow: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    if method != "HEAD":
        assert response.json()["status"] == 405


def test_no_405_of_the_app_has_an_empty_allow(client) -> None:
    from tests.reliability.support import walk_routes

    seen = 0
    for path, methods in walk_routes(client.app.routes):
        filled = re.sub(r"\{[^}]+\}", "x", path)
        for method in {"GET", "POST", "PUT", "PATCH", "DELETE"} - methods:
            response = client.request(method, filled)
            if response.status_code == 405:
                seen += 1
                allowed = response.headers["allow"].split(", ")
                assert allowed and all(allowed), (method, filled)
                assert method not in allowed
                assert ("GET" in allowed) == ("HEAD" in allowed), (method, filled)
    assert seen > 50


# ---------------------------------------------------------------------------------------------
# If-Match compares strongly


def test_a_weak_etag_in_if_match_is_a_412_on_an_item_edit(client, editor_headers) -> None:
    path = f"/api/v1/items/{ITEM}"
    etag = client.get(path).headers["etag"]
    for weak in (f"W/{etag}", 'W/"1"'):
        refused = client.patch(
            path, json={"title": "Weak"}, headers={**editor_headers, "If-Match": weak}
        )
        assert refused.status_code == 412, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert "weak" in refused.json()["detail"].lower()
    assert client.get(path).headers["etag"] == etag  # nothing changed
    strong = client.patch(
        path, json={"title": "Strong"}, headers={**editor_headers, "If-Match": etag}
    )
    assert strong.status_code == 200, strong.text


def test_a_weak_etag_in_if_match_is_a_412_on_a_status_change(client, editor_headers) -> None:
    path = f"/api/v1/items/{ITEM}"
    etag = client.get(path).headers["etag"]
    change = {"status": "in_progress", "note": "Recruiting"}
    refused = client.post(
        f"{path}/status", json=change, headers={**editor_headers, "If-Match": f"W/{etag}"}
    )
    assert refused.status_code == 412, refused.text
    assert client.get(path).headers["etag"] == etag
    # The editor is checked first: without credentials it is a 401, whatever the If-Match.
    anonymous = client.post(f"{path}/status", json=change, headers={"If-Match": f"W/{etag}"})
    assert anonymous.status_code == 401
    # The strong ETag is checked too: current, the change is made; stale, a 412 with the version.
    done = client.post(f"{path}/status", json=change, headers={**editor_headers, "If-Match": etag})
    assert done.status_code == 200, done.text
    stale = client.post(
        f"{path}/status",
        json={"status": "stalled", "note": "No news"},
        headers={**editor_headers, "If-Match": etag},
    )
    assert stale.status_code == 412, stale.text
    assert stale.json()["current_version"] == done.json()["version"]
    # Without If-Match a status change needs no version, as before.
    assert client.post(f"{path}/status", json={"status": "stalled", "note": "No news"},
                       headers=editor_headers).status_code == 200  # fmt: skip


def test_a_weak_etag_in_if_match_is_a_412_on_a_source_edit(client, editor_headers) -> None:
    # A source's If-Match is its version (its ETag does not carry it).
    path = f"/api/v1/sources/{SOURCE}"
    version = client.get(path).json()["version"]
    refused = client.patch(
        path, json={"publisher": "Weak"}, headers={**editor_headers, "If-Match": f'W/"{version}"'}
    )
    assert refused.status_code == 412, refused.text
    assert client.get(path).json()["publisher"] != "Weak"
    done = client.patch(
        path, json={"publisher": "Strong"}, headers={**editor_headers, "If-Match": f'"{version}"'}
    )
    assert done.status_code == 200, done.text


def test_if_match_that_is_no_version_is_still_a_422(client, editor_headers) -> None:
    for value in ('W/"x"', '"abc"', "W/"):
        response = client.patch(
            f"/api/v1/items/{ITEM}",
            json={"title": "x"},
            headers={**editor_headers, "If-Match": value},
        )
        assert response.status_code == 422, (value, response.text)
        assert response.json()["errors"][0]["field"] == "If-Match"


# ---------------------------------------------------------------------------------------------
# <time datetime>

# A valid HTML date or global date and time, to the millisecond at most, with its offset.
DAY = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})")


def test_time_datetime_values_are_valid_html(client, editor_headers) -> None:
    changed = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Recruiting"},
        headers=editor_headers,
    )
    assert changed.status_code == 200, changed.text
    moments: list[str] = []
    for path in ("/", f"/items/{ITEM}", f"/sources/{SOURCE}", f"/actors/{ACTOR}", "/report"):
        for time in html_page(client, path).find_all("time"):
            value = time["datetime"]
            assert DAY.fullmatch(value) or MOMENT.fullmatch(value), (path, value)
            if MOMENT.fullmatch(value):
                moments.append(value)
    assert len(moments) >= 5
    # The item's last change, to the second and in UTC: the moment the API gives.
    page = html_page(client, f"/items/{ITEM}")
    updated = dt.datetime.fromisoformat(changed.json()["updated_at"].replace("Z", "+00:00"))
    shown = {dt.datetime.fromisoformat(t["datetime"]) for t in page.find_all("time")
             if MOMENT.fullmatch(t["datetime"])}  # fmt: skip
    assert updated.replace(microsecond=0) in shown
