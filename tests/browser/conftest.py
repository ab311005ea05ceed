"""Browser fixtures: one real server (`tracker serve`) on a migrated, seeded SQLite file with an
editor, Debian's Chromium driven by Playwright, and pages that record every console error,
uncaught exception and Content-Security-Policy violation.

Without /usr/bin/chromium the browser tests are skipped, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

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
EDITOR = "editor"
EDITOR_PASSWORD = "a long editor passphrase"
TRACKER = Path(sys.executable).parent / "tracker"
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
    process: subprocess.Popen[bytes]

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tracker(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [str(TRACKER), *args], env=env, input=stdin, capture_output=True, text=True, check=True
    )
    return result.stdout


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        message = "Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; under CI=true the browser tests must run")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("browser")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
        "TRACKER_ENV": "test",
        "TRACKER_DATABASE_URL": f"sqlite:///{root / 'tracker.db'}",
        "TRACKER_SECRET_KEY": secrets.token_urlsafe(32),
    }
    _tracker(env, "db", "upgrade")
    _tracker(env, "seed")
    _tracker(env, "users", "create", EDITOR, "--role", "editor", "--password-stdin",
             stdin=EDITOR_PASSWORD + "\n")  # fmt: skip
    token = _tracker(env, "tokens", "create", EDITOR).strip().splitlines()[-1]
    port = _free_port()
    env["TRACKER_BASE_URL"] = f"http://127.0.0.1:{port}"
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        [str(TRACKER), "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError((root / "server.log").read_text()) from None
            time.sleep(0.1)
    yield Server(base_url, token, process)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


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

    def sign_in(self, username: str = EDITOR, password: str = EDITOR_PASSWORD) -> None:
        self.goto("/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.base_url + "/")


def _open(browser: Any, server: Server, **options: Any) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
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
