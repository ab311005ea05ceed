"""`--scale`: does a page cost the same at 10k, 100k and 1M items (and ~10M events)?

For each size: a fresh database filled by `python -m tools.demo_data` (timed), one tracker worker,
and one client at a time (wrk -t1 -c1), so that the figures are latencies rather than queueing.
GETs carry a distinct, ignored query parameter so that none is answered from the response cache:
they measure the query, not the cache. Then the worker's memory, and items.csv of the whole
table streamed to the end while the worker's memory is sampled.
"""

from __future__ import annotations

import argparse
import http.client
import threading
import time
from pathlib import Path
from typing import Any

from tests.bench import harness
from tests.bench.harness import Load, Requests
from tests.bench.run import (
    API_SEARCH,
    DASHBOARD_SEARCH,
    FILTERED,
    LIST,
    Context,
    etag_of,
    probe,
    sample_items,
    searches,
    status_writes,
)

TARGET_RATIO = 1.5  # a page at 1M items within 1.5 times its latency at 10k


def middle_cursor(database_url: str) -> str:
    """The cursor of the `-updated_at` page that starts halfway down the table."""
    import sqlalchemy as sa

    from service.db import create_db_engine
    from service.items.listing import encode_cursor
    from service.items.models import Item

    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            total = connection.execute(sa.select(sa.func.count()).select_from(Item)).scalar_one()
            row = connection.execute(
                sa.select(Item.updated_at, Item.id)
                .order_by(Item.updated_at.desc(), Item.id.desc())
                .offset(total // 2)
                .limit(1)
            ).one()
    finally:
        engine.dispose()
    return encode_cursor("-updated_at", row)


def stream_csv(server: harness.Server) -> dict[str, Any]:
    """GET /api/v1/items.csv to the end, sampling the worker's memory ten times a second."""
    pid = server.workers()[0]
    before = harness.rss_mb(pid)
    peak = before
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.1):
            peak = max(peak, harness.rss_mb(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=3600)
    connection.request("GET", "/api/v1/items.csv")
    response = connection.getresponse()
    size = rows = 0
    while chunk := response.read(1 << 16):
        size += len(chunk)
        rows += chunk.count(b"\n")
    seconds = time.perf_counter() - began
    connection.close()
    done.set()
    sampler.join()
    after = harness.rss_mb(pid)
    return {
        "status": response.status,
        "seconds": round(seconds, 1),
        "mb": round(size / 1e6, 1),
        "rows": rows - 1,
        "rss_before_mb": before,
        "rss_peak_mb": round(peak, 1),
        "rss_after_mb": after,
    }


def measure_size(args: argparse.Namespace, items: int, workdir: Path) -> dict[str, Any]:
    size_dir = workdir / f"scale-{items}"
    size_dir.mkdir()
    database = harness.Database(args.database, size_dir, args.pg_admin_url).create()
    env = harness.tracker_env(database.url)
    server = None
    try:
        prepared = harness.prepare(env, items=items, events_per_item=args.scale_events_per_item)
        print(f"  {items} items: generated in {prepared['generation_seconds']} s", flush=True)
        deep = f"{LIST}&cursor={middle_cursor(database.url)}"
        server = harness.tracker_server(env, workers=args.workers, workdir=size_dir).start()
        context = Context(server.url, prepared["token"], sample_items(server.url))
        duration = 2.0 if args.quick else 5.0
        load = Load(threads=1, connections=1, duration=duration, warmup=1.0)
        cases = {
            "list": Requests([("GET", LIST, "")], unique=True),
            "deep_cursor": Requests([("GET", deep, "")], unique=True),
            "filtered": Requests([("GET", FILTERED, "")], unique=True),
            "dashboard": Requests([("GET", "/", "")], unique=True),
            "list_cached": Requests([("GET", LIST, "")]),
            "not_modified": Requests([("GET", LIST, "")], if_none_match=etag_of(server.url, LIST)),
            "status": status_writes(context),
            "search_dashboard": searches(DASHBOARD_SEARCH)(context),
            "search_api": searches(API_SEARCH)(context),
        }
        latencies: dict[str, Any] = {}
        for name, requests in cases.items():
            status = probe(server.url, requests)
            if status not in (200, 304):
                latencies[name] = {"probe_status": status}
                continue
            result = harness.wrk(server.url, requests, load, size_dir, server.workers())
            result.pop("raw")
            latencies[name] = result
        rss = max(server.rss_mb())
        csv = stream_csv(server)
        return {
            "items": items,
            "events": prepared["events"],
            "generation_seconds": prepared["generation_seconds"],
            "database_mb": round((database.size_bytes() or 0) / 1e6),
            "latency": latencies,
            "worker_rss_mb": rss,
            "csv": csv,
        }
    finally:
        if server is not None:
            server.stop()
        database.drop()
        for path in size_dir.glob("tracker.db*"):
            path.unlink()


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    sizes = [int(s) for s in args.scale_items.split(",") if s.strip()]
    measured = []
    for items in sizes:
        print(f"scale: {items} items ({args.database}) ...", flush=True)
        measured.append(measure_size(args, items, workdir))
    return {
        "kind": "scale",
        "database": args.database,
        "workers": args.workers,
        "events_per_item": args.scale_events_per_item,
        "sizes": measured,
    }


def markdown(result: dict[str, Any]) -> str:
    sizes = result["sizes"]
    head = [f"{s['items']:,} items" for s in sizes]
    ratio = len(sizes) > 1
    lines = [
        "| | " + " | ".join(head) + (" | largest / smallest |" if ratio else " |"),
        "|---|" + "---:|" * (len(sizes) + ratio),
    ]

    def add(label: str, values: list[str], last_ratio: str = "") -> None:
        lines.append(
            f"| {label} | " + " | ".join(values) + (f" | {last_ratio} |" if ratio else " |")
        )

    add("events", [f"{s['events']:,}" for s in sizes])
    add("demo-data time", [f"{s['generation_seconds']:.0f} s" for s in sizes])
    add("database size", [f"{s['database_mb']:,} MB" for s in sizes])
    names = {
        "list": "list page, uncached: p50 / p99 ms",
        "deep_cursor": "deep cursor page (middle of the table), uncached",
        "filtered": "filtered page (allegation, under_investigation), uncached",
        "dashboard": "GET / (dashboard), uncached",
        "list_cached": "list page, cached body",
        "not_modified": "list page, 304",
        "status": "POST status (one writer)",
        "search_dashboard": "GET /?q=…, a new search each time",
        "search_api": "GET /api/v1/items?q=…&limit=50, a new search each time",
    }
    for key, label in names.items():
        cells, p50s = [], []
        for s in sizes:
            entry = s["latency"].get(key, {})
            if "p50_ms" in entry:
                cells.append(f"{entry['p50_ms']:.1f} / {entry['p99_ms']:.1f}")
                p50s.append(entry["p50_ms"])
            else:
                cells.append(f"n/a ({entry.get('probe_status', '-')})")
        growth = ""
        if len(p50s) == len(sizes) and p50s[0] > 0:
            growth = f"{p50s[-1] / p50s[0]:.2f}x"
            if key in ("list", "deep_cursor", "filtered", "search_dashboard", "search_api"):
                growth += " (target ≤ 1.5x)"
        add(label, cells, growth)
    add("worker RSS after the load", [f"{s['worker_rss_mb']:.0f} MB" for s in sizes],
        "target < 200 MB")  # fmt: skip
    add("items.csv: time, size",
        [f"{s['csv']['seconds']:.1f} s, {s['csv']['mb']:,.0f} MB" for s in sizes])  # fmt: skip
    add("items.csv: worker RSS before → peak → after",
        [f"{s['csv']['rss_before_mb']:.0f} → {s['csv']['rss_peak_mb']:.0f} → "
         f"{s['csv']['rss_after_mb']:.0f} MB" for s in sizes])  # fmt: skip
    return "\n".join(lines)
