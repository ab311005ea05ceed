"""Heavy public reads: answers that read the whole table (the CSV export) must not starve the
rest of a worker. At most a few run at once per worker (past that: 503 with Retry-After, and the
client comes back), and a finished CSV is kept on disk under its ETag, so that every later
download of the same data is a file sent by the kernel, not a new pass over the table.

Files are written to a temporary name and renamed into place once whole, so a reader never sees
half a file and a download cut off leaves nothing behind; the cache keeps the newest few files
and deletes the rest as new ones arrive. An ETag holds the data version, so a file is never
served once the data has changed. An export asked for in a content coding is kept in it too,
beside its identity bytes, so that it is encoded once, not on every download."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from service import private_folder
from service.config import get_settings
from service.delivery.encoding import IDENTITY, encoded
from service.errors import Busy

# How much of a kept file is read at a time when it is encoded into another coding.
CHUNK = 64 * 1024


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

    def _path(self, key: str, coding: str = IDENTITY) -> Path:
        digest = hashlib.sha256(f"{self.namespace}\n{key}".encode()).hexdigest()[:40]
        coded = "" if coding == IDENTITY else f".{coding}"
        return self.directory / f"{digest}{coded}.cached"

    def get(self, key: str, coding: str = IDENTITY) -> Path | None:
        if not private_folder.usable(self.directory):
            return None
        path = self._path(key, coding)
        return path if path.is_file() else None

    def open(self, key: str) -> BinaryIO | None:
        """The key's identity file, open (so that pruning it meanwhile takes nothing away)."""
        if not private_folder.usable(self.directory):
            return None
        return private_folder.open_kept(self._path(key))

    def fill(self, key: str, chunks: Iterator[bytes], coding: str = IDENTITY) -> Iterator[bytes]:
        """The chunks in `coding`, written on the way to the key's file and, for another coding
        than identity, to its file in that coding; each becomes the key's once complete."""
        if coding == IDENTITY:
            return self._fill(key, IDENTITY, chunks)
        return self._fill(key, coding, encoded(self._fill(key, IDENTITY, chunks), coding))

    def fill_from(self, key: str, plain: BinaryIO, coding: str) -> Iterator[bytes]:
        """The key's identity file (`open`) in `coding`, written on the way to its file in it."""
        return self._fill(key, coding, encoded(_read(plain), coding))

    def _fill(self, key: str, coding: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
        if not private_folder.usable(self.directory):
            yield from chunks  # a folder not safe to keep files in: built each time
            return
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".partial")
        complete = False
        try:
            with os.fdopen(handle, "wb") as file:
                for chunk in chunks:
                    file.write(chunk)
                    yield chunk
            os.replace(temporary, self._path(key, coding))
            complete = True
            self._prune()
        finally:
            if not complete:
                Path(temporary).unlink(missing_ok=True)
                # A download cut off: the stream it reads from stops too (and cleans up).
                close = getattr(chunks, "close", None)
                if close is not None:
                    close()

    def _prune(self) -> None:
        # Another worker sharing the directory may remove a file between the listing and its
        # stat: a file gone is simply not kept. An export's codings go with it.
        found: dict[str, float] = {}
        for path in self.directory.glob("*.cached"):
            try:
                mtime = path.stat().st_mtime
            except FileNotFoundError:
                continue
            export = path.name.partition(".")[0]
            found[export] = max(mtime, found.get(export, mtime))
        newest = sorted(found, key=found.__getitem__, reverse=True)
        for stale in newest[self.keep :]:
            for path in self.directory.glob(f"{stale}.*cached"):
                path.unlink(missing_ok=True)


def _read(file: BinaryIO) -> Iterator[bytes]:
    with file:
        while chunk := file.read(CHUNK):
            yield chunk


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
