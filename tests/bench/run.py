"""The benchmark: `python -m tests.bench.run [--items N] [--workers N] [--database D] [--scale]`.

In one run it makes a scratch database, fills it with `python -m tools.demo_data`, serves it with
`tracker serve --workers N` and, beside it, FastAPI's hello world with the same worker count (the
baseline), loads each route with wrk, and prints requests/s, p50 and p99 and the ratio to the
baseline. `--scale` measures latency and memory at 10k, 100k and 1M items instead (scale.py).
Results are saved as JSON under tests/bench/results/.

wrk and the servers share the machine's cores: the ratios, not the absolute figures, are what
carries over from one machine to another.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from service.items.filters import SORTS
from tests.bench import harness, profile
from tests.bench.harness import BenchError, Load, Requests
from tests.support.servers import ProcessFailed

RESULTS_DIR = harness.BENCH_DIR / "results"
LIST = "/api/v1/items?limit=50"
FILTERED = "/api/v1/items?kind=allegation&status=under_investigation&limit=50"
STATUSES = {
    "commitment": ("pledged", "in_progress", "stalled", "delivered", "partially_delivered"),
    "allegation": ("reported", "under_investigation", "upheld", "not_upheld"),
    "proposal": ("proposed", "consultation", "enacted", "rejected"),
}


@dataclass
class Route:
    key: str
    label: str
    target: float
    expect: int
    build: Callable[[Context], Requests]


@dataclass
class Context:
    base: str
    token: str
    sample: list[tuple[int, str]]  # (id, kind) of items that the writes rotate over


# What browsers send: the answers come encoded (brotli, or gzip without the brotli package).
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


def etag_of(base: str, path: str, accept_encoding: str = "") -> str:
    asked = {"Accept-Encoding": accept_encoding} if accept_encoding else {}
    status, headers, _ = harness.request(base + path, headers=asked)
    etag = headers.get("ETag") or headers.get("etag")
    if status != 200 or not etag:
        raise BenchError(f"GET {path} gave {status} without an ETag")
    return etag


def uncached_lists(context: Context, count: int = 300) -> Requests:
    """Lists that no cache entry answers: varied limit (1-200), every sort and kind (or none),
    each request with its own ignored `_bench` parameter (BENCH_UNIQUE)."""
    rng = random.Random(11)
    kinds = (None, *STATUSES)
    lines = []
    for n in range(count):
        params = [f"limit={rng.randint(1, 200)}", f"sort={SORTS[n % len(SORTS)]}"]
        kind = kinds[rng.randrange(len(kinds))]
        if kind is not None:
            params.append(f"kind={kind}")
        rng.shuffle(params)
        lines.append(("GET", "/api/v1/items?" + "&".join(params), ""))
    return Requests(lines, unique=True)


def status_writes(context: Context, count: int = 2000) -> Requests:
    rng = random.Random(7)
    lines = []
    for n in range(count):
        item_id, kind = context.sample[n % len(context.sample)]
        body = json.dumps({"status": rng.choice(STATUSES[kind]), "note": f"Benchmark note {n}."})
        lines.append(("POST", f"/api/v1/items/{item_id}/status", body))
    return Requests(lines, token=context.token)


def searches(path: str) -> Callable[[Context], Requests]:
    """A new search each request: the demo data's words, prefixes and pairs in turn, each GET
    with a distinct ignored `_bench` parameter, so that no answer comes from the cache."""

    def build(_context: Context) -> Requests:
        from tests.bench.search import vocabulary_queries

        # Percent-encoded: a word with an accent (café) sent raw is not valid HTTP.
        lines = [("GET", path.format(q=quote_plus(q)), "") for q in vocabulary_queries()]
        return Requests(lines, unique=True)

    return build


DASHBOARD_SEARCH = "/?q={q}"
API_SEARCH = "/api/v1/items?q={q}&limit=50"

ROUTES = (
    Route("not_modified", f"GET {LIST} + If-None-Match (304)", 0.8, 304,
          lambda c: Requests([("GET", LIST, "")], if_none_match=etag_of(c.base, LIST))),
    Route("list", f"GET {LIST}", 0.5, 200, lambda c: Requests([("GET", LIST, "")])),
    Route("not_modified_encoded", f"GET {LIST} + If-None-Match, encoded (304)", 0.8, 304,
          lambda c: Requests([("GET", LIST, "")], accept_encoding=BROWSER_ENCODINGS,
                             if_none_match=etag_of(c.base, LIST, BROWSER_ENCODINGS))),
    Route("list_encoded", f"GET {LIST}, encoded", 0.5, 200,
          lambda c: Requests([("GET", LIST, "")], accept_encoding=BROWSER_ENCODINGS)),
    Route("filtered", f"GET {FILTERED}", 0.4, 200, lambda c: Requests([("GET", FILTERED, "")])),
    Route("uncached_list", "GET /api/v1/items, varied limit 1-200 / sort / kind, uncached", 0.25,
          200, uncached_lists),
    Route("dashboard", "GET / (dashboard)", 0.3, 200, lambda c: Requests([("GET", "/", "")])),
    Route("search_dashboard", "GET /?q=… (a new search each time)", 0.1, 200,
          searches(DASHBOARD_SEARCH)),
    Route("search_api", "GET /api/v1/items?q=…&limit=50 (a new search each time)", 0.1, 200,
          searches(API_SEARCH)),
    Route("status", "POST /api/v1/items/{id}/status", 0.15, 200, status_writes),
)  # fmt: skip


def sample_items(base: str, count: int = 1000) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    cursor = ""
    while len(found) < count:
        status, _, body = harness.request(f"{base}/api/v1/items?limit=200{cursor}")
        page = json.loads(body)
        if status != 200:
            raise BenchError(f"listing items gave {status}: {body[:300]!r}")
        found += [(item["id"], item["kind"]) for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    if not found:
        raise BenchError("the database holds no items")
    return found[:count]


def probe(base: str, requests: Requests) -> int:
    """The status of the first request, or of the first that does not answer 200 among them all
    when each is sent with the ignored `_bench` parameter (so that one refused is seen)."""
    lines = requests.lines if requests.unique else requests.lines[:1]
    status = 0
    for method, path, body in lines:
        headers = {"Content-Type": "application/json"} if body else {}
        if requests.if_none_match:
            headers["If-None-Match"] = requests.if_none_match
        if requests.token:
            headers["Authorization"] = f"Bearer {requests.token}"
        if requests.accept_encoding:
            headers["Accept-Encoding"] = requests.accept_encoding
        if requests.unique:
            path += ("&" if "?" in path else "?") + "_bench=probe"
        status, _, _ = harness.request(
            base + path, method=method, headers=headers, body=body.encode() or None
        )
        if status != 200:
            break
    return status


def measure_routes(
    tracker: harness.Server,
    hello: harness.Server,
    context: Context,
    load: Load,
    workdir: Path,
    profile_dir: Path | None,
    only: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    hello_requests = Requests([("GET", "/", "")])
    baseline_runs = [harness.wrk(hello.url, hello_requests, load, workdir, hello.workers())]
    rows = []
    for route in ROUTES:
        if only and route.key not in only:
            continue
        requests = route.build(context)
        status = probe(tracker.url, requests)
        row: dict[str, Any] = {"route": route.key, "label": route.label, "target": route.target}
        row["probe_status"] = status
        if status != route.expect:
            row["note"] = "not built yet (404)" if status == 404 else f"answered {status}"
            rows.append(row)
            print(f"  {route.label}: {row['note']}", file=sys.stderr)
            continue
        row.update(harness.wrk(tracker.url, requests, load, workdir, tracker.workers()))
        row["worker_rss_mb"] = max(tracker.rss_mb())
        if profile_dir is not None:
            requests = route.build(context)  # a fresh ETag: the writes have changed the data
            row["profile"] = profile.record(
                tracker.workers()[0],
                lambda r=requests: harness.wrk(
                    tracker.url, r, Load(load.threads, load.connections, load.duration, 0), workdir
                ),
                seconds=load.duration,
                out=profile_dir / f"{route.key}.txt",
            )
        rows.append(row)
        print(f"  {route.label}: {row['rps']:.0f} requests/s", file=sys.stderr)
    baseline_runs.append(harness.wrk(hello.url, hello_requests, load, workdir, hello.workers()))
    baseline = sum(run["rps"] for run in baseline_runs) / len(baseline_runs)
    baseline_cpu = sum(run["cpu_ms_per_request"] for run in baseline_runs) / len(baseline_runs)
    for row in rows:
        if "rps" in row:
            row["ratio"] = round(row["rps"] / baseline, 3)
            row["met"] = row["ratio"] >= row["target"]
            # What the ratio would be if the worker's CPU were the only limit: steadier than
            # requests/s when other processes share the cores.
            row["cpu_ratio"] = round(baseline_cpu / max(row["cpu_ms_per_request"], 1e-6), 3)
    return {
        "baseline": {
            "rps": round(baseline, 1),
            "runs": baseline_runs,
            "p50_ms": baseline_runs[0]["p50_ms"],
            "p99_ms": baseline_runs[0]["p99_ms"],
            "cpu_ms_per_request": round(baseline_cpu, 3),
            "worker_rss_mb": max(hello.rss_mb()),
        },
        "routes": rows,
    }


def markdown(result: dict[str, Any]) -> str:
    base = result["baseline"]
    runs = " / ".join(f"{r['rps']:.0f}" for r in base["runs"])
    lines = [
        "| route | requests/s | p50 ms | p99 ms | worker CPU ms/request | ratio | CPU ratio "
        "| target | met | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|:-:|---:|",
        f"| hello world (baseline; runs {runs}) | {base['rps']:.0f} | {base['p50_ms']:.2f} "
        f"| {base['p99_ms']:.2f} | {base['cpu_ms_per_request']:.2f} | 1 | 1 | | | |",
    ]
    for row in result["routes"]:
        if "rps" not in row:
            lines.append(
                f"| {row['label']} | n/a | | | | | | ≥ {row['target']} | | {row['note']} |"
            )
            continue
        lines.append(
            f"| {row['label']} | {row['rps']:.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} "
            f"| {row['cpu_ms_per_request']:.2f} | {row['ratio']:.2f} | {row['cpu_ratio']:.2f} "
            f"| ≥ {row['target']} "
            f"| {'yes' if row['met'] else 'no'} | {row['errors']} |"
        )
    return "\n".join(lines)


def run_routes(args: argparse.Namespace, workdir: Path, stamp: str) -> dict[str, Any]:
    database = harness.Database(args.database, workdir, args.pg_admin_url).create()
    env = harness.tracker_env(database.url)
    servers: list[harness.Server] = []
    try:
        print(f"generating {args.items} items ({args.database}) ...", file=sys.stderr)
        prepared = harness.prepare(env, items=args.items, events_per_item=args.events_per_item)
        tracker = harness.tracker_server(env, workers=args.workers, workdir=workdir).start()
        servers.append(tracker)
        hello = harness.hello_server(workers=args.workers, workdir=workdir).start()
        servers.append(hello)
        context = Context(tracker.url, prepared["token"], sample_items(tracker.url))
        profile_dir = None
        if args.profile:
            profile_dir = RESULTS_DIR / f"{stamp}-profile"
            profile_dir.mkdir(parents=True, exist_ok=True)
        only = frozenset(filter(None, args.routes.split(",")))
        measured = measure_routes(tracker, hello, context, args.load, workdir, profile_dir, only)
        return {
            "kind": "routes",
            "database": args.database,
            "workers": args.workers,
            "items": args.items,
            "events": prepared["events"],
            "generation_seconds": prepared["generation_seconds"],
            "database_bytes": database.size_bytes(),
            **measured,
        }
    finally:
        for server in servers:
            server.stop()
        database.drop()


# (database, workers) of a suite. PostgreSQL is compared with SQLite at the same worker count.
SUITE = (("sqlite", 1), ("sqlite", 2), ("postgresql", 2))


def run_suite(args: argparse.Namespace, workdir: Path, stamp: str) -> dict[str, Any]:
    runs = []
    for database, workers in SUITE:
        print(f"suite: {database}, {workers} worker(s)", file=sys.stderr)
        one = argparse.Namespace(**{**vars(args), "database": database, "workers": workers})
        place = workdir / f"{database}-w{workers}"
        place.mkdir()
        runs.append(run_routes(one, place, f"{stamp}-{database}-w{workers}"))
    result: dict[str, Any] = {"kind": "suite", "runs": runs}
    if args.scale:
        from tests.bench import scale

        one = argparse.Namespace(**{**vars(args), "database": "sqlite", "workers": 1})
        (workdir / "scale").mkdir()
        result["scale"] = scale.run(one, workdir / "scale")
    return result


def suite_markdown(result: dict[str, Any]) -> str:
    parts = []
    for run in result["runs"]:
        parts.append(f"### {run['database']}, {run['workers']} worker(s), {run['items']:,} items")
        parts.append(markdown(run))
    by_key = {(r["database"], r["workers"]): r for r in result["runs"]}
    postgresql, sqlite = by_key.get(("postgresql", 2)), by_key.get(("sqlite", 2))
    if postgresql and sqlite:
        parts.append("### PostgreSQL against SQLite, 2 workers each (ratio over ratio)")
        lines = ["| route | SQLite ratio | PostgreSQL ratio | PostgreSQL / SQLite |",
                 "|---|---:|---:|---:|"]  # fmt: skip
        theirs = {row["route"]: row for row in sqlite["routes"]}
        for row in postgresql["routes"]:
            other = theirs.get(row["route"], {})
            if "ratio" in row and other.get("ratio"):
                lines.append(
                    f"| {row['label']} | {other['ratio']:.2f} | {row['ratio']:.2f} "
                    f"| {row['ratio'] / other['ratio']:.2f} |"
                )
        parts.append("\n".join(lines))
    if "scale" in result:
        from tests.bench import scale

        parts.append("### Scale, SQLite, 1 worker")
        parts.append(scale.markdown(result["scale"]))
    return "\n\n".join(parts)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__)
    parser.add_argument("--items", type=int, default=10_000, help="demo items (default 10000)")
    parser.add_argument("--events-per-item", type=int, default=3, help="on average (default 3)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (default 1)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-admin-url", default=harness.PG_ADMIN_URL,
                        help="PostgreSQL server on which a scratch database is made")  # fmt: skip
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per route")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--quick", action="store_true", help="3 s per route, short warm-ups")
    parser.add_argument("--profile", action="store_true",
                        help="sample the worker with py-spy under each route")  # fmt: skip
    parser.add_argument("--routes", default="",
                        help="comma-separated route keys to measure (default: all)")  # fmt: skip
    parser.add_argument("--scale", action="store_true",
                        help="latency and memory at each --scale-items size")  # fmt: skip
    parser.add_argument("--scale-items", default="10000,100000,1000000",
                        help="comma-separated item counts for --scale")  # fmt: skip
    parser.add_argument("--scale-events-per-item", type=int, default=10)
    parser.add_argument(
        "--suite",
        action="store_true",
        help="every route on SQLite with 1 and 2 workers and on PostgreSQL with "
        "2, and PostgreSQL against SQLite (what `make bench` runs); with "
        "--scale, then the scale runs on SQLite",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args(argv)
    duration = 3.0 if args.quick else args.duration
    warmup = 1.0 if args.quick else min(2.0, duration / 3)
    args.load = Load(args.threads, args.connections, duration, warmup)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    load_before = os.getloadavg()
    if load_before[0] > 0.7:
        print(
            f"warning: the machine is busy (load average {load_before[0]:.1f}); the figures "
            "will be low and noisy",
            file=sys.stderr,
        )
    try:
        harness.require_wrk()
        RESULTS_DIR.mkdir(exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
        if args.suite:
            result = run_suite(args, workdir, stamp)
            table = suite_markdown(result)
            name = f"{stamp}-suite.json"
        elif args.scale:
            from tests.bench import scale

            result = scale.run(args, workdir)
            table = scale.markdown(result)
            name = f"{stamp}-scale-{args.database}.json"
        else:
            result = run_routes(args, workdir, stamp)
            table = markdown(result)
            name = f"{stamp}-{args.database}-w{args.workers}-{args.items}.json"
    except (BenchError, ProcessFailed) as error:
        print(f"benchmark: {error}", file=sys.stderr)
        return 2
    result["machine"] = harness.machine()
    result["loadavg_before"] = load_before
    result["loadavg_after"] = os.getloadavg()
    result["command"] = "python -m tests.bench.run " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    result["load"] = vars(args.load)
    result["at"] = stamp
    (RESULTS_DIR / name).write_text(json.dumps(result, indent=2, default=str) + "\n")
    if not args.keep:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    machine = result["machine"]
    shape = f"-t{args.load.threads} -c{args.load.connections}"
    if args.scale:
        shape = "-t1 -c1 per page" if not args.suite else shape + " (scale: -t1 -c1 per page)"
    print(
        f"\n{result['command']}\n{machine['cpu']}, {machine['cores']} cores; wrk {shape} "
        f"on the same cores as the servers; load average {load_before[0]:.1f} before, "
        f"{result['loadavg_after'][0]:.1f} after\n"
    )
    print(table)
    print(f"\nsaved {RESULTS_DIR / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
