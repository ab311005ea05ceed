"""Sign-ins at once against `tracker serve` with production's argon2 parameters: how many
passwords are checked, what the clients are told, how long it takes and the server's peak memory.
docs/RELIABILITY.md quotes its figures.

    python -m tests.bench.sign_ins [--clients 40]
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from tests.support.accounts import PASSWORD, login_form, post_login
from tests.support.servers import run_tracker, tracker_env, tracker_server


def _peak_rss_mib(pid: int) -> float:
    """The peak resident memory of `pid` and its children (uvicorn runs the app in one)."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:
            continue
        if int(fields.get("Tgid", "0")) == pid or int(fields.get("PPid", "0")) == pid:
            total += int(fields.get("VmHWM", "0 kB").split()[0])
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        env = tracker_env(
            f"sqlite:///{root}/tracker.db",
            TRACKER_ENV="development",  # argon2 as in production, not the tests' cheap one
            TRACKER_SECRET_KEY=secrets.token_urlsafe(32),
            TRACKER_LOGIN_ATTEMPTS="1000",  # the per-address limit aside: concurrency alone
        )
        run_tracker(["db", "upgrade"], env=env)
        run_tracker(
            ["users", "create", "editor", "--role", "editor", "--password-stdin"],
            env=env,
            stdin=PASSWORD + "\n",
        )
        server = tracker_server(env, log_path=Path(root) / "server.log").start()
        assert server.process is not None
        try:
            idle = _peak_rss_mib(server.process.pid)
            clients = [httpx.Client(base_url=server.url, timeout=120) for _ in range(args.clients)]
            tokens = [login_form(c).select_one("input[name=csrf_token]")["value"] for c in clients]
            statuses: list[int] = []
            barrier = threading.Barrier(args.clients)

            def sign_in(number: int) -> None:
                barrier.wait()
                password = PASSWORD if number == 0 else f"guess {number}"
                response = post_login(clients[number], "editor", password, token=tokens[number])
                statuses.append(response.status_code)

            threads = [threading.Thread(target=sign_in, args=(n,)) for n in range(args.clients)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            took = time.monotonic() - started
            peak = _peak_rss_mib(server.process.pid)
        finally:
            server.stop()
    answers = ", ".join(f"{status}: {n}" for status, n in sorted(Counter(statuses).items()))
    print(f"sign-ins sent at once: {args.clients}")
    print(f"answers: {answers}  (303 signed in, 200 wrong password, 503 busy: try again)")
    print(f"took: {took:.2f} s")
    print(f"server peak RSS: {peak:.0f} MiB (idle before: {idle:.0f} MiB)")


if __name__ == "__main__":
    main()
