"""Poll the tracker's change feed and print what changed (run: python poll_changes.py URL)."""

import sys
import time

import httpx


def poll_once(client: httpx.Client, after: int, etag: str | None) -> tuple[int, str | None]:
    """Ask for the events after `after`; a 304 means nothing changed and costs almost nothing."""
    headers = {"If-None-Match": etag} if etag else {}
    response = client.get("/api/v1/changes", params={"after": after}, headers=headers)
    if response.status_code == 304:
        return after, etag
    response.raise_for_status()
    feed = response.json()
    for event in feed["events"]:
        change = f"{event['from_status'] or '-'} -> {event['to_status'] or '-'}"
        print(
            f"#{event['id']} {event['at']} {event['item']['slug']}: {change} {event['note'] or ''}"
        )
    return feed["last_id"], response.headers.get("ETag")


def main(base_url: str, every_seconds: float = 60) -> None:
    after, etag = 0, None
    with httpx.Client(base_url=base_url, timeout=10) as client:
        while True:
            after, etag = poll_once(client, after, etag)
            time.sleep(every_seconds)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
