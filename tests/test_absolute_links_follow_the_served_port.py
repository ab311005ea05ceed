"""Absolute links (the feeds', the CSV's `links_html`, the embeds') come from TRACKER_BASE_URL;
when it is not set, `tracker serve` makes it the address it listens on, so that a tracker run on
another port (`PORT=18200 make run`) does not link to port 8000."""

from __future__ import annotations

import csv
import io
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import feedparser
import pytest

from service.config import served_base_url
from tests.support.seed import ITEM
from tests.support.servers import PROJECT_ROOT, free_port, tracker_command, tracker_env


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return bytes(response.read())


def _serve(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [*tracker_command(), "serve", "--port", str(port)],
            env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            _get(url + "/readyz")
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise AssertionError(f"not ready:\n{log.read_text()}")


@pytest.mark.parametrize("base_url_set", [False, True], ids=["default", "set"])
def test_serve_links_to_the_port_it_listens_on(database_url, tmp_path, base_url_set) -> None:
    port = free_port()
    settings = {"TRACKER_BASE_URL": "https://tracker.example.org"} if base_url_set else {}
    env = tracker_env(database_url, **settings)
    assert "TRACKER_BASE_URL" in env if base_url_set else "TRACKER_BASE_URL" not in env
    log = tmp_path / "serve.log"
    process = _serve(env, port, log)
    try:
        url = f"http://127.0.0.1:{port}"
        _ready(url, process, log)
        expected = "https://tracker.example.org" if base_url_set else url
        for path in ("/feed.atom", f"/items/{ITEM}/feed.atom"):
            parsed = feedparser.parse(_get(url + path))
            assert not parsed.bozo, path
            assert parsed.entries, path
            assert all(e.link.startswith(f"{expected}/items/") for e in parsed.entries), path
            assert all(e.id.startswith("tag:tracker.invalid,2026:") for e in parsed.entries)
        text = _get(url + "/api/v1/items.csv").decode("utf-8").removeprefix("\ufeff")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows and all(r["links_html"] == f"{expected}/items/{r['slug']}" for r in rows)
        assert all(r["links_self"] == f"{expected}/api/v1/items/{r['slug']}" for r in rows)
        oembed = _get(f"{url}/oembed?url={expected}/items/{ITEM}").decode()
        assert f"{expected}/items/{ITEM}/card" in oembed
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_base_url_of_an_address_served() -> None:
    assert served_base_url("127.0.0.1", 18200) == "http://127.0.0.1:18200"
    assert served_base_url("0.0.0.0", 8000) == "http://localhost:8000"
    assert served_base_url("::", 8000) == "http://localhost:8000"
    assert served_base_url("::1", 9000) == "http://[::1]:9000"
    assert served_base_url("tracker.local", 80) == "http://tracker.local:80"


def test_a_feed_authority_must_be_a_tagging_entity(monkeypatch) -> None:
    from service.config import Settings

    for good in ("tracker.invalid,2026", "news.example.org,2026-05-01", "desk@example.org,2026-05"):
        monkeypatch.setenv("TRACKER_FEED_AUTHORITY", good)
        assert Settings().feed_authority == good
    for bad in ("https://news.example.org", "news.example.org", "news example,2026", "x,26"):
        monkeypatch.setenv("TRACKER_FEED_AUTHORITY", bad)
        with pytest.raises(ValueError, match="TRACKER_FEED_AUTHORITY"):
            Settings()
