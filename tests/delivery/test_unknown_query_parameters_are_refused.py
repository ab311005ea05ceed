"""A query parameter a JSON route does not take is a 400 problem naming it, on every GET of the
API (walked from the OpenAPI document), never answered from the fast path; `_` names are left
alone for cache-busting, and a known parameter with a bad value stays a 422."""

from __future__ import annotations

import re

from tests.support.seed import ACTOR, ITEM, SOURCE

# Each path parameter, filled by the collection it follows.
FILL = {"items": ITEM, "sources": SOURCE, "actors": ACTOR, "imports": "1"}
PROBLEM_JSON = "application/problem+json"


def _api_gets(client) -> list[str]:
    document = client.get("/openapi.json").json()
    paths = []
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/") or "get" not in operations:
            continue
        assert "400" in operations["get"]["responses"], f"{path}: 400 is not documented"
        paths.append(re.sub(r"/([a-z]+)/\{[a-z_]+\}", lambda m: f"/{m[1]}/{FILL[m[1]]}", path))
    return paths


def test_every_api_get_refuses_an_unknown_parameter_by_name(client, editor_headers) -> None:
    gets = _api_gets(client)
    assert {"/api/v1/changes", "/api/v1/items", f"/api/v1/items/{ITEM}"} <= set(gets)
    assert len(gets) >= 12
    for path in gets:
        response = client.get(path, params={"bogus": "1"}, headers=editor_headers)
        assert response.status_code == 400, (path, response.text)
        assert response.headers["content-type"] == PROBLEM_JSON
        body = response.json()
        assert body["type"] == "/problems/unknown-parameter"
        assert body["title"] == "Unknown query parameter" and body["status"] == 400
        assert body["errors"] == [
            {"field": "bogus", "message": "is not a query parameter of this route"}
        ]
        assert body["detail"].startswith("Unknown query parameter: bogus.")
        # A cache-busting parameter is ignored.
        busted = client.get(path, params={"_": "123"}, headers=editor_headers)
        assert busted.status_code in (200, 404), (path, busted.text)
        if busted.status_code == 404:
            # Only a source with no upload has no original; the seeds hold no import.
            assert path.endswith("/original") or path.startswith("/api/v1/imports/")


def test_a_misspelt_filter_is_refused_not_ignored(client) -> None:
    response = client.get("/api/v1/items", params={"kinds": "allegation"})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == [
        {"field": "kinds", "message": "is not a query parameter of this route"}
    ]
    assert "kind," in body["detail"] and "updated_since" in body["detail"]
    # Each unknown name once, in order; the known ones are not named.
    several = client.get("/api/v1/changes?after=1&from=2024-01-01&from=2024-02-01&to=x").json()
    assert [e["field"] for e in several["errors"]] == ["from", "to"]
    assert several["detail"].startswith("Unknown query parameters: from, to.")


def test_a_known_parameter_with_a_bad_value_stays_a_422(client) -> None:
    for path in ("/api/v1/items?limit=abc", "/api/v1/changes?since=soon", "/api/v1/items?kind=x"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert response.json()["type"] == "/problems/validation"
    # An unknown name is reported first, whatever else is wrong.
    assert client.get("/api/v1/items?limit=abc&bogus=1").status_code == 400


def test_writes_refuse_unknown_parameters_too(client, editor_headers) -> None:
    response = client.post(f"/api/v1/items/{ITEM}/status?dry_run=1",
                           json={"status": "in_progress", "note": "Recruiting."},
                           headers=editor_headers)  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "dry_run"
    history = client.get(f"/api/v1/items/{ITEM}/history").json()["events"]
    assert history[-1]["note"] != "Recruiting."


def test_the_fast_path_never_answers_a_url_with_an_unknown_parameter(client) -> None:
    first = client.get("/api/v1/items", params={"limit": 5})
    etag = first.headers["etag"]
    # The body is kept and the path is known to the fast path; `*` matches any ETag.
    assert client.get("/api/v1/items?limit=5", headers={"If-None-Match": etag}).status_code == 304
    for if_none_match in ("*", etag, None):
        headers = {"If-None-Match": if_none_match} if if_none_match else {}
        response = client.get("/api/v1/items?limit=5&bogus=1", headers=headers)
        assert response.status_code == 400, if_none_match
        assert response.json()["errors"][0]["field"] == "bogus"
    # Cache-busting names are answered from the fast path like any other repeat.
    busted = client.get("/api/v1/items?limit=5&_=1")
    again = client.get(
        "/api/v1/items?limit=5&_=1", headers={"If-None-Match": busted.headers["etag"]}
    )
    assert busted.status_code == 200 and again.status_code == 304
    assert (
        client.get("/api/v1/items?limit=5&_=2&bogus=1", headers={"If-None-Match": "*"}).status_code
        == 400
    )


def test_if_none_match_star_is_no_304_for_a_url_the_route_refuses(client) -> None:
    """`*` matches any answer the URL has: a URL whose values are refused has none to match, so
    neither the fast path nor the route may say 304."""
    assert client.get("/api/v1/items", params={"limit": 5}).status_code == 200  # path known
    for path in ("/api/v1/items?limit=0", "/api/v1/items?limit=abc"):
        response = client.get(path, headers={"If-None-Match": "*"})
        assert response.status_code == 422, path
        assert response.json()["errors"][0]["field"] == "limit"
    # A URL with an answer: `*` matches it.
    assert client.get("/api/v1/items?limit=7", headers={"If-None-Match": "*"}).status_code == 304
