"""Uploads at once against `tracker serve`: 20 HTML pages of about 700 KB posted together, the
resident memory of the server process and of its children (the forkserver and the children that
read the files) sampled every 20 ms, how long the uploads took and the slowest GET /healthz
meanwhile; then a PDF bomb and a
decompression bomb, and how long each took to be refused. docs/INTAKE.md quotes its figures.

    python -m tests.bench.uploads [--uploads 20] [--size 700000] [--workers 1]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import httpx

from tests.sources.test_extract_sandbox import (
    HealthPoller,
    decompression_bomb,
    dense_page,
    pdf_bomb,
)
from tests.support.servers import run_tracker, tracker_env, tracker_server

PASSPHRASE = "a long benchmark passphrase"


def rss_mib(pid: int) -> float:
    """The resident memory of `pid` (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _children() -> dict[int, list[int]]:
    """Each process's children, from /proc's parent links."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return parents


def descendants(pid: int) -> list[int]:
    """Every process below `pid`."""
    parents = _children()
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def serving(pid: int, workers: int) -> list[int]:
    """The processes that serve requests: the server itself, or with several workers uvicorn's
    worker processes (its children other than multiprocessing's resource tracker)."""
    if workers == 1:
        return [pid]
    found = []
    for child in _children().get(pid, []):
        try:
            if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except OSError:
            continue
    return found


def server_rss_mib(pid: int, workers: int) -> float:
    return sum(rss_mib(worker) for worker in serving(pid, workers))


class Sampler(threading.Thread):
    """The RSS of the serving processes, and of the server with all its descendants, every
    20 ms."""

    def __init__(self, pid: int, workers: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.workers = workers
        self.stopping = threading.Event()
        self.server_peak = 0.0
        self.all_peak = 0.0
        self.most_processes = 0

    def run(self) -> None:
        while not self.stopping.is_set():
            below = descendants(self.pid)
            self.server_peak = max(self.server_peak, server_rss_mib(self.pid, self.workers))
            together = rss_mib(self.pid) + sum(rss_mib(pid) for pid in below)
            self.all_peak = max(self.all_peak, together)
            self.most_processes = max(self.most_processes, 1 + len(below))
            time.sleep(0.02)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def _post(client: httpx.Client, token: str, name: str, data: bytes, kind: str) -> int:
    response = client.post(
        "/api/v1/sources",
        data={"title": f"Upload {name}"},
        files={"file": (name, data, kind)},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--size", type=int, default=700_000, help="bytes of each page")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tracker-uploads-") as workdir:
        env = tracker_env(f"sqlite:///{Path(workdir) / 'tracker.db'}", PYTHONUNBUFFERED="1")
        run_tracker(["db", "upgrade"], env=env)
        run_tracker(
            ["users", "create", "bench-editor", "--role", "editor", "--password-stdin"],
            env=env,
            stdin=PASSPHRASE + "\n",
        )
        token = run_tracker(["tokens", "create", "bench-editor"], env=env).splitlines()[-1]
        pages = [dense_page(args.size, seed) for seed in range(args.uploads)]
        server = tracker_server(env, log_path=Path(workdir) / "server.log", workers=args.workers)
        server.start()
        try:
            assert server.process is not None
            pid = server.process.pid
            with httpx.Client(base_url=server.url, timeout=300) as client:
                # One small upload first, as any server has had before the rush.
                _post(client, token, "warm.txt", b"The council will mend the road.", "text/plain")
            time.sleep(0.5)
            before = server_rss_mib(pid, args.workers)
            sampler = Sampler(pid, args.workers)
            sampler.start()
            poller = HealthPoller(server.url)
            poller.start()
            statuses: list[int] = []

            def upload(n: int) -> None:
                with httpx.Client(base_url=server.url, timeout=300) as client:
                    statuses.append(_post(client, token, f"page-{n}.html", pages[n], "text/html"))

            threads = [threading.Thread(target=upload, args=(n,)) for n in range(args.uploads)]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            took = time.perf_counter() - began
            poller.stop()
            time.sleep(1.0)
            sampler.stop()
            after = server_rss_mib(pid, args.workers)
            print(
                f"{args.uploads} uploads of {args.size:,} bytes at once, {args.workers} worker(s)"
            )
            print(f"  answers: {sorted(statuses)}")
            print(f"  took: {took:.1f} s")
            print(
                f"  server RSS (its workers together): {before:.0f} MiB before, "
                f"{sampler.server_peak:.0f} MiB at peak, {after:.0f} MiB a second after"
            )
            print(
                f"  server and its children together: {sampler.all_peak:.0f} MiB at peak "
                f"({sampler.most_processes} processes at most)"
            )
            print(
                f"  GET /healthz meanwhile: {len(poller.times)} answers, the slowest in "
                f"{max(poller.times) * 1000:.0f} ms"
            )
            with httpx.Client(base_url=server.url, timeout=300) as client:
                for name, make in (
                    ("pdf-bomb", pdf_bomb),
                    ("decompression-bomb", decompression_bomb),
                ):
                    data = make()
                    began = time.perf_counter()
                    status = _post(client, token, f"{name}.pdf", data, "application/pdf")
                    print(
                        f"  {name} ({len(data):,} bytes): {status} "
                        f"in {time.perf_counter() - began:.2f} s"
                    )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
