"""Browser fixtures: one real server (`tracker serve`) on a migrated, seeded SQLite file with an
editor, Debian's Chromium driven by Playwright, and pages that record every console error,
uncaught exception and Content-Security-Policy violation.

Without /usr/bin/chromium the browser tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.accounts import EDITOR, PASSWORD
from tests.support.servers import ServerProcess, run_tracker, tracker_env, tracker_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Reported by the page itself, so that a CSP violation is seen even when nothing logs it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI);
});
"""


@dataclass
class Server:
    base_url: str
    token: str
    process: ServerProcess

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.token}"}, timeout=10
        )

    def item(self, slug: str) -> dict[str, Any]:
        with self.api() as api:
            response = api.get(f"/api/v1/items/{slug}")
            response.raise_for_status()
            return dict(response.json())

    def change_status(self, slug: str, status: str, note: str) -> dict[str, Any]:
        with self.api() as api:
            response = api.post(
                f"/api/v1/items/{slug}/status", json={"status": status, "note": note}
            )
            response.raise_for_status()
            return dict(response.json())

    def archive(self, title: str, text: str) -> str:
        """A source archived from pasted text; its slug."""
        with self.api() as api:
            response = api.post("/api/v1/sources", json={"title": title, "text": text})
            response.raise_for_status()
            return str(response.json()["slug"])

    def candidates(self, source: str) -> list[dict[str, Any]]:
        """The claims suggested in a source, as the API lists them."""
        with self.api() as api:
            response = api.get(f"/api/v1/sources/{source}/candidates")
            response.raise_for_status()
            return list(response.json()["candidates"])

    def actor(self, slug: str, name: str, kind: str) -> str:
        """The actor `slug`, added unless it is there already."""
        with self.api() as api:
            if api.get(f"/api/v1/actors/{slug}").status_code == 404:
                api.post(
                    "/api/v1/actors", json={"slug": slug, "name": name, "kind": kind}
                ).raise_for_status()
        return slug


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = "Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI=true the browser tests must run")
        pytest.skip(message)
    return CHROMIUM


@contextmanager
def start_server(root: Path) -> Iterator[Server]:
    """`tracker serve` on a migrated, seeded SQLite file in `root`, with an editor and an API
    token of theirs: the fixture's server, and the screenshot script's."""
    env = tracker_env(
        f"sqlite:///{root / 'tracker.db'}", TRACKER_SECRET_KEY=secrets.token_urlsafe(32)
    )
    run_tracker(["db", "upgrade"], env=env)
    run_tracker(["seed"], env=env)
    run_tracker(
        ["users", "create", EDITOR, "--role", "editor", "--password-stdin"],
        env=env,
        stdin=PASSWORD + "\n",
    )
    token = run_tracker(["tokens", "create", EDITOR], env=env).strip().splitlines()[-1]
    process = tracker_server(env, log_path=root / "server.log").start()
    try:
        yield Server(process.url, token, process)
    finally:
        process.stop()


@pytest.fixture(scope="session")
def server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with start_server(tmp_path_factory.mktemp("browser")) as started:
        yield started


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Tab:
    """A page, and what went wrong on it: console errors, uncaught exceptions, CSP violations."""

    page: Any
    base_url: str
    errors: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base_url + path)

    def assert_clean(self, *, expected_statuses: tuple[int, ...] = ()) -> None:
        """No errors, except the browser's note about a response whose status the test asked
        for (a 422 for a bad form, a 409 for a conflict)."""
        expected = tuple(f"status of {status}" for status in expected_statuses)
        unexpected = [
            e for e in self.errors if not (expected and "Failed to load resource" in e and any(
                s in e for s in expected))
        ]  # fmt: skip
        assert unexpected == []

    def sign_in(self, username: str = EDITOR, password: str = PASSWORD) -> None:
        self.goto("/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.base_url + "/")


def _open(browser: Any, server: Server, **options: Any) -> Iterator[Tab]:
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    tab = Tab(page, server.base_url)
    page.on("console", lambda m: m.type == "error" and tab.errors.append(f"{m.text} {m.location}"))
    page.on("pageerror", lambda e: tab.errors.append(f"uncaught: {e}"))
    yield tab
    context.close()


@pytest.fixture
def tab(browser: Any, server: Server) -> Iterator[Tab]:
    yield from _open(browser, server)


@pytest.fixture
def tab_without_js(browser: Any, server: Server) -> Iterator[Tab]:
    yield from _open(browser, server, java_script_enabled=False)
