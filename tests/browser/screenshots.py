"""Screenshots of the tracker's pages, signed out and signed in as an editor, on a desktop
(1366x900) and a phone (390x844): to look at, not a test.

    python -m tests.browser.screenshots OUTDIR

Starts `tracker serve` on a seeded SQLite file as the browser tests do, archives a news article
through the API (one suggestion tracked, one dismissed, the rest new) and saves one full-page PNG
per page, viewport and sign-in state, named like `editor-source-phone.png`. The article quotes
an emoji: without an emoji font (Debian's fonts-noto-color-emoji) it is drawn as a box.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.browser.articles import LIBRARY, LIBRARY_ALLEGATION, LIBRARY_PLEDGE, LIBRARY_TITLE
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server, start_server
from tests.support.accounts import EDITOR, PASSWORD

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def prepare(server: Server) -> dict[str, str]:
    """A source with suggestions in each state, and an item tracked from it."""
    with server.api() as api:
        created = api.post("/api/v1/sources", json={
            "title": LIBRARY_TITLE, "text": LIBRARY, "publisher": "Lowfield Gazette",
            "url": "https://lowfield-gazette.example/news/ashby-road-library",
            "published_on": "2025-03-14", "published_precision": "day",
            "date_note": "Dated 14 March 2025 under the headline.",
        })  # fmt: skip
        created.raise_for_status()
        source = created.json()["slug"]
        api.post("/api/v1/actors", json={
            "name": "Marsham District Council", "kind": "council", "aliases": ["the council"],
        }).raise_for_status()  # fmt: skip
        candidates = api.get(f"/api/v1/sources/{source}/candidates").json()["candidates"]
        pledge = next(c for c in candidates if LIBRARY_PLEDGE in c["quote"])
        allegation = next(c for c in candidates if LIBRARY_ALLEGATION in c["quote"])
        item = api.post("/api/v1/items", json={
            "kind": "commitment", "title": "£2.4m to reopen Ashby Road library",
            "actor": "marsham-district-council", "source": source, "quote": pledge["quote"],
            "quote_start": pledge["quote_start"], "quantity": pledge["quantity"],
        })  # fmt: skip
        item.raise_for_status()
        api.post(
            f"/api/v1/sources/{source}/candidates/{allegation['id']}/dismiss"
        ).raise_for_status()
    return {"source": source, "item": item.json()["slug"]}


def pages(made: dict[str, str], *, editor: bool) -> dict[str, str]:
    public = {
        "dashboard": "/",
        "item": f"/items/{made['item']}",
        "sources": "/sources",
        "source": f"/sources/{made['source']}",
        "actors": "/actors",
        "actor": "/actors/marsham-district-council",
    }
    if not editor:
        return {**public, "login": "/login"}
    return {
        **public,
        "source-new": "/sources/new",
        "actor-new": "/actors/new",
        "item-new": made["track"],  # the "Track" link of the first new suggestion
        "item-edit": f"/items/{made['item']}/edit",
    }


def sign_in(page: Any, base_url: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username").fill(EDITOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base_url + "/")


def main(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    saved = []
    with (
        tempfile.TemporaryDirectory() as root,
        start_server(Path(root)) as server,
        sync_playwright() as playwright,
    ):
        made = prepare(server)
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        for who in ("reader", "editor"):
            for size, options in VIEWPORTS.items():
                context = browser.new_context(**options)
                page = context.new_page()
                if who == "editor":
                    sign_in(page, server.base_url)
                    page.goto(server.base_url + f"/sources/{made['source']}")
                    track = page.locator(".suggestion--new a", has_text="Track").first
                    made["track"] = track.get_attribute("href")
                for name, path in pages(made, editor=who == "editor").items():
                    page.goto(server.base_url + path)
                    file = outdir / f"{who}-{name}-{size}.png"
                    page.screenshot(path=file, full_page=True)
                    saved.append(file)
                context.close()
        browser.close()
    return saved


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for path in main(Path(sys.argv[1])):
        print(path)
