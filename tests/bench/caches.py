"""What each cache and fast path earns: `python -m tests.bench.caches [--items N] [--repeat N]`.

In one process, on a scratch SQLite database filled with the demo data, each mechanism of the
delivery layer is measured with it and without it, the same requests each way, as CPU time per
request of this process (the app is called in-process, so no socket or other process is timed):

- the fast path (repeat GETs answered before routing): a 304, with and without the middleware;
- kept bodies: the same list asked again, and the same list with a parameter that makes each
  request new;
- the dashboard's kept parts: a search for a new word, with the store as it is and emptied
  before each request;
- the masker kept per data version: an uncached list, with the masker kept and read again each
  time (no name withheld, then one);
- the offsets a name has in each archived text, kept across versions: the masker of a new data
  version, with them kept and found again;
- statements built once: an item read by slug, with its statement kept and built each time;
- a finished export kept on disk: the whole CSV, built and sent again from its file;
- one build at a time (SQLite): lists built by 8 threads at once, in turn and all together.

Without a mechanism means the same code with that one thing undone for the measurement only (a
cache emptied, a middleware left out, a function swapped for the thing it wraps); production
code has no switch for it. docs/PERFORMANCE.md keeps the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from tests.bench import harness


def _cpu_per_call(call: Callable[[int], object], repeat: int) -> float:
    """CPU milliseconds of this process per call (threads included)."""
    call(-1)  # warm up
    began = time.process_time()
    for n in range(repeat):
        call(n)
    return (time.process_time() - began) * 1000 / repeat


def _row(name: str, with_it: float, without_it: float, unit: str = "ms CPU") -> dict[str, Any]:
    return {
        "mechanism": name,
        "with": round(with_it, 3),
        "without": round(without_it, 3),
        "unit": unit,
        "gain": round(without_it / with_it, 2) if with_it else None,
    }


@contextmanager
def _app(database_url: str, *, fast_path: bool = True) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.config import get_settings
    from service.delivery.fastpath import FastPathMiddleware
    from service.delivery.store import public_paths, store

    get_settings.cache_clear()
    store.clear()
    public_paths.clear()
    app = create_app(get_settings())
    if not fast_path:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not FastPathMiddleware]
    with TestClient(app) as client:
        yield client


def _a_name_to_withhold(client: Any) -> tuple[str, str]:
    """An item, and two words of its title that could be a name (a stand-in for one)."""
    from service.masking import name_problem

    for item in client.get("/api/v1/items?limit=200").json()["items"]:
        words = item["title"].split()
        for first, second in itertools.pairwise(words):
            pair = f"{first} {second}"
            if first.isalpha() and second.isalpha() and name_problem(pair) is None:
                return item["slug"], pair
    raise harness.BenchError("no title has two words that could stand for a name")


def measure(database_url: str, token: str, repeat: int) -> list[dict[str, Any]]:
    from service import db
    from service.delivery import masking
    from service.delivery.store import store
    from service.items import service as items
    from service.withheld import service as withheld

    rows = []
    auth = {"Authorization": f"Bearer {token}"}
    list_url = "/api/v1/items?limit=50"

    # The fast path.
    timings = []
    for fast_path in (True, False):
        with _app(database_url, fast_path=fast_path) as client:
            etag = client.get(list_url).headers["etag"]

            def not_modified(_n: int, client: Any = client, etag: str = etag) -> object:
                response = client.get(list_url, headers={"If-None-Match": etag})
                assert response.status_code == 304
                return response

            timings.append(_cpu_per_call(not_modified, repeat))
    rows.append(_row("fast path: a 304 answered before routing", *timings))

    with _app(database_url) as client:
        # Kept bodies.
        def again(_n: int) -> object:
            return client.get(list_url)

        def new(n: int) -> object:
            return client.get(list_url + f"&_bench={n}-{secrets.token_hex(4)}")

        rows.append(
            _row("kept body: the same list again", _cpu_per_call(again, repeat),
                 _cpu_per_call(new, repeat))
        )  # fmt: skip

        # The dashboard's kept parts: searches for words of the titles, each page new.
        titles = [i["title"] for i in client.get("/api/v1/items?limit=200").json()["items"]]
        words = sorted({w.lower() for t in titles for w in t.split() if w.isalpha() and len(w) > 3})

        def search(n: int) -> object:
            query = {"q": words[n % len(words)], "_bench": f"{n}-{secrets.token_hex(4)}"}
            return client.get("/", params=query)

        def search_emptied(n: int) -> object:
            store.clear()
            return search(n)

        rows.append(
            _row("dashboard parts kept per version: a new search", _cpu_per_call(search, repeat),
                 _cpu_per_call(search_emptied, repeat))
        )  # fmt: skip

        # The masker kept per version, without and with a name withheld.
        kept_masker = masking.masker

        def read_again(session: Any, version: str) -> Any:
            return withheld.masker(session)

        for names in ("no name withheld", "one name withheld"):
            if names == "one name withheld":
                item, name = _a_name_to_withhold(client)
                response = client.post(f"/api/v1/items/{item}/withheld-names",
                                       json={"name": name}, headers=auth)  # fmt: skip
                assert response.status_code == 201, response.text
            with_it = _cpu_per_call(new, repeat)
            masking.masker = read_again  # type: ignore[assignment]
            try:
                without_it = _cpu_per_call(new, repeat)
            finally:
                masking.masker = kept_masker
            rows.append(_row(f"masker kept per version: an uncached list, {names}", with_it,
                             without_it))  # fmt: skip

        # The offsets of the names in each archived text, kept across versions.
        def new_masker(_n: int) -> object:
            with db.read_session() as session:
                return withheld.masker(session)

        def new_masker_found_again(n: int) -> object:
            withheld._spans = type(withheld._spans)()
            withheld._originals = type(withheld._originals)()
            return new_masker(n)

        rows.append(
            _row("offsets of names in archived texts kept: a new version's masker",
                 _cpu_per_call(new_masker, repeat), _cpu_per_call(new_masker_found_again, repeat))
        )  # fmt: skip

        # Statements built once.
        slug = client.get("/api/v1/items?limit=1").json()["items"][0]["slug"]

        def read_item(_n: int) -> object:
            with db.read_session() as session:
                return items.get_row(session, ref=slug)

        def read_item_built(n: int) -> object:
            items._select_by_ref.cache_clear()
            items.select_items.cache_clear()
            return read_item(n)

        rows.append(
            _row("statements built once: an item read by slug", _cpu_per_call(read_item, repeat),
                 _cpu_per_call(read_item_built, repeat))
        )  # fmt: skip

        # A finished export kept on disk.
        def csv_again(_n: int) -> object:
            return client.get("/api/v1/items.csv").content

        def csv_new(n: int) -> object:
            return client.get(f"/api/v1/items.csv?_bench={n}-{secrets.token_hex(4)}").content

        few = max(3, repeat // 50)
        rows.append(
            _row("export kept on disk: the whole CSV", _cpu_per_call(csv_again, few),
                 _cpu_per_call(csv_new, few))
        )  # fmt: skip

        # One build at a time (SQLite): 8 threads at once.
        def lists_at_once(n: int) -> object:
            threads = [
                threading.Thread(target=new, args=(n * 8 + k,)) for k in range(8)
            ]  # fmt: skip
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return None

        in_turn = _cpu_per_call(lists_at_once, max(3, repeat // 8)) / 8
        original = db.one_build_at_a_time
        import service.items.api as items_api

        items_api.one_build_at_a_time = lambda session: nullcontext()  # type: ignore[assignment]
        try:
            together = _cpu_per_call(lists_at_once, max(3, repeat // 8)) / 8
        finally:
            items_api.one_build_at_a_time = original
        rows.append(_row("one build at a time: uncached lists, 8 threads", in_turn, together))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracker-caches-") as workdir:
        database = harness.Database("sqlite", Path(workdir)).create()
        env = harness.tracker_env(database.url)
        prepared = harness.prepare(env, items=args.items, events_per_item=3)
        os.environ.update(env)
        rows = measure(database.url, prepared["token"], args.repeat)
    width = max(len(r["mechanism"]) for r in rows)
    print(f"{'mechanism':<{width}}  {'with':>9}  {'without':>9}  gain")
    for r in rows:
        print(f"{r['mechanism']:<{width}}  {r['with']:>9}  {r['without']:>9}  x{r['gain']}")
    results = harness.BENCH_DIR / "results"
    results.mkdir(exist_ok=True)
    path = results / f"{time.strftime('%Y%m%d-%H%M%S')}-caches.json"
    path.write_text(json.dumps({"items": args.items, "rows": rows}, indent=2))
    print(f"saved {path}")


if __name__ == "__main__":
    main()
