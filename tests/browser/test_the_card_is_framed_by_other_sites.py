"""An article on another site embeds an item's card in an iframe, and Chromium shows it; the same
article framing the dashboard gets nothing (frame-ancestors 'none'). The cards pass axe."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.support.seed import ACTOR, ITEM
from tests.support.servers import free_port

pytestmark = pytest.mark.browser

TITLE = "62 additional staff for the CSE unit"


@contextmanager
def article_site(body: str) -> Iterator[str]:
    """Another site (another origin: its own port, reached as `localhost`) serving one article;
    its URL. (A site the browser deems public may not frame a local server at all, whatever the
    tracker allows: a second local server keeps only the tracker's own rule in play.)"""

    class Article(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", free_port()), Article)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{site.server_address[1]}/2026/staffing.html"
    finally:
        site.shutdown()
        site.server_close()


def test_another_site_frames_the_card_but_not_the_dashboard(tab, server) -> None:
    page = tab.page
    body = f"""<!doctype html><html lang="en"><head><title>Staffing</title></head><body>
<h1>Police staffing, a year on</h1>
<iframe id="card" src="{server.base_url}/items/{ITEM}/card" width="400" height="360"
  title="{TITLE}"></iframe>
<iframe id="dashboard" src="{server.base_url}/" width="400" height="300"
  title="The tracker's dashboard"></iframe>
</body></html>"""
    with article_site(body) as article:
        page.goto(article)
        card = page.frame_locator("#card")
        heading = card.get_by_role("heading", name=TITLE)
        heading.wait_for()
        assert heading.is_visible()
        assert card.locator(".embed__status .badge").inner_text() == "Pledged"
        link = card.get_by_role("link", name=f"{TITLE} (opens in a new tab)")
        assert link.get_attribute("target") == "_blank"
        # The card's own stylesheet applies inside the frame.
        style = card.locator("main.embed").evaluate("e => getComputedStyle(e).borderTopWidth")
        assert style == "6px"
        # The dashboard's frame stays empty: Chromium refused to show it there.
        page.wait_for_timeout(500)
        dashboard = page.frame_locator("#dashboard")
        assert dashboard.locator(".site-header").count() == 0
        assert dashboard.locator("#main").count() == 0
    refusals = [e for e in tab.errors if "frame-ancestors" in e]
    assert refusals and all("'none'" in e for e in refusals), tab.errors
    assert all("/card" not in e for e in refusals)  # the card was not refused


@pytest.mark.parametrize("path", [f"/items/{ITEM}/card", f"/actors/{ACTOR}/card"])
def test_the_cards_pass_axe(tab, path) -> None:
    tab.goto(path)
    assert_accessible(tab.page)
    tab.assert_clean()
