"""The interactive API docs run from this origin: Swagger UI at /docs loads the vendored library
(its SHA-256 as web/static/vendor/VERSIONS lists it), renders the tracker's operations, tries one
out, and asks no other host for anything, under a policy that names none."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

VENDOR = Path(__file__).resolve().parents[2] / "web" / "static" / "vendor"


def _listed_hashes() -> dict[str, str]:
    rows = [line.split() for line in (VENDOR / "VERSIONS").read_text().splitlines()]
    return {row[0]: row[-1] for row in rows if row and not row[0].startswith("#")}


def _visit(tab, path: str) -> list[str]:
    """The path's page, run in the browser; every URL it requested."""
    requested: list[str] = []
    tab.page.on("request", lambda request: requested.append(request.url))
    response = tab.goto(path)
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "http" not in policy and "'unsafe-eval'" not in policy, policy
    assert "script-src 'self';" in policy
    return requested


def test_swagger_ui_renders_the_operations_from_this_origin(tab, server) -> None:
    requested = _visit(tab, "/docs")
    tab.page.get_by_text("/api/v1/items/{ref}/status").first.wait_for()
    assert tab.page.locator(".opblock").count() > 20
    # Try one out: the request goes to this origin and its answer is shown.
    operation = tab.page.locator(".opblock", has_text="/api/v1/vocabulary").first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    answer = operation.locator(".live-responses-table tbody .response")
    answer.wait_for()
    assert answer.locator(".response-col_status").inner_text().strip() == "200"
    assert '"commitment"' in answer.locator(".response-col_description").inner_text()
    hosts = {urlsplit(url).netloc for url in requested}
    assert hosts == {urlsplit(server.base_url).netloc}, hosts
    tab.assert_clean()


def test_the_vendored_docs_files_are_the_ones_listed() -> None:
    listed = _listed_hashes()
    for name in ("swagger-ui-bundle-5.35.0.js", "swagger-ui-5.35.0.css"):
        digest = hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        assert digest == listed[name], name
