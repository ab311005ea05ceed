"""Security headers on every response: every GET route of the app (found by walking its routes,
so a new page is covered without being listed here), its error answers, static files and the
API docs. HTML is parsed to check that the policy and the page agree: no inline script, no
inline event handler, no inline style that the policy would block."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient

from tests.reliability.support import walk_routes
from tests.support.seed import ACTOR, ITEM, SOURCE

PATH_VALUES = {"ref": ITEM, "slug": SOURCE}
SAFE_REFERRERS = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}


def _fill(path: str) -> str:
    if path.startswith("/actors/") or path.startswith("/api/v1/actors/"):
        return path.replace("{slug}", ACTOR)
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    return path


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("content-security-policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


class _PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline_scripts: list[str] = []
        self.handlers: list[str] = []
        self.styles: list[str] = []
        self.javascript_urls: list[str] = []
        self._in_script = False
        self._script: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
            if name == "style":
                self.styles.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and "src" not in names:
            self._in_script, self._script = True, []
        if tag == "style":
            self.styles.append("<style>")

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self._in_script = False
            self.inline_scripts.append("".join(self._script))


def _frameable(path: str) -> bool:
    """An embed (a card): any site may frame it, and it says so."""
    from service.embeds.views import FRAMEABLE_PATHS

    return any(pattern.fullmatch(path) for pattern in FRAMEABLE_PATHS)


def _header_problems(response) -> list[str]:
    problems = []
    headers = response.headers
    if headers.get("x-content-type-options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if headers.get("referrer-policy") not in SAFE_REFERRERS:
        problems.append(f"Referrer-Policy {headers.get('referrer-policy')!r}")
    directives = policy(response)
    if not directives:
        return [*problems, "no Content-Security-Policy"]
    scripts = directives.get("script-src", directives.get("default-src"))
    if scripts is None:
        problems.append("no script-src nor default-src")
    else:
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
            if unsafe in scripts:
                problems.append(f"script-src allows {unsafe}")
    if directives.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    framing = directives.get("frame-ancestors")
    if _frameable(response.request.url.path):
        if framing != ["*"] or "x-frame-options" in headers:
            problems.append(f"an embed not frameable: {framing}, {headers.get('x-frame-options')}")
    elif framing not in (["'none'"], ["'self'"]) and headers.get("x-frame-options") not in (
        "DENY",
        "SAMEORIGIN",
    ):
        problems.append("no frame protection")
    return problems


def _page_problems(response) -> list[str]:
    """Inline code in an HTML page must be allowed by the page's own policy (by hash), and
    nothing else inline may be there."""
    scan = _PageScan()
    scan.feed(response.text)
    allowed = policy(response).get("script-src", [])
    problems = []
    for script in scan.inline_scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        if f"'sha256-{digest}'" not in allowed:
            problems.append(f"inline script not allowed by the policy: {script[:60]!r}")
    problems += [f"inline event handler {h}" for h in scan.handlers]
    problems += [f"javascript: URL {u}" for u in scan.javascript_urls]
    if "'unsafe-inline'" not in policy(response).get("style-src", []):
        problems += [f"inline style blocked by the policy: {s}" for s in scan.styles]
    return problems


def _responses(client, editor_headers) -> Iterator[tuple[str, Any]]:
    """Every GET route, anonymous and as an editor, then the error answers."""
    paths = sorted({_fill(p) for p, methods in walk_routes(client.app.routes) if "GET" in methods})
    for path in paths:
        yield f"GET {path}", client.get(path, follow_redirects=False)
        yield f"GET {path} (editor)", client.get(path, headers=editor_headers)
    first = client.get("/api/v1/items")
    yield "304", client.get("/api/v1/items", headers={"If-None-Match": first.headers["etag"]})
    yield "404 page", client.get("/items/no-such-item", headers={"Accept": "text/html"})
    yield "404 API", client.get("/api/v1/items/no-such-item")
    yield "404 elsewhere", client.get("/no/such/path")
    yield "405", client.delete("/api/v1/items")
    yield "401", client.post("/api/v1/items", json={})
    yield "413", client.post("/api/v1/items", content=b"x" * (1024 * 1024 + 1))
    yield "422", client.get("/api/v1/items", params={"limit": 0})
    yield "422 NUL", client.get("/api/v1/items", params={"q": "\x00"})
    yield "static", client.get(_a_static_file(client))


def _a_static_file(client) -> str:
    from service.config import get_settings

    static = get_settings().web_dir / "static"
    first = sorted(p for p in static.rglob("*") if p.is_file())[0]
    return "/static/" + first.relative_to(static).as_posix()


def test_every_response_carries_the_security_headers(client, editor_headers, figures) -> None:
    failures: dict[str, list[str]] = {}
    checked = html_pages = 0
    for name, response in _responses(client, editor_headers):
        assert response.status_code < 500, (name, response.text[:300])
        problems = _header_problems(response)
        if response.headers.get("content-type", "").startswith("text/html"):
            html_pages += 1
            problems += _page_problems(response)
        if problems:
            failures[name] = problems
        checked += 1
    assert not failures, "\n".join(f"{name}: {found}" for name, found in failures.items())
    assert html_pages >= 4, "the docs and the dashboard's pages are HTML"
    figures.state("responses checked for security headers (per database)", checked)
    figures.state("HTML pages parsed for inline code (per database)", html_pages)


def test_the_api_docs_run_only_scripts_of_this_origin(client) -> None:
    for path in ("/docs",):
        response = client.get(path)
        assert response.status_code == 200
        directives = policy(response)
        assert directives["script-src"] == ["'self'"], path
        named = [word for words in directives.values() for word in words]
        hosts = [word for word in named if word not in ("data:", "blob:") and (
            "." in word or ":" in word.strip("'"))]  # fmt: skip
        assert hosts == [], named
        assert _page_problems(response) == [], path
        assert "/static/vendor/" in response.text and "cdn" not in response.text
    # No OAuth2 flow to return from (the API takes bearer tokens), and no ReDoc.
    for gone in ("/docs/oauth2-redirect", "/redoc"):
        response = client.get(gone)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")


HSTS = "max-age=31536000; includeSubDomains"


def test_https_sends_strict_transport_security_on_every_response(
    app_settings, make_user, figures
) -> None:
    from service.app import create_app

    token = make_user("editor", "editor")
    settings = app_settings.model_copy(update={"base_url": "https://tracker.example"})
    with TestClient(create_app(settings), base_url="https://tracker.example") as client:
        answers = list(_responses(client, {"Authorization": f"Bearer {token}"}))
    missing = [name for name, r in answers if r.headers.get("strict-transport-security") != HSTS]
    assert not missing, missing
    figures.state("responses over https checked for Strict-Transport-Security", len(answers))


def test_plain_http_sends_no_strict_transport_security(client) -> None:
    for path in ("/", "/api/v1/items", "/no/such/path"):
        assert "strict-transport-security" not in client.get(path).headers
