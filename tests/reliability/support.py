"""Helpers of the reliability tests: the tracker as a real server process and as the `tracker`
command, whole-database exports to compare, and the figures of the run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx

from service.config import PROJECT_ROOT

# Counted by the tests, printed by pytest_terminal_summary, quoted in docs/RELIABILITY.md.
FIGURES: Counter[str] = Counter()


def export_of(database_url: str) -> bytes:
    """The whole database as export bytes."""
    from service.db import create_db_engine
    from service.system.backup import export_bytes

    engine = create_db_engine(database_url)
    try:
        return export_bytes(engine)
    finally:
        engine.dispose()


def tracker_command() -> list[str]:
    """The installed `tracker` script of this environment."""
    script = Path(sys.executable).with_name("tracker")
    return [str(script)] if script.exists() else [sys.executable, "-m", "service.cli"]


def run_tracker(
    args: list[str], *, database_url: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run one `tracker` command against a database, as an operator would."""
    result = subprocess.run(
        [*tracker_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=server_env(database_url),
        cwd=PROJECT_ROOT,
        timeout=timeout,
    )
    assert result.returncode == 0, f"tracker {' '.join(args)}: {result.stdout}{result.stderr}"
    return result


def server_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(TRACKER_DATABASE_URL=database_url, TRACKER_ENV="test")
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TrackerServer:
    """`tracker serve` in its own process group, so that SIGKILL takes every worker at once."""

    def __init__(self, database_url: str, log_path: Path, workers: int = 1) -> None:
        self.database_url = database_url
        self.log_path = log_path
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        self.port = free_port()
        with self.log_path.open("ab") as log:
            command = ["serve", "--port", str(self.port), "--workers", str(self.workers)]
            self.process = subprocess.Popen(
                [*tracker_command(), *command],
                env=server_env(self.database_url),
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited at start:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"the server was not ready in {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


# Seed data the tests lean on.
ITEM = "pcc-62-additional-cse-staff"
SOURCE = "rotherham-cse-live-updates-pcc"
QUOTE = "I have also formed a victims and survivors panel"
PASSWORD = "correct horse battery staple"


def record_activity(database_url: str) -> dict[str, str]:
    """Put rows in every table through the service functions, the way the API would: users and
    tokens (one revoked), a status change with evidence and progress, an edit (with its
    old/new wording), a new item and a failed sign-in. Returns the secrets it used."""
    from service.accounts import service as accounts
    from service.db import create_db_engine, write_session
    from service.items import service as items
    from service.items.models import ItemCreate, ItemUpdate, Quantity, StatusChange
    from service.sources import service as sources
    from service.sources import suggestions
    from service.sources.models import SourceMetadata

    engine = create_db_engine(database_url)
    try:
        with write_session(engine) as s:
            editor = accounts.create_user(s, username="ed", password=PASSWORD, role="editor")
            accounts.create_user(s, username="vi", password=PASSWORD + "!", role="viewer")
            token = accounts.create_token(s, username="ed")
            revoked = accounts.create_token(s, username="ed", name="old")
            accounts.revoke_token(s, token_or_prefix=revoked)
        with write_session(engine) as s:
            items.record_status_change(
                s,
                ref=ITEM,
                change=StatusChange(
                    status="in_progress",
                    note="Recruitment under way: 40 in post.",
                    evidence_url="https://example.org/report?a=1&b=2",
                    evidence_quote="Forty officers are now in post.",
                    progress_value=40.5,
                ),
                user_id=editor.id,
            )
        with write_session(engine) as s:
            items.update(
                s,
                ref=ITEM,
                data=ItemUpdate(title="62 more staff for the CSE unit", due_on="2027-01-31"),
                if_match_version=2,
                user_id=editor.id,
            )
        with write_session(engine) as s:
            items.create(
                s,
                data=ItemCreate(
                    kind="commitment",
                    title="Victims and survivors panel, café « accents » ✓",
                    actor="alan-billings",
                    source=SOURCE,
                    quote=QUOTE,
                    quantity=Quantity(value=1200000.25, unit="GBP"),
                    made_on="2015-02-04",
                ),
                user_id=editor.id,
            )
        with write_session(engine) as s:
            accounts.authenticate_password(
                s, username="ed", password="wrong password", keys=["ip:192.0.2.1", "user:ed"]
            )
        with write_session(engine) as s:
            # An upload kept byte for byte (bytes that are not UTF-8 too), and a suggestion
            # dismissed in it.
            uploaded = sources.archive(
                s,
                meta=SourceMetadata(title="Council statement", published_precision="month",
                                    published_on="2015-03-01", date_note="“last March”"),
                text="The council will publish its review by June.\n",
                original=sources.Upload("statement.html", "text/html", b"<p>\xff\x00 review</p>"),
            )  # fmt: skip
            candidate = suggestions.for_source(s, slug=uploaded.slug)[0]
            suggestions.dismiss(s, slug=uploaded.slug, candidate_id=candidate.id, user_id=None)
    finally:
        engine.dispose()
    return {"token": token, "revoked": revoked, "password": PASSWORD}


def table_counts(export: bytes) -> dict[str, int]:
    import json

    return {name: len(t["rows"]) for name, t in json.loads(export)["tables"].items()}


def walk_routes(routes: list, prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    """(path, methods) of every route of an app, through its included routers."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from walk_routes(inner.routes, prefix + route.include_context.prefix)
        elif getattr(route, "methods", None):
            yield prefix + route.path, set(route.methods)
