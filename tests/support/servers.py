"""The tracker as an operator runs it: `tracker` commands, and `tracker serve` as a real server
process on a free port of 127.0.0.1 (the browser tests, the reliability tests and the benchmark
all start theirs here)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Self

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ProcessFailed(RuntimeError):
    """A `tracker` command that failed, or a server that did not start; the message holds what
    it printed."""


def tracker_command() -> list[str]:
    """The installed `tracker` script of this environment."""
    script = Path(sys.executable).with_name("tracker")
    return [str(script)] if script.exists() else [sys.executable, "-m", "service.cli"]


def tracker_env(database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a tracker process: this one's without its TRACKER_ settings, then the
    database, test settings (cheap password hashing among them) and `settings` over them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update({"TRACKER_DATABASE_URL": database_url, "TRACKER_ENV": "test", **settings})
    return env


def run_tracker(
    args: list[str], *, env: dict[str, str], stdin: str | None = None, timeout: float = 600
) -> str:
    """Run `tracker ARGS`; its standard output."""
    return run_command([*tracker_command(), *args], env=env, stdin=stdin, timeout=timeout)


def run_command(
    command: list[str], *, env: dict[str, str], stdin: str | None = None, timeout: float = 600
) -> str:
    """Run a command from the repository root; its standard output."""
    result = subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise ProcessFailed(f"{' '.join(command)}: {result.stdout}{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


class ServerProcess:
    """A server started with `COMMAND --port N` in its own process group (so that a signal
    reaches every worker at once), its output appended to a log file. `start()` picks a free
    port each time and waits until `ready_path` answers 200."""

    def __init__(
        self, command: list[str], *, env: dict[str, str], log_path: Path, ready_path: str = "/"
    ) -> None:
        self.command = command
        self.env = env
        self.log_path = log_path
        self.ready_path = ready_path
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Self:
        # The port is free when chosen, but another process may take it before the server
        # binds it (tests run in parallel): then the server exits, and gets another port.
        for _attempt in range(3):
            self.port = free_port()
            logged = self.log_path.stat().st_size if self.log_path.exists() else 0
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [*self.command, "--port", str(self.port)],
                    env={**self.env, "TRACKER_BASE_URL": self.url},
                    cwd=PROJECT_ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    break
                if _status(self.url + self.ready_path) == 200:
                    return self
                time.sleep(0.05)
            else:
                self.kill()
                raise ProcessFailed(f"the server was not ready in {timeout} s:\n{self.output()}")
            if "address already in use" not in self.output()[logged:].lower():
                break
        raise ProcessFailed(f"the server exited at start:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no goodbye, as in a crash."""
        self._signal(signal.SIGKILL)

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it; SIGKILL if it has not exited in 10 s."""
        self._signal(signal.SIGTERM)

    def _signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signum)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def tracker_server(env: dict[str, str], *, log_path: Path, workers: int = 1) -> ServerProcess:
    """`tracker serve`, ready once it answers /readyz (database reachable, migrations at head)."""
    command = [*tracker_command(), "serve", "--workers", str(workers)]
    return ServerProcess(command, env=env, log_path=log_path, ready_path="/readyz")
