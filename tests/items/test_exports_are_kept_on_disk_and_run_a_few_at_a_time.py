"""The whole table as CSV is a heavy read: a finished export is kept on disk by its ETag (the
same data is never read twice), a change makes a new one, a few run at once per worker and the
next gets 503 with Retry-After, and a download cut off leaves no file and no slot taken."""

from __future__ import annotations

import pytest

from tests.support.seed import ITEM


@pytest.fixture
def exports(app_settings, tmp_path, monkeypatch):
    """Exports kept in this test's own directory, one heavy read at a time."""
    from tests.support.databases import reset_app_state

    monkeypatch.setenv("TRACKER_EXPORT_CACHE_DIR", str(tmp_path / "exports"))
    monkeypatch.setenv("TRACKER_HEAVY_READS_AT_ONCE", "1")
    reset_app_state()
    return tmp_path / "exports"


def test_a_finished_export_is_sent_again_without_reading_the_table(
    exports, client, editor_headers, monkeypatch
) -> None:
    from service.items import csv_export

    first = client.get("/api/v1/items.csv", headers={"Accept-Encoding": "identity"})
    assert first.status_code == 200 and ITEM in first.text
    assert len(list(exports.glob("*.cached"))) == 1

    def no_reading(**_: object):
        raise AssertionError("the table was read again")

    with monkeypatch.context() as patched:
        patched.setattr(csv_export, "stream", no_reading)
        again = client.get("/api/v1/items.csv", headers={"Accept-Encoding": "identity"})
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == "text/csv; charset=utf-8"
    assert "items.csv" in again.headers["content-disposition"]
    # A change: a new ETag and a new export that shows it.
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "stalled", "note": "The posts are not yet funded."},
        headers=editor_headers,
    ).raise_for_status()
    changed = client.get("/api/v1/items.csv", headers={"Accept-Encoding": "identity"})
    assert changed.headers["etag"] != first.headers["etag"]
    assert changed.content != first.content and ",stalled," in changed.text
    assert len(list(exports.glob("*.cached"))) == 2


def test_past_the_heavy_reads_at_once_an_export_gets_503(exports, client) -> None:
    from service.delivery.heavy import heavy_reads

    heavy_reads().enter()  # another export running in this worker
    try:
        busy = client.get("/api/v1/items.csv?kind=allegation")
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == "5"
        assert busy.headers["content-type"].startswith("application/problem+json")
        assert "exports at once" in busy.json()["detail"]
    finally:
        list(heavy_reads().leave_after(iter(())))  # gives the slot back
    assert client.get("/api/v1/items.csv?kind=allegation").status_code == 200


def test_a_download_cut_off_leaves_no_file_and_gives_its_slot_back(tmp_path) -> None:
    from service.delivery.heavy import FileCache, HeavyReads

    cache = FileCache(tmp_path, keep=4, namespace="db")
    reads = HeavyReads(1)
    reads.enter()
    chunks = reads.leave_after(cache.fill('"k"', iter([b"a,b\r\n", b"c,d\r\n"])))
    assert next(chunks) == b"a,b\r\n"
    chunks.close()  # the client went away
    assert list(tmp_path.iterdir()) == []
    reads.enter()  # the slot is free again
    whole = list(reads.leave_after(cache.fill('"k"', iter([b"x\r\n"]))))
    assert whole == [b"x\r\n"] and cache.get('"k"') is not None
    assert cache.get('"k"').read_bytes() == b"x\r\n"


def test_the_cache_keeps_the_newest_files_only(tmp_path) -> None:
    import os

    from service.delivery.heavy import FileCache

    cache = FileCache(tmp_path, keep=2, namespace="db")
    for number in range(4):
        list(cache.fill(f'"{number}"', iter([str(number).encode()])))
        path = cache.get(f'"{number}"')
        assert path is not None
        os.utime(path, (number, number))  # distinct ages, oldest first
    assert [cache.get(f'"{n}"') is not None for n in range(4)] == [False, False, True, True]
    other = FileCache(tmp_path, keep=2, namespace="another database")
    assert other.get('"3"') is None


def test_pruning_passes_over_a_file_another_worker_removed_meanwhile(tmp_path, monkeypatch) -> None:
    """Workers share the directory: a file listed, then removed by another worker before its
    age is read, is not an error (it used to fail the download that pruned)."""
    from pathlib import Path

    from service.delivery.heavy import FileCache

    cache = FileCache(tmp_path, keep=1, namespace="db")
    list(cache.fill('"1"', iter([b"one"])))
    gone = tmp_path / "removed-by-another-worker.cached"
    listed = Path.glob

    def glob_then_lose_one(self, pattern):  # type: ignore[no-untyped-def]
        return [*listed(self, pattern), gone]

    monkeypatch.setattr(Path, "glob", glob_then_lose_one)
    assert b"".join(cache.fill('"2"', iter([b"two"]))) == b"two"
    monkeypatch.undo()
    assert cache.get('"2"') is not None and cache.get('"1"') is None
