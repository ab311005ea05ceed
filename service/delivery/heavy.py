"""Heavy public reads: answers that read the whole table (the CSV export) must not starve the
rest of a worker. At most a few run at once per worker (past that: 503 with Retry-After, and the
client comes back), and a finished CSV is kept on disk under its ETag, so that every later
download of the same data is a file sent by the kernel, not a new pass over the table.

Files are written to a temporary name and renamed into place once whole, so a reader never sees
half a file and a download cut off leaves nothing behind; the cache keeps the newest few files
and deletes the rest as new ones arrive. An ETag holds the data version, so a file is never
served once the data has changed."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from service.config import get_settings
from service.errors import Busy


class HeavyReads:
    def __init__(self, at_once: int) -> None:
        self._slots = threading.BoundedSemaphore(at_once)

    def enter(self) -> None:
        """Take a slot, or refuse at once: a heavy read that waited would hold a thread."""
        if not self._slots.acquire(blocking=False):
            raise Busy("Too many exports at once; try again in a few seconds.", retry_after=5)

    def leave_after(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """The chunks, then the slot given back (also when the download is cut off)."""
        try:
            yield from chunks
        finally:
            self._slots.release()


class FileCache:
    def __init__(self, directory: Path, keep: int, *, namespace: str) -> None:
        self.directory = directory
        self.keep = keep
        # Two databases may be at the same data version: the key is the ETag within one.
        self.namespace = namespace

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(f"{self.namespace}\n{key}".encode()).hexdigest()[:40]
        return self.directory / f"{digest}.cached"

    def get(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.is_file() else None

    def fill(self, key: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """The chunks, written on the way to a file that becomes the key's once complete."""
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".partial")
        complete = False
        try:
            with os.fdopen(handle, "wb") as file:
                for chunk in chunks:
                    file.write(chunk)
                    yield chunk
            os.replace(temporary, self._path(key))
            complete = True
            self._prune()
        finally:
            if not complete:
                Path(temporary).unlink(missing_ok=True)

    def _prune(self) -> None:
        # Another worker sharing the directory may remove a file between the listing and its
        # stat: a file gone is simply not kept.
        found: list[tuple[float, Path]] = []
        for path in self.directory.glob("*.cached"):
            try:
                found.append((path.stat().st_mtime, path))
            except FileNotFoundError:
                continue
        found.sort(reverse=True)
        for _mtime, stale in found[self.keep :]:
            stale.unlink(missing_ok=True)


@lru_cache(maxsize=8)
def _heavy_reads(at_once: int) -> HeavyReads:
    return HeavyReads(at_once)


@lru_cache(maxsize=8)
def _file_cache(directory: Path, keep: int, namespace: str) -> FileCache:
    return FileCache(directory, keep, namespace=namespace)


def heavy_reads() -> HeavyReads:
    """This worker's heavy-read slots."""
    return _heavy_reads(get_settings().heavy_reads_at_once)


def export_cache() -> FileCache:
    """The finished exports of this database."""
    settings = get_settings()
    return _file_cache(
        settings.export_cache_dir, settings.export_cache_files, settings.database_url
    )
