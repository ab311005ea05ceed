"""Imports of 2,000 rows against `tracker serve` (one worker): the items' own export with every
status changed (CSV and XLSX), and a file of 2,000 new items; how long the preview and the
confirmed import took, each over HTTP. docs/IMPORTS.md quotes its figures.

    python -m tests.bench.imports [--items 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import openpyxl

from service.items import vocabulary
from tests.bench import harness


def other_status(kind: str, status: str) -> str:
    statuses = [s.code for s in vocabulary.KIND_BY_CODE[kind].statuses]
    return statuses[(statuses.index(status) + 1) % len(statuses)]


def timed(client: httpx.Client, method: str, path: str, **kwargs: Any) -> tuple[float, Any]:
    began = time.perf_counter()
    response = client.request(method, path, **kwargs)
    seconds = time.perf_counter() - began
    assert response.status_code in (200, 201), response.text[:500]
    return seconds, response.json()


def import_file(client: httpx.Client, name: str, data: bytes) -> dict[str, Any]:
    preview_s, preview = timed(client, "POST", "/api/v1/imports", files={"file": (name, data)})
    assert not preview["refuse"], preview["refuse"][:3]
    confirm_s, applied = timed(client, "POST", f"/api/v1/imports/{preview['id']}/confirm")
    return {
        "file": name, "bytes": len(data), "rows": preview["rows"],
        "changed": len(applied["changed"]), "created": len(applied["created"]),
        "preview_s": round(preview_s, 2), "confirm_s": round(confirm_s, 2),
        "total_s": round(preview_s + confirm_s, 2),
    }  # fmt: skip


def changed_csv(client: httpx.Client) -> bytes:
    text = client.get("/api/v1/items.csv").content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    for row in rows:
        row["status"] = other_status(row["kind"], row["status"])
        row["note"] = "Checked against the record."
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*(reader.fieldnames or []), "note"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def changed_xlsx(client: httpx.Client) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(client.get("/api/v1/items.xlsx").content))
    sheet = book["Items"]
    header = [cell.value for cell in sheet[1]]
    kind_at, status_at = header.index("kind") + 1, header.index("status") + 1
    for number in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=number, column=status_at)
        cell.value = other_status(sheet.cell(row=number, column=kind_at).value, cell.value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def new_items_csv(client: httpx.Client, count: int) -> bytes:
    """`count` new items, each quoting a passage an existing item quotes."""
    items = client.get("/api/v1/items", params={"limit": 200}).json()["items"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "title", "actor", "source", "quote", "quote_start"])
    for n in range(count):
        item = items[n % len(items)]
        writer.writerow([item["kind"], f"Imported item {n}", item["actor"]["slug"],
                         item["source"]["slug"], item["quote"], item["quote_start"]])  # fmt: skip
    return out.getvalue().encode()


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    env = harness.tracker_env(database_url)
    prepared = harness.prepare(env, items=args.items, events_per_item=2)
    server = harness.tracker_server(env, workers=1, workdir=workdir).start()
    try:
        headers = {"Authorization": f"Bearer {prepared['token']}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=300) as client:
            runs = [
                import_file(client, "items.csv", changed_csv(client)),
                import_file(client, "items.xlsx", changed_xlsx(client)),
                import_file(client, "new.csv", new_items_csv(client, args.items)),
            ]
    finally:
        server.stop()
    backend = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    return {"database": backend, "items": args.items, "cores": os.cpu_count(), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        print(json.dumps(run(args, Path(workdir)), indent=2))


if __name__ == "__main__":
    main()
