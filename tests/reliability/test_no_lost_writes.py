"""No lost writes on a crash: the real server, set up with the `tracker` command as an operator
would, takes a stream of writes from several clients and is killed with SIGKILL in the middle
of it, several times. After each restart every acknowledged write is there, whole, and the
database passes its integrity checks."""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from service.db import create_db_engine
from tests.support.accounts import PASSWORD
from tests.support.seed import ACTOR, ITEM, QUOTE, SOURCE
from tests.support.servers import ServerProcess, run_tracker, tracker_env

CLIENTS = 4
KILLS = 2
# Acknowledged writes to wait for in each round before the kill (the clients keep writing).
WRITES_BEFORE_KILL = 40
TARGETS = [
    (ITEM, ["in_progress", "stalled", "delivered", "pledged"]),
    ("gov-1-2m-south-yorkshire-cse-funding", ["in_progress", "delivered", "broken"]),
    ("ofsted-failed-to-uncover-rotherham-cse", ["under_investigation", "upheld", "not_upheld"]),
]


@dataclass
class Ledger:
    """What the clients were told: acknowledged writes, and writes cut off by the crash."""

    notes: set[str] = field(default_factory=set)
    created: set[str] = field(default_factory=set)
    cut_off: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _write_until_cut_off(url: str, token: str, client: int, round_: int, ledger: Ledger) -> None:
    counter = itertools.count()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as http:
        while True:
            n = next(counter)
            note = f"round {round_} client {client} write {n}"
            try:
                if n % 6 == 5:
                    response = http.post(
                        "/api/v1/items",
                        json={
                            "kind": "commitment",
                            "title": f"Panel restated, {note}",
                            "actor": ACTOR,
                            "source": SOURCE,
                            "quote": QUOTE,
                        },
                    )
                else:
                    slug, statuses = TARGETS[(client + n) % len(TARGETS)]
                    response = http.post(
                        f"/api/v1/items/{slug}/status",
                        json={"status": statuses[n % len(statuses)], "note": note},
                    )
            except httpx.TransportError:
                with ledger.lock:
                    ledger.cut_off += 1
                return
            with ledger.lock:
                if response.status_code == 201:
                    ledger.created.add(response.json()["slug"])
                elif response.status_code == 200:
                    ledger.notes.add(note)
                else:
                    ledger.errors.append(f"{response.status_code} {response.text[:200]}")


def _acknowledged(ledger: Ledger) -> int:
    with ledger.lock:
        return len(ledger.notes) + len(ledger.created)


def _check_everything_is_there(database_url: str, ledger: Ledger) -> dict[str, Any]:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            notes = set(connection.execute(sa.text("SELECT note FROM event")).scalars())
            slugs = set(connection.execute(sa.text("SELECT slug FROM item")).scalars())
            torn = connection.execute(
                sa.text(
                    "SELECT item.slug FROM item JOIN event ON event.item_id = item.id "
                    "GROUP BY item.id, item.slug, item.version "
                    "HAVING item.version <> count(event.id) OR item.version <> max(event.version)"
                )
            ).all()
            events = connection.execute(sa.text("SELECT count(*) FROM event")).scalar_one()
    finally:
        engine.dispose()
    assert ledger.notes - notes == set(), "acknowledged status changes lost"
    assert ledger.created - slugs == set(), "acknowledged new items lost"
    assert torn == [], "items whose version does not match their history"
    lost = len(ledger.notes - notes) + len(ledger.created - slugs)
    return {"events": events, "lost": lost}


def _integrity(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        path = sa.engine.make_url(database_url).database
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.close()
        return
    # PostgreSQL: every B-tree index checked against its table with amcheck.
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS amcheck"))
            indexes = connection.execute(
                sa.text(
                    "SELECT c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "JOIN pg_am am ON am.oid = c.relam "
                    "WHERE n.nspname = 'public' AND am.amname = 'btree'"
                )
            ).scalars()
            checked = 0
            for oid in indexes:
                connection.execute(sa.text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
                checked += 1
            assert checked > 0
    finally:
        engine.dispose()


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill(
    bare_database_url: str, tmp_path, tracker_server, figures
) -> None:
    url = bare_database_url
    env = tracker_env(url)
    run_tracker(["db", "upgrade"], env=env)
    run_tracker(["seed"], env=env)
    run_tracker(
        ["users", "create", "desk", "--role", "editor", "--password-stdin"],
        env=env,
        stdin=PASSWORD + "\n",
    )
    token = run_tracker(["tokens", "create", "desk"], env=env).splitlines()[-1]

    ledger = Ledger()
    servers: list[ServerProcess] = []
    lost = 0
    for round_number in range(KILLS + 1):
        server = tracker_server(url)
        servers.append(server)
        server.start()
        # After each restart: every write acknowledged before the kill is there, whole.
        counts = _check_everything_is_there(url, ledger)
        lost += counts["lost"]
        with httpx.Client(base_url=server.url) as http:
            changes = http.get("/api/v1/changes", params={"limit": 1000}).json()["events"]
            assert ledger.notes <= {e["note"] for e in changes}
        if round_number == KILLS:
            server.stop()
            break
        target = _acknowledged(ledger) + WRITES_BEFORE_KILL
        clients = [
            threading.Thread(
                target=_write_until_cut_off, args=(server.url, token, n, round_number, ledger)
            )
            for n in range(CLIENTS)
        ]
        for thread in clients:
            thread.start()
        deadline = time.monotonic() + 60
        while _acknowledged(ledger) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()  # SIGKILL, while the clients are still writing
        for thread in clients:
            thread.join(timeout=60)
        assert ledger.errors == []
        assert _acknowledged(ledger) >= target
        if url.startswith("sqlite"):
            # The server died without closing the database: its WAL is left for the restart.
            assert Path(f"{sa.engine.make_url(url).database}-wal").stat().st_size > 0

    _integrity(url)
    for server in servers:
        output = server.output()
        assert token not in output and PASSWORD not in output
    backend = url.split(":")[0].split("+")[0]
    figures.state(f"crash {backend}: clients", CLIENTS)
    figures[f"crash {backend}: SIGKILLs"] += KILLS
    figures[f"crash {backend}: acknowledged writes"] += _acknowledged(ledger)
    figures[f"crash {backend}: writes cut off by a kill"] += ledger.cut_off
    figures[f"crash {backend}: acknowledged writes lost"] += lost
    figures.state(f"crash {backend}: events after the last restart", counts["events"])


def test_acknowledged_writes_are_synced_to_disk(app_settings) -> None:
    """SQLite: WAL with synchronous=FULL, each commit fsynced before the answer goes out;
    PostgreSQL: synchronous_commit and fsync on."""
    from service.db import get_engine

    if not app_settings.is_sqlite:
        assert get_engine().dialect.name == "postgresql"
        with get_engine().connect() as connection:
            assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
            assert connection.exec_driver_sql("SHOW fsync").scalar() == "on"
        return
    with get_engine().connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
