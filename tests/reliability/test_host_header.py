"""The Host header is the client's to choose: no answer builds a URL from it. No route redirects
to its twin with or without a trailing slash (Starlette would take that Location from the Host
header), and an operator can name the hosts the tracker answers to."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.reliability.support import walk_routes
from tests.reliability.test_security_headers import _fill

EVIL = "evil.example"


def test_no_answer_points_at_the_host_the_client_named(client, editor_headers, figures) -> None:
    response = client.get("/api/v1/items/", headers={"Host": EVIL}, follow_redirects=False)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "location" not in response.headers
    paths = {_fill(p) for p, methods in walk_routes(client.app.routes) if "GET" in methods}
    # Every GET route, as it is and with its trailing slash added or taken away.
    variants = sorted(paths | {p.rstrip("/") if p.endswith("/") else p + "/" for p in paths})
    checked = 0
    for path in variants:
        for headers in ({"Host": EVIL}, {"Host": EVIL, **editor_headers}):
            answer = client.get(path, headers=headers, follow_redirects=False)
            assert answer.status_code < 500, (path, answer.text[:200])
            assert EVIL not in answer.headers.get("location", ""), path
            assert EVIL not in answer.headers.get("hx-redirect", ""), path
            if 300 <= answer.status_code < 400:
                assert answer.headers["location"].startswith("/"), path
            checked += 1
    figures.state("requests with a forged Host, none redirected to it (per database)", checked)


def test_trusted_hosts_refuse_any_other_host(app_settings) -> None:
    from service.app import create_app

    settings = app_settings.model_copy(update={"trusted_hosts": "tracker.example.org, localhost"})
    with TestClient(create_app(settings), base_url="http://tracker.example.org") as client:
        assert client.get("/api/v1/items").status_code == 200
        refused = client.get("/api/v1/items", headers={"Host": EVIL})
        assert refused.status_code == 400
        assert refused.headers["x-content-type-options"] == "nosniff"
