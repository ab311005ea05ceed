"""`tracker report --url URL`: the report made from a tracker's public JSON API alone equals the
tracker's own `/report.md`; its report.html fetches nothing; answers are asked for again with
If-None-Match; a 503 is asked again after its Retry-After; an unreachable tracker is one line of
error and exit code 1."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from service.reports import remote
from service.reports.window import window_since
from tests.support.seed import ITEM
from tests.support.servers import (
    free_port,
    run_tracker,
    tracker_command,
    tracker_env,
    tracker_server,
)


class References(HTMLParser):
    """Every attribute of a document that names something to fetch or follow, and every url()
    of its styles."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.fetched: list[tuple[str, str, str]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if name == "style" and value:
                self.styles.append(value)
            if name not in ("href", "src", "srcset", "data", "poster", "action", "xlink:href"):
                continue
            if tag == "a" and name == "href":
                self.links.append(value or "")
            else:
                self.fetched.append((tag, name, value or ""))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@pytest.fixture
def server(database_url, tmp_path):
    running = tracker_server(tracker_env(database_url), log_path=tmp_path / "server.log").start()
    yield running
    running.stop()


def test_the_command_writes_the_report_the_tracker_serves(
    server, make_user, tmp_path: Path
) -> None:
    token = make_user("editor", "editor")
    headers = {"Authorization": f"Bearer {token}"}
    changed = httpx.post(f"{server.url}/api/v1/items/{ITEM}/status", headers=headers,
                         json={"status": "in_progress", "note": "Recruitment under way.",
                               "progress_value": 20})  # fmt: skip
    assert changed.status_code == 200, changed.text
    out = tmp_path / "reports"
    env = tracker_env("sqlite:///unused.db")
    printed = run_tracker(["report", "--url", server.url, "--since", "7d", "--out", str(out)],
                          env=env)  # fmt: skip
    assert "report.md" in printed
    window = window_since("7d")
    query = {"from": window.start.isoformat(), "to": window.end.isoformat()}
    served = httpx.get(f"{server.url}/report.md", params=query)
    assert served.status_code == 200
    written = (out / "report.md").read_text(encoding="utf-8")
    assert written == served.text
    assert "Recruitment under way." in written and "→ In progress" in written
    # The HTML holds the same report and fetches nothing: no stylesheet, script, image or
    # frame by address, no url() in its styles; its links are plain links.
    page = (out / "report.html").read_text(encoding="utf-8")
    found = References()
    found.feed(page)
    assert found.fetched == []
    assert all("url(" not in style for style in found.styles)
    assert found.styles and ".report__table" in "".join(found.styles)
    assert f"{server.url}/items/{ITEM}" in found.links
    assert all(re.match(r"^https?://", link) for link in found.links)
    assert "<svg" in page and "Recruitment under way." in page
    # Kept answers: a second run asks with If-None-Match and writes the same report.
    kept = list((out / ".cache").glob("*.json"))
    assert kept
    run_tracker(["report", "--url", server.url, "--since", "7d", "--out", str(out)], env=env)
    assert (out / "report.md").read_text(encoding="utf-8") == written


def test_an_unreachable_tracker_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = subprocess.run(
        [*tracker_command(), "report", "--url", url, "--out", str(tmp_path)],
        capture_output=True, text=True, env=tracker_env("sqlite:///unused.db"), timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: cannot reach {url}"), result.stderr
    assert not (tmp_path / "report.md").exists()


def test_since_and_from_together_are_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [*tracker_command(), "report", "--url", "http://127.0.0.1:9", "--since", "7d",
         "--from", "2026-01-01"],
        capture_output=True, text=True, env=tracker_env("sqlite:///unused.db"), timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == "error: give --since or --from/--to, not both"


def _reader(handler, tmp_path: Path, waits: list[float] | None = None) -> remote.Reader:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    sleep = waits.append if waits is not None else lambda _s: None
    return remote.Reader("http://tracker.test", cache_dir=tmp_path, client=client, sleep=sleep)


def test_a_kept_answer_is_asked_for_with_its_etag_and_reused_on_304(tmp_path: Path) -> None:
    asked: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.headers.get("if-none-match"))
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return httpx.Response(200, json={"total": 3}, headers={"ETag": '"v1"'})

    reader = _reader(handler, tmp_path)
    assert reader.get("/api/v1/summary", as_of="2026-01-01") == {"total": 3}
    assert reader.get("/api/v1/summary", as_of="2026-01-01") == {"total": 3}
    assert asked == [None, '"v1"']


def test_a_503_is_asked_again_after_its_retry_after_a_few_times(tmp_path: Path) -> None:
    answers = iter([503, 503, 200])
    waits: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        if status == 503:
            return httpx.Response(503, headers={"Retry-After": "2"}, json={"title": "Busy"})
        return httpx.Response(200, json={"ok": True})

    assert _reader(handler, tmp_path, waits).get("/api/v1/changes") == {"ok": True}
    assert waits == [2.0, 2.0]

    def always_busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "3600"},
                              json={"title": "Busy", "detail": "Try again later."})  # fmt: skip

    waits.clear()
    with pytest.raises(remote.Unreachable, match=r"answered 503: Try again later\."):
        _reader(always_busy, tmp_path, waits).get("/api/v1/changes")
    assert waits == [remote.LONGEST_WAIT] * remote.RETRIES
