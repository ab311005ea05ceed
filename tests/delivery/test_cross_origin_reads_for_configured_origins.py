"""CORS: pages on the origins in TRACKER_CORS_ORIGINS may read the API with GET and HEAD and see
`ETag`, `Link` and `Last-Modified`; no other origin may, and writes stay same-origin, also on
answers the fast path gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.config import Settings, get_settings
from service.items import api as items_api
from tests.support.seed import ITEM

NEWSROOM = "https://news.example.org"
OTHER = "https://elsewhere.example.com"


@pytest.fixture
def cors_client(app_settings, monkeypatch) -> Iterator[TestClient]:
    from service.app import create_app

    monkeypatch.setenv("TRACKER_CORS_ORIGINS", f"{NEWSROOM}, http://localhost:8080")
    get_settings.cache_clear()
    with TestClient(create_app(get_settings())) as client:
        yield client


def test_gets_from_a_configured_origin_may_read_the_api(cors_client) -> None:
    response = cors_client.get("/api/v1/changes?limit=2", headers={"Origin": NEWSROOM})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == NEWSROOM
    assert response.headers["access-control-expose-headers"] == "ETag, Link, Last-Modified"
    assert "access-control-allow-credentials" not in response.headers
    assert response.headers["vary"] == "Accept-Encoding, Origin"
    assert response.headers["link"] == '</api/v1/changes?limit=2&after=2>; rel="next"'
    head = cors_client.head("/api/v1/summary", headers={"Origin": "http://localhost:8080"})
    assert head.headers["access-control-allow-origin"] == "http://localhost:8080"
    # A page varies on htmx's headers already: Origin is added to them.
    page = cors_client.get("/", headers={"Origin": NEWSROOM})
    assert page.headers["vary"].startswith("HX-Request, ")
    assert page.headers["vary"].endswith(", Origin") and page.headers["vary"].count("Origin") == 1


def test_other_origins_get_no_cors_headers(cors_client, client) -> None:
    for headers in ({"Origin": OTHER}, {"Origin": "null"}, {}):
        response = cors_client.get("/api/v1/items?limit=1", headers=headers)
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers
        assert response.headers["vary"] == "Accept-Encoding, Origin"
    # Unset (the default): nothing about CORS at all.
    plain = client.get("/api/v1/items?limit=1", headers={"Origin": NEWSROOM})
    assert "access-control-allow-origin" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"


def test_a_preflight_is_allowed_for_reads_only(cors_client, editor_headers) -> None:
    def preflight(method: str, origin: str = NEWSROOM):
        return cors_client.options("/api/v1/items", headers={
            "Origin": origin, "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "if-none-match",
        })  # fmt: skip

    read = preflight("GET")
    assert read.status_code == 204 and read.content == b""
    assert read.headers["access-control-allow-origin"] == NEWSROOM
    assert read.headers["access-control-allow-methods"] == "GET, HEAD"
    assert "If-None-Match" in read.headers["access-control-allow-headers"]
    for refused in (
        preflight("POST"),
        preflight("PATCH"),
        preflight("DELETE"),
        preflight("GET", OTHER),
    ):
        assert refused.status_code == 405
        assert "access-control-allow-origin" not in refused.headers
        assert "access-control-allow-methods" not in refused.headers
    # A write sent anyway (with a token) gets no CORS header: its answer stays unreadable.
    write = cors_client.post(f"/api/v1/items/{ITEM}/status",
                             json={"status": "in_progress", "note": "Recruiting."},
                             headers={**editor_headers, "Origin": NEWSROOM})  # fmt: skip
    assert write.status_code == 200
    assert "access-control-allow-origin" not in write.headers


def test_answers_of_the_fast_path_carry_the_cors_headers(cors_client, monkeypatch) -> None:
    first = cors_client.get("/api/v1/items?limit=3", headers={"Origin": NEWSROOM})
    etag = first.headers["etag"]

    def routed(*args, **kwargs):
        raise AssertionError("the route ran: the fast path should have answered")

    monkeypatch.setattr(items_api, "_list_items", routed)
    cached = cors_client.get("/api/v1/items?limit=3",
                             headers={"Origin": NEWSROOM, "If-None-Match": etag})  # fmt: skip
    assert cached.status_code == 304
    assert cached.headers["access-control-allow-origin"] == NEWSROOM
    assert cached.headers["access-control-expose-headers"] == "ETag, Link, Last-Modified"
    kept = cors_client.get("/api/v1/items?limit=3", headers={"Origin": NEWSROOM})
    assert kept.status_code == 200 and kept.content == first.content
    assert kept.headers["access-control-allow-origin"] == NEWSROOM
    assert kept.headers["link"] == first.headers["link"]
    other = cors_client.get("/api/v1/items?limit=3", headers={"Origin": OTHER})
    assert other.status_code == 200 and "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(
    "origin",
    ["news.example.org", "https://news.example.org/", "https://news.example.org/report",
     "ftp://news.example.org", "https://News.Example.org", "*", "https://news.example.org?x=1"],
)  # fmt: skip
def test_a_malformed_origin_stops_the_start_with_a_message_naming_it(origin) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(cors_origins=f"https://ok.example.org,{origin}", secret_key="s" * 32)
    assert f"TRACKER_CORS_ORIGINS: {origin!r} is not an origin" in str(refused.value)


def test_well_formed_origins_are_read_as_a_list() -> None:
    settings = Settings(
        cors_origins=" https://a.example.org , http://127.0.0.1:8080,http://[::1]:3000,",
        secret_key="s" * 32,
    )
    assert settings.cors_origin_list == [
        "https://a.example.org", "http://127.0.0.1:8080", "http://[::1]:3000"
    ]  # fmt: skip
    assert Settings(secret_key="s" * 32).cors_origin_list == []
