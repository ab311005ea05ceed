"""Search under load: `python -m tests.bench.search [--items 10000,1000000] [--database D]`.

For each size: a scratch database filled by `python -m tools.demo_data` (or `--reuse URL` for a
database that holds it already), one tracker worker and FastAPI's hello world beside it. Every
request searches for another word or prefix of the demo data's vocabulary and carries a distinct
`_bench` parameter, so that no answer comes from the response cache: each one is a new search.

Measured per size: the dashboard (`/?q=…`) and the API (`/api/v1/items?q=…&limit=50`) with
`wrk -t2 -c32` (requests/s and the ratio to the hello world, run before and after them), and
with one client (`wrk -t1 -c1`: latency p50/p99). `--tree DIR` serves another checkout of the
tracker (for example the code before the search index, from `git archive`), migrated and filled
by its own commands.

Not part of `make test`; results go to tests/bench/results/ like the other benchmarks.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from tests.bench import harness
from tests.bench.harness import BenchError, Load, Requests
from tests.support import servers

RESULTS_DIR = harness.BENCH_DIR / "results"


def vocabulary_queries(count: int = 400) -> list[str]:
    """Distinct searches drawn from the demo data's own words: whole words, prefixes of three
    to six letters, and pairs; the most common words (and, the, for, ...) left out."""
    from tools.demo_data import words as demo

    text = " ".join(
        [name for _slug, name, _kind in demo.ACTORS]
        + list(demo.AREAS)
        + [w for values in demo.WORDS.values() for w in values]
        + [sentence for _kind, sentence, _title, _unit in demo.CLAIMS]
        + list(demo.FILLERS)
    )
    text = re.sub(r"\{\w+\}", " ", text)  # the blanks of the sentences
    found = sorted({w.lower() for w in re.findall(r"[^\W\d_]{4,}", text)})
    common = {"that", "with", "from", "over", "this", "were", "would", "have", "about", "after"}
    found = [w for w in found if w not in common]
    queries: list[str] = []
    for n, word in enumerate(found):
        queries += [word, word[: 3 + n % 4]]
        queries.append(f"{word} {found[(n * 7 + 3) % len(found)][:4]}")
    unique = list(dict.fromkeys(queries))
    return unique[:count]


def _run(tree: Path, args: list[str], env: dict[str, str], timeout: float) -> str:
    return servers.run_command(
        ["env", "-C", str(tree), sys.executable, *args], env=env, timeout=timeout
    )


def prepare(tree: Path, env: dict[str, str], items: int, events_per_item: int) -> float:
    _run(tree, ["-m", "service.cli", "db", "upgrade"], env, 600)
    began = time.perf_counter()
    _run(
        tree,
        ["-m", "tools.demo_data", "--items", str(items), "--events-per-item", str(events_per_item)],
        env,
        7200,
    )
    return round(time.perf_counter() - began, 1)


def serve(tree: Path, env: dict[str, str], workdir: Path) -> harness.Server:
    command = ["env", "-C", str(tree), sys.executable, "-m", "service.cli", "serve"]
    return harness.Server(
        command, env=env, log_path=workdir / "tracker.log", ready_path="/readyz"
    ).start(timeout=300)


def measure(
    tree: Path, database_url: str, workdir: Path, load: Load, latency_seconds: float
) -> dict[str, Any]:
    env = harness.tracker_env(database_url)
    queries = vocabulary_queries()
    cases = {
        "dashboard": [("GET", f"/?q={quote_plus(q)}", "") for q in queries],
        "api": [("GET", f"/api/v1/items?q={quote_plus(q)}&limit=50", "") for q in queries],
    }
    tracker = serve(tree, env, workdir)
    hello = harness.hello_server(workers=1, workdir=workdir).start()
    try:
        for case in cases.values():
            status, _, body = harness.request(tracker.url + case[0][1])
            if status != 200:
                raise BenchError(f"GET {case[0][1]} gave {status}: {body[:300]!r}")
        one = Load(threads=1, connections=1, duration=latency_seconds, warmup=1.0)
        hello_runs = [harness.wrk(hello.url, Requests([("GET", "/", "")]), load, workdir)]
        result: dict[str, Any] = {"queries": len(queries)}
        for name, lines in cases.items():
            requests = Requests(lines, unique=True)
            loaded = harness.wrk(tracker.url, requests, load, workdir, tracker.workers())
            single = harness.wrk(tracker.url, requests, one, workdir, tracker.workers())
            loaded.pop("raw")
            single.pop("raw")
            result[name] = {"loaded": loaded, "one_client": single}
            print(
                f"  {name}: {loaded['rps']:.0f} requests/s; one client p50 "
                f"{single['p50_ms']:.1f} ms",
                file=sys.stderr,
            )
        hello_runs.append(harness.wrk(hello.url, Requests([("GET", "/", "")]), load, workdir))
        baseline = sum(r["rps"] for r in hello_runs) / len(hello_runs)
        result["baseline_rps"] = round(baseline, 1)
        result["baseline_runs"] = [r["rps"] for r in hello_runs]
        for name in cases:
            result[name]["ratio"] = round(result[name]["loaded"]["rps"] / baseline, 3)
        result["worker_rss_mb"] = max(tracker.rss_mb())
        return result
    finally:
        tracker.stop()
        hello.stop()


def markdown(sizes: list[dict[str, Any]]) -> str:
    head = " | ".join(f"{s['items']:,} items" for s in sizes)
    lines = [f"| | {head} |", "|---|" + "---:|" * len(sizes)]
    lines.append(
        "| hello world, requests/s | "
        + " | ".join(f"{s['baseline_rps']:.0f}" for s in sizes)
        + " |"
    )
    for name, label in (("dashboard", "`/?q=…`"), ("api", "`/api/v1/items?q=…&limit=50`")):
        lines.append(
            f"| {label}: requests/s (ratio) | "
            + " | ".join(f"{s[name]['loaded']['rps']:.0f} ({s[name]['ratio']:.3f})" for s in sizes)
            + " |"
        )
        lines.append(
            f"| {label}: one client p50 / p99 ms | "
            + " | ".join(
                f"{s[name]['one_client']['p50_ms']:.1f} / {s[name]['one_client']['p99_ms']:.1f}"
                for s in sizes
            )
            + " |"
        )
    return "\n".join(lines)


def explain(database_url: str, q: str, *, kind: str | None = None) -> str:
    """The query plans of a search's page (relevance order) and its count, as the list builds
    them, on the database at `database_url`."""
    import sqlalchemy as sa
    from sqlmodel import Session

    from service.db import create_db_engine
    from service.items import listing
    from service.items import order as orders
    from service.items.filters import ItemFilters

    engine = create_db_engine(database_url)
    filters = ItemFilters(q=q, kind=kind)
    lines = []
    try:
        with Session(engine) as session:
            clauses = listing.where(filters)
            matches = listing.searched(
                session, filters, sort="relevance", limit=26, clauses=clauses
            )
            by, _ = orders.order_and_after("relevance", None, matches)
            assert matches is not None
            page = (
                listing._select(matches)
                .where(*clauses)
                .order_by(*by)
                .limit(26)
                .params(**matches.params)
            )
            everything = listing.searched(session, filters)
            assert everything is not None
            if clauses:
                count = (
                    sa.select(sa.func.count())
                    .select_from(listing.Item)
                    .join(everything.subquery, everything.item_id == listing.Item.id)
                    .where(*clauses)
                    .params(**everything.params)
                )
            else:
                from service.items import search

                statement, params = search.count(engine.dialect.name, search.words(q))
                count = statement.params(**params)
            postgresql = engine.dialect.name == "postgresql"
            for label, statement in (("page", page), ("count", count)):
                sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgresql else "EXPLAIN QUERY PLAN "
                rows = session.execute(sa.text(prefix + sql.replace("%%", "%"))).all()
                lines.append(f"-- {label}: q={q!r}" + (f", kind={kind}" if kind else ""))
                lines += [str(row[-1]) if not postgresql else row[0] for row in rows]
    finally:
        engine.dispose()
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.search", description=__doc__)
    parser.add_argument("--items", default="10000", help="comma-separated sizes (default 10000)")
    parser.add_argument("--events-per-item", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-admin-url", default=harness.PG_ADMIN_URL)
    parser.add_argument("--tree", type=Path, default=servers.PROJECT_ROOT,
                        help="the checkout to serve (default: this one)")  # fmt: skip
    parser.add_argument("--reuse", action="append", default=[], metavar="ITEMS=URL",
                        help="use this database, already filled, for that size")  # fmt: skip
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--quick", action="store_true", help="3 s per measure")
    parser.add_argument("--label", default="", help="a name for the saved result")
    parser.add_argument("--explain", metavar="URL",
                        help="only print the query plans of searches there")  # fmt: skip
    args = parser.parse_args(argv)
    if args.explain:
        for q, kind in (("northdale", None), ("safeg", None), ("north police", "allegation")):
            print(explain(args.explain, q, kind=kind) + "\n")
        return 0
    duration = 3.0 if args.quick else args.duration
    load = Load(threads=2, connections=32, duration=duration, warmup=1.0)
    reuse = dict(entry.split("=", 1) for entry in args.reuse)
    harness.require_wrk()
    RESULTS_DIR.mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="tracker-bench-search-"))
    sizes = []
    for items in [int(s) for s in args.items.split(",") if s.strip()]:
        print(f"search: {items} items ({args.database}, {args.tree}) ...", file=sys.stderr)
        size_dir = workdir / str(items)
        size_dir.mkdir()
        database = None
        url = reuse.get(str(items))
        generated = None
        if url is None:
            database = harness.Database(args.database, size_dir, args.pg_admin_url).create()
            url = database.url
            generated = prepare(
                args.tree.resolve(), harness.tracker_env(url), items, args.events_per_item
            )
        try:
            measured = measure(args.tree.resolve(), url, size_dir, load, max(3.0, duration / 2))
        finally:
            if database is not None:
                database.drop()
        sizes.append({"items": items, "generation_seconds": generated, **measured})
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    result = {
        "kind": "search",
        "database": args.database,
        "tree": str(args.tree),
        "sizes": sizes,
        "machine": harness.machine(),
        "loadavg": os.getloadavg(),
        "command": "python -m tests.bench.search " + " ".join(argv or sys.argv[1:]),
    }
    name = f"{stamp}-search-{args.database}{'-' + args.label if args.label else ''}.json"
    (RESULTS_DIR / name).write_text(json.dumps(result, indent=2) + "\n")
    print(markdown(sizes))
    print(f"\nsaved {RESULTS_DIR / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
