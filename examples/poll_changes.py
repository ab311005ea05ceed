"""Follow the tracker's change feed: catch up at once, page after page, then ask every minute
whether anything changed (run: python poll_changes.py URL)."""

import sys
import time

import httpx


def get(client: httpx.Client, url: str, headers: dict[str, str]) -> httpx.Response:
    """GET `url`; a 503 (changes still being written) is tried again after its Retry-After."""
    while True:
        response = client.get(url, headers=headers)
        if response.status_code != 503:
            return response
        wait = response.headers.get("Retry-After", "1")
        time.sleep(int(wait) if wait.isdigit() else 1)


def poll_once(
    client: httpx.Client, after: int, etag: str | None, page_size: int = 1000
) -> tuple[int, str | None]:
    """Print every event after `after`, following `next` while `has_more` says more wait; the
    id to ask after and the ETag to ask with next time (a 304 then costs almost nothing)."""
    url = f"/api/v1/changes?after={after}&limit={page_size}"
    headers = {"If-None-Match": etag} if etag else {}
    while True:
        response = get(client, url, headers)
        if response.status_code == 304:
            return after, etag
        response.raise_for_status()
        feed = response.json()
        for event in feed["events"]:
            change = f"{event['from_status'] or '-'} -> {event['to_status'] or '-'}"
            item = event["item"]["slug"]
            print(f"#{event['id']} {event['at']} {item}: {change} {event['note'] or ''}")
        after = feed["last_id"]
        if not feed["has_more"]:
            return after, response.headers.get("ETag")
        url, headers = feed["next"], {}


def main(base_url: str, every_seconds: float = 60) -> None:
    after, etag = 0, None
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while True:
            after, etag = poll_once(client, after, etag)
            time.sleep(every_seconds)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
