"""`tracker report`: the report of a window made from any tracker's public JSON API (no database
access), with the same function that makes the tracker's own report page.

It reads the change feed of the window (following `next` while `has_more`), the summary as of
the day before the window and as of its last day, the overdue items and the commitments (each
list followed by `next_cursor`), and the history of each commitment with a numeric target. Every
answer is kept with its ETag in the output folder's `.cache`, so that a second run asks with
`If-None-Match` and reuses what a 304 confirms; a 503 is asked again after its `Retry-After`, a
few times at most."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx
import orjson

from service.events.models import EventPublic, History
from service.items.models import ItemPublic, Summary
from service.reports import build, html, markdown
from service.reports.models import Report, ReportInputs, ReportWindow, TargetHistory

# A 503 is asked again at most this many times, waiting at most this long each time (seconds).
RETRIES = 3
LONGEST_WAIT = 30.0
TIMEOUT = 30.0
PAGE_SIZE = 200
FEED_PAGE_SIZE = 1000


class Unreachable(Exception):
    """The tracker could not be read: the message says why, in one line."""


def _retry_after(value: str | None) -> float:
    """Seconds to wait, from a Retry-After header (seconds or an HTTP date); 1 if absent."""
    if not value:
        return 1.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _problem(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or response.reason_phrase)
    return response.reason_phrase


class Reader:
    """Reads a tracker's JSON API: conditional requests against a folder of kept answers,
    retries after 503."""

    def __init__(
        self,
        base_url: str,
        *,
        cache_dir: Path | None,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache_dir = cache_dir
        self.client = client or httpx.Client(
            timeout=TIMEOUT, headers={"Accept": "application/json"}, follow_redirects=True
        )
        self.sleep = sleep

    def _kept(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / (hashlib.sha256(url.encode()).hexdigest()[:40] + ".json")

    def get(self, path: str, **query: Any) -> Any:
        """The JSON at `path` (a path on the tracker, or a URL under it), with `query`."""
        url = urljoin(self.base_url + "/", path.lstrip("/")) if "://" not in path else path
        if query:
            params = {k: str(v) for k, v in query.items() if v is not None}
            url += ("&" if urlsplit(url).query else "?") + urlencode(params)
        kept_path = self._kept(url)
        kept: dict[str, Any] | None = None
        if kept_path is not None and kept_path.is_file():
            try:
                kept = orjson.loads(kept_path.read_bytes())
            except orjson.JSONDecodeError:
                kept = None
        headers = {"If-None-Match": kept["etag"]} if kept and kept.get("etag") else {}
        for attempt in range(RETRIES + 1):
            try:
                response = self.client.get(url, headers=headers)
            except httpx.HTTPError as error:
                reason = str(error) or type(error).__name__
                raise Unreachable(f"cannot reach {self.base_url}: {reason}") from None
            if response.status_code == 503 and attempt < RETRIES:
                self.sleep(min(_retry_after(response.headers.get("retry-after")), LONGEST_WAIT))
                continue
            break
        if response.status_code == 304 and kept is not None:
            return kept["body"]
        if response.status_code != 200:
            raise Unreachable(
                f"{url} answered {response.status_code}: {_problem(response)}".replace("\n", " ")
            )
        try:
            body = response.json()
        except ValueError:
            raise Unreachable(f"{url} did not answer JSON: is {self.base_url} a tracker?") from None
        etag = response.headers.get("etag")
        if kept_path is not None and etag:
            kept_path.parent.mkdir(parents=True, exist_ok=True)
            kept_path.write_bytes(orjson.dumps({"url": url, "etag": etag, "body": body}))
        return body


def _start(day: dt.date) -> str:
    return day.isoformat()


def window_events(reader: Reader, window: ReportWindow) -> list[EventPublic]:
    """The change feed of the window, page after page while `has_more`."""
    page = reader.get("/api/v1/changes", since=_start(window.start), until=window.end.isoformat(),
                      limit=FEED_PAGE_SIZE)  # fmt: skip
    found = [EventPublic.model_validate(e) for e in page["events"]]
    while page.get("has_more") and page.get("next"):
        page = reader.get(page["next"])
        found.extend(EventPublic.model_validate(e) for e in page["events"])
    return found


def all_items(reader: Reader, **filters: str) -> Iterator[ItemPublic]:
    """Every item a list with these filters gives, page after page (`next_cursor`)."""
    cursor: str | None = None
    while True:
        page = reader.get("/api/v1/items", **filters, limit=PAGE_SIZE, cursor=cursor)
        yield from (ItemPublic.model_validate(item) for item in page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return


def inputs(reader: Reader, window: ReportWindow) -> ReportInputs:
    """Everything a report of `window` is made from, read from the tracker's JSON API."""
    targets = [
        TargetHistory(
            item=item,
            history=History.model_validate(reader.get(f"/api/v1/items/{item.slug}/history")).events,
        )
        for item in all_items(reader, kind="commitment")
        if item.tracks_progress
    ]
    return ReportInputs(
        window=window,
        events=window_events(reader, window),
        start=Summary.model_validate(
            reader.get("/api/v1/summary", as_of=window.day_before.isoformat())
        ),
        end=Summary.model_validate(reader.get("/api/v1/summary", as_of=window.end.isoformat())),
        overdue=list(all_items(reader, overdue="true")),
        targets=targets,
    )


def report_from(reader: Reader, window: ReportWindow) -> Report:
    return build.make_report(inputs(reader, window))


def write(report: Report, *, base_url: str, out: Path) -> tuple[Path, Path]:
    """report.md and a self-contained report.html, written into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    md, page = out / "report.md", out / "report.html"
    md.write_text(markdown.render(report, base_url=base_url), encoding="utf-8")
    page.write_text(html.standalone(report, base_url=base_url), encoding="utf-8")
    return md, page
