"""The report page in Chromium, at a laptop's size, a phone's and as printed, for
docs/REPORTS.md: to look at and to keep its pictures true, not a test.

    python -m tests.browser.report_pages docs/reports

Starts `tracker serve` on a seeded SQLite file as the browser tests do. The seed is recorded the
moment it is loaded, so its history is first moved back 30 days (as on a tracker that has run a
while: the week's report then shows the week, not the whole seed); then a week of newsroom work
is recorded through the API: status changes (progress on a numeric target among them), a reply
and a correction. Writes `report-desktop.png` (1366 x 900), `report-phone.png` (390 x 844) and
`report-print.png` (print media, the whole page).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, Server, start_server

DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PRINT = {"viewport": {"width": 800, "height": 1100}}
TARGET = "pcc-62-additional-cse-staff"


def move_history_back(database: Path, days: int = 30) -> None:
    moved = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE event SET at = ?", (moved,))


def a_week_of_work(server: Server) -> None:
    with server.api() as api:
        for slug, status, note, extra in (
            (TARGET, "in_progress", "20 of the 62 posts filled, says the PCC.",
             {"progress_value": 20}),
            (TARGET, "in_progress", "41 posts filled by the end of the month.",
             {"progress_value": 41}),
            ("gov-prison-for-officials-who-fail-children", "consultation",
             "The Home Office opened a consultation.", {}),
            ("ipcc-allegation-naked-images-group-offending", "upheld",
             "The IPCC upheld the allegation.", {}),
        ):  # fmt: skip
            api.post(f"/api/v1/items/{slug}/status",
                     json={"status": status, "note": note, **extra}).raise_for_status()  # fmt: skip
        api.post("/api/v1/items/ipcc-allegation-girl-in-car-indecent-photos/replies", json={
            "by": "south-yorkshire-police", "text": "The force says it has cooperated fully.",
            "url": "https://example.org/statement",
        }).raise_for_status()  # fmt: skip
        version = api.get(f"/api/v1/items/{TARGET}").json()["version"]
        api.post(f"/api/v1/items/{TARGET}/corrections", headers={"If-Match": f'"{version}"'},
                 json={"note": "The title named the wrong year; corrected.",
                       "title": "PCC: 62 additional CSE staff"}).raise_for_status()  # fmt: skip


def shoot(browser: Any, base_url: str, out: Path) -> None:
    for name, options, media, full in (
        ("report-desktop", DESKTOP, "screen", False),
        ("report-phone", PHONE, "screen", False),
        ("report-print", PRINT, "print", True),
    ):
        context = browser.new_context(**options)
        page = context.new_page()
        page.emulate_media(media=media)
        page.goto(base_url + "/report")
        page.screenshot(path=str(out / f"{name}.png"), full_page=full)
        context.close()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as root,
        start_server(Path(root)) as server,
        sync_playwright() as playwright,
    ):
        move_history_back(Path(root) / "tracker.db")
        a_week_of_work(server)
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        shoot(browser, server.base_url, out)
        browser.close()
    for path in sorted(out.glob("report-*.png")):
        print(path)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/reports"))
