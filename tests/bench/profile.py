"""Where a route's time goes: py-spy samples a worker while wrk loads it, and the collapsed
stacks are summed into shares of the busy samples by layer and by function.

The samples are of wall-clock time, not only of time holding the GIL, so that time in SQLite
(which releases the GIL) counts; a thread waiting for the GIL is counted where it waits.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

# (layer, pattern matched against each frame "function (file:line)"); a sample counts towards a
# layer when any of its frames matches, so layers nest and their shares do not add up to 100.
LAYERS = (
    ("uvicorn + httptools (HTTP parsing, transport)", r"uvicorn/protocols/http"),
    ("middleware (body limit, security headers)", r"service/middleware\.py"),
    ("starlette routing", r"starlette/routing\.py"),
    ("fastapi: request parsing and dependencies", r"fastapi/dependencies/utils\.py"),
    ("fastapi: response validation/serialisation", r"serialize_response|_prepare_response"),
    ("thread-pool hop (anyio to_thread)", r"anyio/to_thread|run_in_threadpool"),
    ("route handlers (service/*/api.py, views.py)", r"service/\w+/(api|views)\.py"),
    (
        "session open/close, pool, BEGIN/COMMIT",
        r"Session\.(close|__exit__|_connection_for_bind|commit|rollback)|sqlalchemy/pool/"
        r"|_on_begin|do_commit|do_rollback|do_begin",
    ),
    ("SQL compile (SQLAlchemy)", r"sqlalchemy/sql/compiler\.py|_compile_w_cache"),
    ("SQL execution in the driver", r"do_execute|do_executemany"),
    ("result rows (SQLAlchemy)", r"sqlalchemy/engine/(result|cursor)\.py|_row"),
    ("data version / ETag", r"service/http\.py.*\b(data_version|make_etag)"),
    ("item JSON (as_json)", r"as_json"),
    ("orjson", r"json_bytes|orjson"),
    ("Jinja2 rendering", r"jinja2/"),
    ("pydantic", r"pydantic"),
    ("auth (token lookup)", r"authenticate_token|current_principal"),
    ("event append", r"events/service\.py.*append"),
)
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def record(pid: int, run_load: Callable[[], Any], *, seconds: float, out: Path) -> dict[str, Any]:
    """Sample `pid` with py-spy while `run_load()` runs; the summary of the samples."""
    if shutil.which("py-spy") is None and not (Path(sys.executable).parent / "py-spy").exists():
        return {"error": "py-spy is not installed (pip install py-spy)"}
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [py_spy, "record", "--pid", str(pid), "--rate", "200", "--format", "raw",
               "--nonblocking", "--threads", "--duration", str(max(1, round(seconds))),
               "--output", str(out)]  # fmt: skip
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    load = run_load()
    _, errors = spy.communicate(timeout=seconds + 60)
    if spy.returncode != 0 or not out.exists():
        return {"error": f"py-spy failed: {errors.strip()[-500:]}"}
    return {"file": str(out), "rps_while_sampled": load["rps"], **summarise(out)}


# Leaf frames of a thread that waits: a thread-pool worker with no work, the event loop inside
# uvloop (epoll, socket writes), a thread queued for a pooled connection.
WAITING = re.compile(r"^(Condition\.wait|Runner\.run|WorkerThread\.run|Event\.wait) ")


def summarise(path: Path, top: int = 15) -> dict[str, Any]:
    """Shares of the busy samples (those not in WAITING) by thread, layer and function."""
    stacks: list[tuple[list[str], int]] = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    layers: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    waiting: Counter[str] = Counter()
    busy = 0
    for frames, count in stacks:
        thread = frames[0] if frames[0].startswith("thread") else ""
        code = [f for f in frames if not f.startswith(("thread", "process"))]
        if not code or WAITING.match(code[-1]):
            waiting[_short(code[-1]) if code else "?"] += count
            continue
        busy += count
        threads["event loop (main thread)" if "MainThread" in thread
                else "thread pool (AnyIO worker threads)" if "AnyIO worker" in thread
                else thread.split(": ")[-1] or "?"] += count  # fmt: skip
        for name, pattern in LAYERS:
            if any(re.search(pattern, frame) for frame in code):
                layers[name] += count
        leaves[_short(code[-1])] += count
        for name in {_short(f) for f in code}:
            functions[name] += count

    def shares(counter: Counter[str], n: int | None = None) -> list[tuple[str, float]]:
        return [(name, round(100 * c / max(busy, 1), 1)) for name, c in counter.most_common(n)]

    return {
        "busy_samples": busy,
        "waiting_samples": dict(waiting.most_common(5)),
        "threads": shares(threads),
        "layers": shares(layers),
        "self_top": shares(leaves, top),
        "inclusive_top": [
            (name, share)
            for name, share in shares(functions, 80)
            if not re.search(r"runpy|threading\.py|<module>|asyncio/|uvloop|anyio/_backends", name)
        ][:top],
    }


def _short(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    return f"{match['function']} ({match['file']})"


def main(argv: list[str]) -> int:
    """`python -m tests.bench.profile FILE...`: summarise recorded samples again."""
    for name in argv:
        print(f"\n## {name}")
        summary = summarise(Path(name))
        print(f"waiting samples left out: {summary['waiting_samples']}")
        for key in ("threads", "layers", "self_top", "inclusive_top"):
            print(f"\n{key} (% of {summary['busy_samples']} busy samples)")
            for label, share in summary[key]:
                print(f"  {share:5.1f}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
