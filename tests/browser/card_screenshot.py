"""A screenshot of an item's card as an article shows it (400x300 CSS pixels, at twice the
density), for the reports documentation: to look at, not a test.

    python -m tests.browser.card_screenshot docs/reports/card.png

Starts `tracker serve` on a seeded SQLite file as the browser tests do, records progress on a
commitment with a numeric target (so that the card shows its bar) and saves the card's PNG.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from service.embeds.cards import ITEM_SIZE
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server
from tests.support.seed import ITEM


def main(target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as root, start_server(Path(root)) as server:
        with server.api() as api:
            api.post(f"/api/v1/items/{ITEM}/status", json={
                "status": "in_progress", "progress_value": 40,
                "note": "40 of the 62 posts are filled, the force's annual report says.",
            }).raise_for_status()  # fmt: skip
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            width, height = ITEM_SIZE
            context = browser.new_context(
                viewport={"width": width, "height": height}, device_scale_factor=2
            )
            page = context.new_page()
            page.goto(f"{server.base_url}/items/{ITEM}/card")
            page.screenshot(path=str(target))
            browser.close()
    print(target)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reports/card.png"))
