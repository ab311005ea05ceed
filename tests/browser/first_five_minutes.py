"""The README's "Your first five minutes", walked through in Chromium with a screenshot of each
step: to look at and to keep the README's pictures true, not a test.

    python -m tests.browser.first_five_minutes docs/first-five-minutes

Starts `tracker serve` on a seeded SQLite file as the browser tests do (its editor stands for the
one `tracker users create` makes), then: the dashboard, signing in, pasting an article, the
claims it suggests, the track form a suggestion fills, the draft's page, and the published item
with its status form. One PNG per step, at a laptop's size, named `1-dashboard.png` and so on.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import expect, sync_playwright

from tests.browser.articles import LIBRARY, LIBRARY_PLEDGE, LIBRARY_TITLE
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, start_server
from tests.support.accounts import EDITOR, PASSWORD

VIEWPORT = {"width": 1200, "height": 760}


def walk(page: Any, base_url: str, out: Path) -> None:
    def shot(name: str, locator: Any = None) -> None:
        if locator is not None:  # that part at the top of the window
            locator.evaluate("(element) => element.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(out / f"{name}.png"))

    page.goto(base_url + "/")
    shot("1-dashboard")

    page.goto(base_url + "/login")
    page.fill("#login-username", EDITOR)
    page.fill("#login-password", PASSWORD)
    shot("2-sign-in")
    page.click("button:has-text('Sign in')")

    page.goto(base_url + "/sources/new")
    page.fill("[name=title]", LIBRARY_TITLE)
    page.fill("[name=text]", LIBRARY)
    shot("3-paste-an-article")
    page.click("button:has-text('Archive the source')")
    claim = page.locator("blockquote", has_text=LIBRARY_PLEDGE)
    suggestion = page.locator(".suggestion", has=claim)
    expect(suggestion).to_be_visible()
    shot("4-suggested-claims", page.locator("#track-heading"))

    suggestion.get_by_role("link", name="Track").click()
    expect(page.locator("[name=title]")).not_to_have_value("")
    shot("5-track-a-suggestion", page.locator("label[for=f-title]"))
    page.click(".new-actor button")  # the council was not an actor yet
    expect(page.locator("select[name=actor] option:checked")).not_to_have_text("Choose…")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#draft-heading")).to_be_visible()
    shot("6-the-draft-and-publish")
    page.click("form[action$='/publish'] button")

    status = page.locator("select[name=status]").first
    expect(status).to_be_visible()
    status.select_option(index=1)
    page.fill("textarea[name=note]", "The council advertised the 12 posts on 2 March.")
    shot("7-change-its-status", page.locator("#change-status-heading"))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as root,
        start_server(Path(root)) as server,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_context(viewport=VIEWPORT).new_page()
        walk(page, server.base_url, out)
        browser.close()
    for path in sorted(out.glob("*.png")):
        print(path)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/first-five-minutes"))
