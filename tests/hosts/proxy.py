"""nginx in front of several `tracker serve` processes, as docs/DEPLOY.md sets it up, and app
hosts that come back on the same port after a crash (as a service manager restarts them).

nginx runs in the foreground (`daemon off`) with everything it writes (pid file, logs, temporary
files) in a folder of the test's own. Each answer names the host that gave it (`X-Upstream`,
nginx's `$upstream_addr`), so that the test knows which host wrote and which host read.
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Self

import httpx

from tests.support.servers import PROJECT_ROOT, ProcessFailed, ServerProcess, free_port

NGINX_CONF = """\
daemon off;
master_process on;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{user}
events {{
    worker_connections 512;
}}
http {{
    log_format hosts '$remote_addr "$request" $status $upstream_addr $upstream_status';
    access_log {folder}/access.log hosts;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    # Round robin (nginx's default), a host left out for a second after a failed connection.
    upstream tracker {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 1m;
        location / {{
            proxy_pass http://tracker;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 30s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def upstream_of(response: httpx.Response) -> str:
    """The host that answered (the last one nginx tried), as `127.0.0.1:PORT`."""
    return response.headers.get("x-upstream", "").rsplit(",", 1)[-1].strip()


class Nginx:
    """nginx on a free port of 127.0.0.1, spreading requests over `upstreams` (host:port)."""

    def __init__(
        self, binary: str, folder: Path, upstreams: Sequence[str], *, port: int = 0
    ) -> None:
        self.binary = binary
        self.folder = folder
        self.upstreams = list(upstreams)
        self.process: subprocess.Popen[bytes] | None = None
        # The port to try first (one is picked when none is given, or when it is taken).
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.folder / "nginx.conf"

    def _write_config(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # As root, nginx's workers would run as `nobody`, who cannot enter the test's folder.
        user = ""
        if os.geteuid() == 0:
            entry = pwd.getpwuid(0)
            user = f"user {entry.pw_name};"
        servers = "\n".join(
            f"        server {address} max_fails=1 fail_timeout=1s;" for address in self.upstreams
        )
        self.config_path.write_text(
            NGINX_CONF.format(folder=self.folder, user=user, servers=servers, port=self.port)
        )

    def _command(self, *extra: str) -> list[str]:
        log = str(self.folder / "error.log")
        return [self.binary, "-p", str(self.folder), "-c", str(self.config_path), "-e", log, *extra]

    def start(self, timeout: float = 20) -> Self:
        for attempt in range(3):
            if attempt or not self.port:
                self.port = free_port()
            self._write_config()
            checked = subprocess.run(
                self._command("-t"), capture_output=True, text=True, timeout=30
            )
            if checked.returncode != 0:
                raise ProcessFailed(f"nginx refused its configuration:\n{checked.stderr}")
            with (self.folder / "stdout.log").open("ab") as out:
                self.process = subprocess.Popen(
                    self._command(), stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT
                )
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    httpx.get(self.url + "/healthz", timeout=2)
                    return self
                except httpx.TransportError:
                    time.sleep(0.05)
            self.stop()
            if "address already in use" not in self.errors().lower():
                break
        raise ProcessFailed(f"nginx did not start:\n{self.errors()}")

    def stop(self) -> None:
        """SIGQUIT: nginx's graceful stop; SIGKILL if it has not gone in 10 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def moved(self) -> int:
        """Requests that nginx sent to another host after the one it chose failed (an idempotent
        request cut off by a kill, or a refused connection): their log line names two hosts."""
        path = self.folder / "access.log"
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        return sum(1 for line in lines if "," in line.rsplit('"', 1)[-1])

    def errors(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


class AppHost(ServerProcess):
    """`tracker serve` on a port of its own, which it keeps when it is started again after a
    kill (as a service manager restarts a host)."""

    def __init__(self, command: list[str], *, env: dict[str, str], log_path: Path) -> None:
        super().__init__(command, env=env, log_path=log_path, ready_path="/readyz")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Self:
        """The first start picks a free port (another one if it is taken before the server
        binds it); a start after that uses the same port. Ready once /readyz answers 200."""
        first = self.port == 0
        for _attempt in range(3 if first else 1):
            if first:
                self.port = free_port()
            logged = self.log_path.stat().st_size if self.log_path.exists() else 0
            if self._run(timeout):
                return self
            if not first or "address already in use" not in self.output()[logged:].lower():
                break
        raise ProcessFailed(f"the host on port {self.port} did not start:\n{self.output()}")

    def _run(self, timeout: float) -> bool:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*self.command, "--port", str(self.port)],
                env=self.env,
                cwd=PROJECT_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(self.url + self.ready_path, timeout=2).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        return False
