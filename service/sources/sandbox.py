"""Reading an upload in a child process, within limits: a file built to take minutes or gigabytes
to read (a PDF whose pages share one huge content stream, a page that makes the HTML parser
balloon) costs a child its life, never the server its time or its memory. A new source's
suggested claims are computed the same way: seconds of work on a long text, none of it in the
server's own process.

Each extraction is a fresh child, forked from a "forkserver" process that has already imported
trafilatura and pypdf (so a child starts in milliseconds), and its memory goes back to the system
when it exits. The child has `CPU_SECONDS` of CPU time (RLIMIT_CPU), `WALL_SECONDS` of wall time
(then it is killed) and `MEMORY_BYTES` of address space (RLIMIT_AS). A file that takes a child
past a limit is refused with the same validation error naming `file` as any other unreadable
file. At most
TRACKER_EXTRACT_CONCURRENCY extractions run at once in a server process; the rest wait their
turn (in the caller's thread: call these from a worker thread, never on the event loop).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import resource
import signal
import threading
from multiprocessing.connection import Connection, wait
from typing import Any

from service.config import get_settings
from service.errors import FieldError, TrackerError, invalid
from service.sources import extract
from service.sources.candidates import Candidate, KnownActor
from service.sources.ranker import rank_candidates

# CPU time of one extraction (RLIMIT_CPU: the child is killed past it), and its wall time, longer
# so that a child slowed by a busy machine, not by its file, is not cut short.
CPU_SECONDS = 8
WALL_SECONDS = 20.0
# Address space of a child. The forkserver's own is about 70 MB; trafilatura on a 700 KB page of
# many small elements adds about 70 MB, on a 1 MB one about 100 MB. Three times the worst of
# those leaves room for an odder page.
MEMORY_BYTES = 512 * 1024 * 1024
TOO_LONG = "the file took too long to read."
TOO_BIG = "the file needs too much memory to read."
UNREADABLE = "the file could not be read."

_lock = threading.Lock()
# multiprocessing tidies its list of children when one starts, reading the others' state: a
# child is started, and closed, by one thread at a time.
_starting = threading.Lock()
_context: Any = None
_gate: threading.BoundedSemaphore | None = None


def extract_text(
    *, filename: str, content_type: str | None, data: bytes, max_chars: int
) -> extract.Extracted:
    """`extract.extract_text`, run in a child within the limits; its result, or its validation
    error naming `file`. Blocks until a turn comes and the child is done."""
    found = _run(
        "extract_text",
        {"filename": filename, "content_type": content_type, "data": data, "max_chars": max_chars},
    )
    assert isinstance(found, extract.Extracted)
    return found


def readings(data: bytes, media_type: str) -> list[str] | None:
    """`extract.readings`, run in a child within the limits. None, as for a PDF that cannot be
    read, when the child is refused or cut short: nobody can tell what the file holds."""
    try:
        found = _run("readings", {"data": data, "media_type": media_type})
    except TrackerError:
        return None
    assert found is None or isinstance(found, list)
    return found


def candidates(
    text: str, *, actors: list[KnownActor], written_on: dt.date | None
) -> list[Candidate] | None:
    """`candidates.find_candidates`, run in a child within the limits; None when the child is
    cut short."""
    try:
        found = _run("candidates", {"text": text, "actors": actors, "written_on": written_on})
    except TrackerError:
        return None
    assert isinstance(found, list)
    return found


def _setup() -> tuple[Any, threading.BoundedSemaphore]:
    global _context, _gate
    with _lock:
        if _context is None or _gate is None:
            context = multiprocessing.get_context("forkserver")
            # The forkserver imports these once; every child is a fork of it. The main module
            # too: a child started from a script would import it again otherwise.
            context.set_forkserver_preload(["__main__", __name__])
            _gate = threading.BoundedSemaphore(max(1, get_settings().extract_concurrency))
            _context = context
        return _context, _gate


def _run(function: str, arguments: dict[str, Any]) -> Any:
    context, gate = _setup()
    with gate:
        receiver, sender = context.Pipe(duplex=False)
        limits = (CPU_SECONDS, MEMORY_BYTES)
        child = context.Process(
            target=_child, args=(sender, function, arguments, limits), daemon=True, name="extract"
        )
        try:
            with _starting:
                child.start()
            sender.close()  # the child holds its own end; EOF when it is gone
            outcome = _outcome(receiver, child, WALL_SECONDS)
        finally:
            sender.close()
            receiver.close()
            if child.pid is not None:  # started: killed if need be, and always reaped
                if child.is_alive():
                    child.kill()
                child.join(timeout=5)
                if child.exitcode is not None:
                    with _starting:
                        child.close()
    kind, value = outcome
    if kind == "ok":
        return value
    raise invalid(FieldError("file", value))


def _outcome(receiver: Connection, child: Any, wall_seconds: float) -> tuple[str, Any]:
    """What the child sent, or why it sent nothing."""
    if not wait([receiver], timeout=wall_seconds):
        return "refused", TOO_LONG
    try:
        kind, value = receiver.recv()
    except (EOFError, OSError):
        # Gone without a word: killed by its CPU limit, or by the system for its memory.
        child.join(timeout=1)
        if child.exitcode == -signal.SIGXCPU:
            return "refused", TOO_LONG
        if child.exitcode == -signal.SIGKILL:
            return "refused", TOO_BIG
        return "refused", UNREADABLE
    return str(kind), value


def _child(
    sender: Connection, function: str, arguments: dict[str, Any], limits: tuple[int, int]
) -> None:
    """In the child: limit it, read the file, send back ("ok", result) or ("refused", why)."""
    cpu_seconds, memory_bytes = limits
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        if function == "extract_text":
            outcome: tuple[str, Any] = ("ok", extract.extract_text(**arguments))
        elif function == "candidates":
            outcome = ("ok", rank_candidates(**arguments))
        else:
            outcome = ("ok", extract.readings(**arguments))
    except TrackerError as exc:
        outcome = ("refused", exc.errors[0].message if exc.errors else str(exc))
    except MemoryError:
        outcome = ("refused", TOO_BIG)
    except RecursionError:
        outcome = ("refused", UNREADABLE)
    try:
        sender.send(outcome)
    except MemoryError:
        sender.send(("refused", TOO_BIG))
    sender.close()
