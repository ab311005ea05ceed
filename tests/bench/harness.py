"""What the benchmark runs on: a scratch database, the `tracker` command, server processes, their
memory, and wrk."""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support import servers

BENCH_DIR = Path(__file__).resolve().parent
LOAD_SCRIPT = BENCH_DIR / "load.lua"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class BenchError(Exception):
    pass


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise BenchError(
            "wrk is not installed. On Debian or Ubuntu: `apt-get install -y wrk` (as root), "
            "then run the benchmark again."
        )
    return found


# ---------------------------------------------------------------------------------------------
# Scratch databases


@dataclass
class Database:
    """A fresh, empty database for one run: a SQLite file or a PostgreSQL database."""

    kind: str
    workdir: Path
    pg_admin_url: str = PG_ADMIN_URL
    url: str = ""
    _pg_name: str = ""

    def create(self) -> Database:
        if self.kind == "sqlite":
            self.url = f"sqlite:///{self.workdir / 'tracker.db'}"
        else:
            import sqlalchemy as sa

            self._pg_name = f"tracker_bench_{uuid.uuid4().hex[:10]}"
            self._admin(f'CREATE DATABASE "{self._pg_name}"')
            admin = sa.engine.make_url(self.pg_admin_url)
            self.url = admin.set(database=self._pg_name).render_as_string(hide_password=False)
        return self

    def drop(self) -> None:
        if self._pg_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)')
            self._pg_name = ""

    def size_bytes(self) -> int | None:
        if self.kind == "sqlite":
            return sum(p.stat().st_size for p in self.workdir.glob("tracker.db*"))
        import sqlalchemy as sa

        engine = sa.create_engine(self.pg_admin_url)
        try:
            with engine.connect() as connection:
                return int(
                    connection.execute(
                        sa.text("SELECT pg_database_size(:name)"), {"name": self._pg_name}
                    ).scalar_one()
                )
        finally:
            engine.dispose()

    def _admin(self, sql: str) -> None:
        import sqlalchemy as sa

        engine = sa.create_engine(self.pg_admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(sql)
        finally:
            engine.dispose()


def tracker_env(database_url: str) -> dict[str, str]:
    """The environment of every tracker process of a run: production settings, this database."""
    return servers.tracker_env(
        database_url,
        TRACKER_ENV="production",
        TRACKER_SECRET_KEY=secrets.token_urlsafe(32),
        PYTHONUNBUFFERED="1",
    )


def prepare(env: dict[str, str], *, items: int, events_per_item: int) -> dict[str, Any]:
    """Migrate, generate the demo data, make an editor with a token; returns what it measured."""
    servers.run_tracker(["db", "upgrade"], env=env)
    began = time.perf_counter()
    report = servers.run_command(
        [sys.executable, "-m", "tools.demo_data", "--items", str(items),
         "--events-per-item", str(events_per_item)],
        env=env,
    )  # fmt: skip
    seconds = time.perf_counter() - began
    servers.run_tracker(
        ["users", "create", "bench-editor", "--role", "editor", "--password-stdin"],
        env=env,
        stdin="a long benchmark passphrase\n",
    )
    token = servers.run_tracker(["tokens", "create", "bench-editor"], env=env).splitlines()[-1]
    events = int(report.split(" events")[0].rsplit(" ", 1)[-1])
    return {"generation_seconds": round(seconds, 1), "events": events, "token": token}


# ---------------------------------------------------------------------------------------------
# Servers


class Server(servers.ServerProcess):
    """A server of the benchmark, whose worker processes can be found and measured."""

    def workers(self) -> list[int]:
        """The worker processes' ids: the server itself, or its children with --workers > 1."""
        assert self.process is not None
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        # uvicorn's supervisor also starts a resource tracker; workers are the ones serving.
        serving = [pid for pid in children if _is_uvicorn_worker(pid)]
        return sorted(serving) or [self.process.pid]

    def rss_mb(self) -> list[float]:
        return [rss_mb(pid) for pid in self.workers()]


def _is_uvicorn_worker(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"resource_tracker" not in cmdline


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def tracker_server(env: dict[str, str], *, workers: int, workdir: Path) -> Server:
    command = [*servers.tracker_command(), "serve", "--workers", str(workers)]
    return Server(command, env=env, log_path=workdir / "tracker.log", ready_path="/readyz")


def hello_server(*, workers: int, workdir: Path) -> Server:
    # The same uvicorn settings as `tracker serve`.
    command = [sys.executable, "-m", "uvicorn", "tests.bench.hello:app", "--host", "127.0.0.1",
               "--workers", str(workers), "--no-access-log", "--proxy-headers"]  # fmt: skip
    return Server(command, env=dict(os.environ), log_path=workdir / "hello.log")


def request(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 30.0,
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


# ---------------------------------------------------------------------------------------------
# wrk


@dataclass
class Load:
    threads: int = 2
    connections: int = 32
    duration: float = 10.0
    warmup: float = 2.0


@dataclass
class Requests:
    """What one wrk run sends: (method, path, body) lines, and headers for all of them."""

    lines: list[tuple[str, str, str]]
    if_none_match: str = ""
    token: str = ""
    unique: bool = False
    accept_encoding: str = ""


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time the processes have used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def wrk(
    base: str, requests: Requests, load: Load, workdir: Path, pids: list[int] | None = None
) -> dict[str, Any]:
    """Load `base` with wrk (a warm-up first); requests/s, latency percentiles and errors, and
    with `pids` the server's CPU time per request."""
    file = workdir / f"requests-{uuid.uuid4().hex[:8]}.tsv"
    file.write_text("".join(f"{m}\t{p}\t{b}\n" for m, p, b in requests.lines), encoding="utf-8")
    env = dict(os.environ)
    env.update(
        BENCH_REQUESTS=str(file),
        BENCH_IF_NONE_MATCH=requests.if_none_match,
        BENCH_TOKEN=requests.token,
        BENCH_UNIQUE="1" if requests.unique else "",
        BENCH_ACCEPT_ENCODING=requests.accept_encoding,
    )
    if load.warmup > 0:
        _wrk_once(base, load.threads, load.connections, load.warmup, env)
    cpu_before = cpu_seconds(pids) if pids else 0.0
    result = _wrk_once(base, load.threads, load.connections, load.duration, env)
    if pids:
        used = cpu_seconds(pids) - cpu_before
        result["cpu_ms_per_request"] = round(1000 * used / max(result["requests"], 1), 3)
        result["cpu_cores_used"] = round(used / load.duration, 2)
    file.unlink()
    return result


def _wrk_once(
    base: str, threads: int, connections: int, duration: float, env: dict[str, str]
) -> dict[str, Any]:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s",
               "--timeout", "30s", "-s", str(LOAD_SCRIPT), base]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH ")), None)
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    raw = json.loads(line.removeprefix("BENCH "))
    errors = sum(raw[k] for k in raw if k.startswith("errors_"))
    return {
        "rps": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "requests": raw["requests"],
        "errors": errors,
        "bytes_per_request": round(raw["bytes"] / max(raw["requests"], 1)),
        "raw": raw,
    }


# ---------------------------------------------------------------------------------------------
# The machine


def machine() -> dict[str, Any]:
    import sqlite3

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "wrk": wrk_version.split(" [")[0].strip(),
    }
