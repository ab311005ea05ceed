"""Several app hosts on one PostgreSQL behind nginx, as docs/DEPLOY.md describes them.

Three `tracker serve` processes share one database; nginx, started here, spreads requests over
them in turn. For about 20 s writers change statuses and edit items through nginx with API
tokens (edits with `If-Match`), and pollers ask, also through nginx, for one item, the list and
the change feed with `If-None-Match`, as clients do. Midway one host is killed with SIGKILL and
started again on its port; nginx sends everything to the other two meanwhile.

What it proves:
- no acknowledged write is lost: each is in its item's history, with its own note or text;
- no stale answer: once a write is acknowledged (by whichever host), no later poll (to whichever
  host) is answered with a 304 for an older copy, nor with a body older than that write;
- the change feed, read from the start, holds every acknowledged write, in id order, and the
  poller that followed it as it grew skipped none of its events;
- a dashboard session made through one host is valid on every host, the restarted one too.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hosts.proxy import AppHost, Nginx, upstream_of
from tests.support.accounts import EDITOR, PASSWORD, page_csrf_token, post_login
from tests.support.seed import ITEM
from tests.support.servers import free_port, run_tracker, tracker_command, tracker_env

HOSTS = 3
WRITERS = 4
RUN_SECONDS = 20.0
# When the victim is killed (after the start of the run), and how long it stays down.
KILL_AFTER = 6.0
DOWN_FOR = 1.0
# The run goes on at least this long after the restart (however slow the start was).
AFTER_RESTART = 4.0
# A poller's pause between two polls.
POLL_PAUSE = 0.02
# Items of each kind, with statuses of their kind to move between.
TARGETS = [
    (ITEM, ["in_progress", "stalled", "delivered", "pledged"]),
    ("gov-1-2m-south-yorkshire-cse-funding", ["in_progress", "delivered", "broken"]),
    ("ofsted-failed-to-uncover-rotherham-cse", ["under_investigation", "upheld", "not_upheld"]),
]
SLUGS = [slug for slug, _ in TARGETS]
# nginx's answers when the host it chose died with the request: the client got no answer.
NO_ANSWER = {502, 504}


@dataclass(frozen=True)
class Write:
    """An acknowledged write: the item's version it made, what it wrote, who answered, when."""

    slug: str
    version: int
    kind: str  # "status" (the text is the note) or "edit" (the text is the description)
    text: str
    host: str
    at: float


@dataclass
class Ledger:
    """What the clients were told, shared by every thread."""

    writes: list[Write] = field(default_factory=list)
    newest: dict[str, int] = field(default_factory=dict)
    newest_host: dict[str, str] = field(default_factory=dict)
    unanswered_writes: int = 0
    refused_stale: int = 0
    polls: Counter[str] = field(default_factory=Counter)
    unanswered_polls: int = 0
    cross_host_polls: int = 0
    stale: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # (when, which host) of every answer a host gave.
    answers: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledge(self, write: Write) -> None:
        with self.lock:
            self.writes.append(write)
            self.answers.append((write.at, write.host))
            if write.version > self.newest.get(write.slug, 0):
                self.newest[write.slug] = write.version
                self.newest_host[write.slug] = write.host

    def must_show(self) -> tuple[dict[str, int], dict[str, str], int]:
        """Before a poll: the newest acknowledged version of each item, who acknowledged it,
        and how many writes were acknowledged (the first that many must all show)."""
        with self.lock:
            return dict(self.newest), dict(self.newest_host), len(self.writes)

    def polled(self, what: str, response: httpx.Response, hosts_written: set[str]) -> None:
        host = upstream_of(response)
        with self.lock:
            self.polls[what] += 1
            self.answers.append((time.monotonic(), host))
            if hosts_written - {host}:
                self.cross_host_polls += 1

    def add(self, name: str, message: str | None = None) -> None:
        with self.lock:
            if name == "stale":
                self.stale.append(str(message))
            elif name == "error":
                self.errors.append(str(message))
            elif name == "unanswered write":
                self.unanswered_writes += 1
            elif name == "unanswered poll":
                self.unanswered_polls += 1
            elif name == "412":
                self.refused_stale += 1
            else:
                raise ValueError(f"nothing is counted as {name!r}")


def _write(url: str, token: str, writer: int, ledger: Ledger, stop: threading.Event) -> None:
    """Status changes, and every fourth write an edit with If-Match from a fresh read."""
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as http:
        for n in itertools.count():
            if stop.is_set():
                return
            slug, statuses = TARGETS[(writer + n) % len(TARGETS)]
            text = f"Writer {writer}, write {n}."
            try:
                if n % 4 == 3:
                    kind = "edit"
                    read = http.get(f"/api/v1/items/{slug}")
                    if read.status_code != 200:
                        ledger.add("unanswered write" if read.status_code in NO_ANSWER else "error",
                                   f"GET {slug}: {read.status_code} {read.text[:200]}")  # fmt: skip
                        continue
                    response = http.patch(
                        f"/api/v1/items/{slug}",
                        json={"description": text},
                        headers={"If-Match": read.headers["etag"]},
                    )
                else:
                    kind = "status"
                    response = http.post(
                        f"/api/v1/items/{slug}/status",
                        json={"status": statuses[n % len(statuses)], "note": text},
                    )
            except httpx.TransportError:
                ledger.add("unanswered write")
                continue
            if response.status_code == 200:
                version = int(response.json()["version"])
                ledger.acknowledge(
                    Write(slug, version, kind, text, upstream_of(response), time.monotonic())
                )
            elif response.status_code == 412:
                ledger.add("412")  # another writer changed it since the read: refused, not lost
            elif response.status_code in NO_ANSWER:
                ledger.add("unanswered write")
            else:
                ledger.add("error", f"{kind} {slug}: {response.status_code} {response.text[:200]}")


def _poll(
    url: str,
    what: str,
    path: str,
    slugs: list[str],
    shown_of: Callable[[Any], dict[str, int]],
    ledger: Ledger,
    stop: threading.Event,
) -> None:
    """Conditional GETs of `path`; each answer (a body, or a 304 for the copy held) must show
    every item at least at the newest version acknowledged before the poll was sent."""
    etag: str | None = None
    held: dict[str, int] = {}
    with httpx.Client(base_url=url, timeout=30) as http:
        while not stop.wait(POLL_PAUSE):
            newest, newest_host, _ = ledger.must_show()
            try:
                response = http.get(path, headers={"If-None-Match": etag} if etag else {})
            except httpx.TransportError:
                ledger.add("unanswered poll")
                continue
            if response.status_code in NO_ANSWER:
                ledger.add("unanswered poll")
                continue
            if response.status_code == 200:
                held, etag = shown_of(response.json()), response.headers.get("etag")
            elif response.status_code != 304:
                ledger.add("error", f"GET {path}: {response.status_code} {response.text[:200]}")
                continue
            behind = {
                slug: (held.get(slug), newest[slug])
                for slug in slugs
                if held.get(slug, 0) < newest.get(slug, 0)
            }
            if behind:
                ledger.add("stale", f"{what} {response.status_code} from {upstream_of(response)}: "
                                    f"(shown, acknowledged) {behind}")  # fmt: skip
            written = {newest_host[slug] for slug in slugs if slug in newest_host}
            ledger.polled(what, response, written)


def _follow_changes(
    url: str,
    after: int,
    checked: int,
    ledger: Ledger,
    seen: list[dict[str, Any]],
    stop: threading.Event,
) -> None:
    """Follow the change feed after event `after` as examples/poll_changes.py does: page after
    page while `has_more`, then the same URL again with If-None-Match. Whenever it has caught up,
    every write acknowledged before that request (but the first `checked`, made before event
    `after`) is among the events it has read."""
    keys: set[tuple[str, int]] = set()
    etag: str | None = None
    with httpx.Client(base_url=url, timeout=30) as http:
        while not stop.wait(POLL_PAUSE):
            _, newest_host, acknowledged = ledger.must_show()
            path = f"/api/v1/changes?after={after}&limit=1000"
            try:
                response = http.get(path, headers={"If-None-Match": etag} if etag else {})
            except httpx.TransportError:
                ledger.add("unanswered poll")
                continue
            if response.status_code in NO_ANSWER or response.status_code == 503:
                # 503: changes still being written (Retry-After); nginx's: no answer.
                ledger.add("unanswered poll")
                continue
            caught_up = True
            if response.status_code == 200:
                page = response.json()
                ids = [event["id"] for event in page["events"]]
                if ids != sorted(set(ids)) or (ids and ids[0] <= after):
                    ledger.add("error", f"feed after {after}: ids out of order {ids[:20]}")
                seen.extend(page["events"])
                keys.update((e["item"]["slug"], e["version"]) for e in page["events"])
                after, caught_up = page["last_id"], not page["has_more"]
                etag = response.headers.get("etag") if not page["has_more"] else None
            elif response.status_code != 304:
                ledger.add("error", f"GET {path}: {response.status_code} {response.text[:200]}")
                continue
            written = set(newest_host.values())
            ledger.polled("change feed", response, written)
            if not caught_up:
                continue
            with ledger.lock:
                due = ledger.writes[checked:acknowledged]
            missing = [w for w in due if (w.slug, w.version) not in keys]
            if missing:
                ledger.add("stale", f"change feed {response.status_code} from "
                                    f"{upstream_of(response)} lacks {missing[:3]}")  # fmt: skip
            checked = max(checked, acknowledged)


def _item_versions(body: Any) -> dict[str, int]:
    return {body["slug"]: int(body["version"])}


def _list_versions(body: Any) -> dict[str, int]:
    return {item["slug"]: int(item["version"]) for item in body["items"]}


def _sign_in(url: str) -> tuple[str, str]:
    """Sign in through the dashboard's form by way of nginx (the form from one host, the post to
    the next); the session cookie and its CSRF token."""
    with httpx.Client(base_url=url, timeout=30) as browser:
        response = post_login(browser, EDITOR, PASSWORD)
        assert response.status_code == 303, response.text
        token = page_csrf_token(browser)
        cookie = browser.cookies.get("tracker_session")
    assert cookie, "no session cookie after signing in"
    return cookie, token


def _session_is_valid_on(host: AppHost, cookie: str, csrf: str, ledger: Ledger, note: str) -> None:
    """On the host itself, not through nginx: the session reads what editors alone may read and
    writes with its CSRF token; without it the same read is refused."""
    slug, statuses = TARGETS[0]
    with httpx.Client(base_url=host.url, timeout=30) as direct:
        assert direct.get("/api/v1/items?publication=draft").status_code == 401
        direct.cookies.set("tracker_session", cookie)
        assert direct.get("/api/v1/items?publication=draft").status_code == 200, host.address
        response = direct.post(
            f"/api/v1/items/{slug}/status",
            json={"status": statuses[0], "note": note},
            headers={"X-CSRF-Token": csrf},
        )
    assert response.status_code == 200, f"{host.address}: {response.text}"
    ledger.acknowledge(
        Write(slug, int(response.json()["version"]), "status", note, host.address, time.monotonic())
    )


def _history_check(url: str, ledger: Ledger) -> int:
    """Every acknowledged write is in its item's history, with what it wrote; how many."""
    found = 0
    with httpx.Client(base_url=url, timeout=30) as http:
        for slug in SLUGS:
            response = http.get(f"/api/v1/items/{slug}/history")
            assert response.status_code == 200, response.text
            by_version = {event["version"]: event for event in response.json()["events"]}
            for write in (w for w in ledger.writes if w.slug == slug):
                event = by_version.get(write.version)
                assert event is not None, f"acknowledged write lost: {write}"
                if write.kind == "status":
                    assert event["note"] == write.text, (write, event)
                else:
                    assert (event["changes"] or {}).get("description", [None, None])[1] == (
                        write.text
                    ), (write, event)
                found += 1
    return found


def _event_ids_after(database_url: str, after: int) -> list[int]:
    """The ids of the events in the database after `after`, read there."""
    import sqlalchemy as sa

    from service.db import create_db_engine

    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT id FROM event WHERE id > :after ORDER BY id")
            return list(connection.execute(query, {"after": after}).scalars())
    finally:
        engine.dispose()


def _whole_feed(url: str) -> list[dict[str, Any]]:
    """The change feed from the start, page after page."""
    events: list[dict[str, Any]] = []
    path: str | None = "/api/v1/changes?after=0&limit=1000"
    with httpx.Client(base_url=url, timeout=30) as http:
        while path is not None:
            response = http.get(path)
            assert response.status_code == 200, response.text
            page = response.json()
            events.extend(page["events"])
            path = page["next"] if page["has_more"] else None
    return events


def _migrate_seed_and_add_an_editor(url: str) -> None:
    """The shared database: migrated, the seed data loaded, an editor (as tests/conftest.py
    prepares its databases, in this process: quicker than three `tracker` commands)."""
    from service import migrate, seeds
    from service.accounts import service as accounts
    from service.config import PROJECT_ROOT
    from service.db import create_db_engine, write_session

    migrate.upgrade(url)
    engine = create_db_engine(url)
    try:
        with write_session(engine) as session:
            seeds.load(session, seeds_dir=PROJECT_ROOT / "seeds")
        with write_session(engine) as session:
            accounts.create_user(session, username=EDITOR, password=PASSWORD, role="editor")
    finally:
        engine.dispose()


@pytest.mark.hosts
@pytest.mark.slow
def test_several_hosts_behind_nginx_lose_nothing_and_serve_nothing_stale(
    shared_database: str, nginx_binary: str, tmp_path: Path, figures
) -> None:
    url = shared_database
    secret = secrets.token_urlsafe(32)
    _migrate_seed_and_add_an_editor(url)
    token = run_tracker(
        ["tokens", "create", EDITOR], env=tracker_env(url, TRACKER_SECRET_KEY=secret)
    ).splitlines()[-1]

    proxy_port = free_port()
    # The same settings on every host: the database, the secret, the public address (nginx's),
    # and nginx as the one proxy whose X-Forwarded-* headers are believed.
    env = tracker_env(
        url,
        TRACKER_SECRET_KEY=secret,
        TRACKER_BASE_URL=f"http://127.0.0.1:{proxy_port}",
        TRACKER_TRUSTED_PROXIES="127.0.0.1",
    )
    command = [*tracker_command(), "serve", "--workers", "1"]
    hosts = [AppHost(command, env=env, log_path=tmp_path / f"host-{n}.log") for n in range(HOSTS)]
    nginx = Nginx(nginx_binary, tmp_path / "nginx", [], port=proxy_port)
    try:
        with ThreadPoolExecutor(HOSTS) as starting:
            list(starting.map(lambda host: host.start(), hosts))
        nginx.upstreams = [host.address for host in hosts]
        nginx.start()
        proxy = nginx.url
        addresses = {host.address for host in hosts}

        ledger = Ledger()
        cookie, csrf = _sign_in(proxy)
        for n, host in enumerate(hosts):
            _session_is_valid_on(host, cookie, csrf, ledger, f"Session checked on host {n}.")
        # The newest event before the run: the follower starts after it.
        start_after = max(event["id"] for event in _whole_feed(proxy))

        stop = threading.Event()
        followed: list[dict[str, Any]] = []
        threads = [
            threading.Thread(target=_write, args=(proxy, token, n, ledger, stop))
            for n in range(WRITERS)
        ]
        threads += [
            threading.Thread(
                target=_poll,
                args=(proxy, "item", f"/api/v1/items/{ITEM}", [ITEM], _item_versions, ledger, stop),
            ),
            threading.Thread(
                target=_poll,
                args=(
                    proxy,
                    "list",
                    "/api/v1/items?limit=200",
                    SLUGS,
                    _list_versions,
                    ledger,
                    stop,
                ),
            ),
            threading.Thread(
                target=_follow_changes,
                args=(proxy, start_after, len(ledger.writes), ledger, followed, stop),
            ),
        ]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        try:
            time.sleep(KILL_AFTER)
            victim = hosts[1]
            killed_at = time.monotonic()
            victim.kill()  # SIGKILL, while the clients go on writing and polling
            time.sleep(DOWN_FOR)
            victim.start()  # on the same port
            back_at = time.monotonic()
            time.sleep(max(AFTER_RESTART, began + RUN_SECONDS - time.monotonic()))
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        ran = time.monotonic() - began

        # The session made before the kill is valid on every host, the restarted one too.
        for n, host in enumerate(hosts):
            _session_is_valid_on(host, cookie, csrf, ledger, f"Session checked again on {n}.")

        assert ledger.errors == []
        assert ledger.stale == []
        found = _history_check(proxy, ledger)
        assert found == len(ledger.writes)

        feed = _whole_feed(hosts[0].url)
        ids = [event["id"] for event in feed]
        assert ids == sorted(set(ids)), "the change feed is out of order"
        in_feed = {(event["item"]["slug"], event["version"]) for event in feed}
        assert {(w.slug, w.version) for w in ledger.writes} <= in_feed
        # Every event of the run is in it (ids left out are ids no event has), and the poller
        # that followed the feed as it grew read exactly its events, none skipped.
        assert [i for i in ids if i > start_after] == _event_ids_after(url, start_after)
        last_followed = followed[-1]["id"] if followed else start_after
        assert [e["id"] for e in followed] == [i for i in ids if start_after < i <= last_followed]

        # nginx spread the work: each host answered, the victim again after its restart, and
        # writes were acknowledged while it was down.
        answered = Counter(host for _, host in ledger.answers)
        assert set(answered) >= addresses, answered
        assert any(at > back_at and host == victim.address for at, host in ledger.answers)
        down = [w for w in ledger.writes if killed_at < w.at < back_at]
        assert down, "no write was acknowledged while a host was down"
        assert ledger.cross_host_polls > 0
        edits = sum(1 for write in ledger.writes if write.kind == "edit")
        assert edits > 0, "no edit got through If-Match"
        polls = sum(ledger.polls.values())
        assert ledger.polls["change feed"] > 0 and ledger.polls["item"] > 0
        assert ledger.polls["list"] > 0
        moved = nginx.moved()
    finally:
        nginx.stop()
        for host in hosts:
            host.kill()

    for host in hosts:
        assert token not in host.output()
    figures.state("hosts: app hosts behind nginx", HOSTS)
    figures.state("hosts: seconds of writes and polls", round(ran))
    figures.state("hosts: writes acknowledged", len(ledger.writes))
    figures.state("hosts: writes found in the history", found)
    figures.state("hosts: writes acknowledged while a host was down", len(down))
    figures.state("hosts: writes left unanswered by the kill", ledger.unanswered_writes)
    figures.state("hosts: edits acknowledged (If-Match)", edits)
    figures.state("hosts: edits refused as stale (412)", ledger.refused_stale)
    figures.state("hosts: polls", polls)
    figures.state("hosts: polls answered by another host than the write they had to show",
                  ledger.cross_host_polls)  # fmt: skip
    figures.state("hosts: polls left unanswered by the kill", ledger.unanswered_polls)
    figures.state("hosts: requests nginx moved to another host", moved)
    figures.state("hosts: stale answers", len(ledger.stale))
    figures.state("hosts: change feed events read by the follower", len(followed))
    figures.state("hosts: kill to ready again (ms)", round((back_at - killed_at) * 1000))
    figures.state("hosts: restart to ready (ms)", round((back_at - killed_at - DOWN_FOR) * 1000))
