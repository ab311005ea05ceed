"""What an operator sees of a running tracker: request ids, access and JSON logs, and `/metrics`.

**Request ids.** Every request gets one: the client's `X-Request-ID` when it is sane (1 to 128
letters, digits and `-_.:+/=@`), else a new one (32 hex digits). It is sent back in the
response's `X-Request-ID`, it is in every problem+json body as `request_id`, and every log record
made while the request is handled carries it as `record.request_id` (a log record factory reads
it from a context variable: a filter on one handler or logger would miss the records that other
handlers, or child loggers, see).

**Logs.** `TRACKER_LOG_FORMAT=json` writes each log line as one JSON object (`time`, `level`,
`logger`, `message`, `request_id`, and the fields an access line carries); `text`, the default,
writes plain lines. `TRACKER_ACCESS_LOG=true` writes one line per request on the logger
`tracker.access`: method, route template (never the path itself, which may name anything),
status, duration in milliseconds, request id.

**Metrics.** `/metrics` (service/system/api.py) in Prometheus's text format: requests by method,
route template and status; latency by route template; lookups of the kept answers (hits and
misses, service/delivery/store.py); group-commit batches and the changes they held; the database
pool's connections in use and its size. Who may read it is `TRACKER_METRICS`: `off` (the
default: a 404, and nothing is counted), `token` (`Authorization: Bearer` with
`TRACKER_METRICS_TOKEN`) or `public`.

With several worker processes (`tracker serve --workers N`) each keeps its own counts, and a
scrape reaches one of them. prometheus-client's multiprocess mode makes every scrape report the
sum: each worker writes its counts to files in one folder, and the worker that answers reads
them all. The folder is `PROMETHEUS_MULTIPROC_DIR` when set (it must be emptied before the
server starts), else one made per server run under `TRACKER_METRICS_DIR` (`var/metrics`),
named after uvicorn's supervisor, so that a new run starts at zero and a worker restarted by the
supervisor adds to the same counts. The database pool is read when scraped, so it is that of the
worker that answers (labelled with its `pid`): each worker has a pool of its own.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import multiprocessing
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import group_commit
from service.config import Settings
from service.db import get_engine
from service.delivery.store import store

REQUEST_ID_HEADER = b"x-request-id"
# What a client may send as its request id: short, and safe in a header, a log line and JSON.
_SANE_ID = re.compile(rb"[A-Za-z0-9._:+/=@-]{1,128}")
NO_REQUEST = "-"

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)


def with_request_id(body: dict[str, Any]) -> dict[str, Any]:
    """A problem+json body with the request's id, when there is a request."""
    request_id = _request_id.get()
    if request_id != NO_REQUEST:
        body["request_id"] = request_id
    return body


def request_id_of(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The client's request id when it is sane, else a new one."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER:
            if _SANE_ID.fullmatch(value):
                return value.decode("ascii")
            break
    return os.urandom(16).hex()


# Logs ------------------------------------------------------------------------------------------

ACCESS_LOG = logging.getLogger("tracker.access")
# The fields of an access line, kept as attributes of its record (JSON lines write them apart).
ACCESS_FIELDS = ("method", "route", "status", "duration_ms")


def _install_record_factory() -> None:
    """Every log record made from now on carries `request_id` ("-" outside a request)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "tracker_request_id", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    factory.tracker_request_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def formatter_for(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


# The tracker's one handler, on the root logger (uvicorn's loggers have their own and do not
# pass their records up): added once per process, its format set by each app's settings.
_handler = logging.StreamHandler(sys.stderr)
_handler.set_name("tracker")


def configure_logging(settings: Settings) -> None:
    _install_record_factory()
    _handler.setFormatter(formatter_for(settings.log_format))
    root = logging.getLogger()
    if _handler not in root.handlers:
        root.addHandler(_handler)
    ACCESS_LOG.setLevel(logging.INFO if settings.access_log else logging.WARNING)


# Metrics ---------------------------------------------------------------------------------------

# Latency buckets in seconds: a 304 from the fast path takes well under a millisecond.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A path no route matched (a 404, or an answer refused before routing).
UNMATCHED = "unmatched"
# Paths remembered with their route template, for the answers the fast path gives before any
# routing (it answers only paths a route has answered in this process).
TEMPLATES_KEPT = 4096


def _process_start(pid: int) -> str:
    """When process `pid` started (in clock ticks since boot), or "" where /proc cannot say."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def _running(pid: int, started: str) -> bool:
    """Whether process `pid`, started at `started` (when known), still runs."""
    if started:
        return _process_start(pid) == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _run_folder(root: Path) -> Path:
    """This server run's metrics folder under `root`, named after the supervisor process (its
    pid and start time); folders of supervisors that have gone are removed."""
    supervisor = os.getppid()
    name = f"{supervisor}-{_process_start(supervisor)}"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in root.iterdir():
        pid, _, started = folder.name.partition("-")
        if folder.name == name or not pid.isdigit():
            continue
        if not _running(int(pid), started):
            shutil.rmtree(folder, ignore_errors=True)
    folder = root / name
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder


def _multiprocess_folder(settings: Settings) -> str | None:
    """The folder of prometheus-client's multiprocess mode, or None for a lone process."""
    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured:
        return configured
    if multiprocessing.parent_process() is None:
        return None  # not a worker of uvicorn's supervisor
    try:
        folder = str(_run_folder(settings.metrics_dir))
    except OSError as error:
        logging.getLogger("tracker").warning(
            "metrics count this worker alone: no folder to share them in (%s): set "
            "TRACKER_METRICS_DIR to a folder the tracker may write",
            error,
        )
        return None
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    return folder


class Metrics:
    """The tracker's metric families, made once per process."""

    def __init__(self, multiprocess_dir: str | None) -> None:
        self.multiprocess_dir = multiprocess_dir
        if multiprocess_dir:
            # Read again: prometheus-client chose its value store when it was first imported.
            values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
        registry = None if multiprocess_dir else REGISTRY
        self.requests = Counter(
            "tracker_http_requests",
            "Requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "tracker_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.cache = Counter(
            "tracker_response_cache_lookups",
            "Lookups of an answer kept for its data version (the fast path's and the routes').",
            ["result"],
            registry=registry,
        )
        self._hits, self._misses = self.cache.labels("hit"), self.cache.labels("miss")
        self.batches = Counter(
            "tracker_group_commit_batches",
            "SQLite group commits: transactions committed, each holding one or more changes.",
            registry=registry,
        )
        self.batched_changes = Counter(
            "tracker_group_commit_changes",
            "SQLite group commits: changes committed (divided by the batches: their mean size).",
            registry=registry,
        )
        self.largest_batch = Gauge(
            "tracker_group_commit_largest_batch",
            "SQLite group commits: the most changes one commit has held.",
            registry=registry,
            multiprocess_mode="max",
        )
        self.pool = PoolCollector(per_process=bool(multiprocess_dir))
        if not multiprocess_dir:
            REGISTRY.register(self.pool)
        self._registry: CollectorRegistry | None = None if multiprocess_dir else REGISTRY
        self._seen = (0, 0, 0, 0)
        self._stats: group_commit.Stats | None = None
        self._series: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def registry(self) -> CollectorRegistry:
        """What a scrape reads: every worker's counts (multiprocess mode) or this process's."""
        if self._registry is not None:
            return self._registry
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiprocess_dir)  # type: ignore[no-untyped-call]
        registry.register(self.pool)
        return registry

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        # The labelled series are looked up once (prometheus-client's `labels` costs more than
        # the count itself); methods, route templates and statuses are few.
        series = self._series.get((method, route, status))
        if series is None:
            name = method if method in METHODS else "other"
            series = self._series[method, route, status] = (
                self.requests.labels(name, route, str(status)),
                self.latency.labels(route),
            )
        series[0].inc()
        series[1].observe(seconds)
        # The kept answers and the group commit count in plain integers (no cost on their own
        # paths); what they counted since the last request is added here.
        committer = group_commit._current
        stats = committer.stats if committer is not None else None
        seen = self._seen
        if stats is not self._stats:  # a new committer (a new engine) counts from zero
            self._stats = stats
            seen = (seen[0], seen[1], 0, 0)
        now = (
            store.hits,
            store.misses,
            stats.batches if stats is not None else 0,
            stats.changes if stats is not None else 0,
        )
        if now != seen:
            self._seen = now
            if now[0] > seen[0]:
                self._hits.inc(now[0] - seen[0])
            if now[1] > seen[1]:
                self._misses.inc(now[1] - seen[1])
            if stats is not None and now[2] > seen[2]:
                self.batches.inc(now[2] - seen[2])
                self.batched_changes.inc(max(0, now[3] - seen[3]))
                self.largest_batch.set(stats.largest)


class PoolCollector(Collector):
    """The database pool's use, read when scraped: connections checked out, and the pool's
    size (QueuePool; other pools report what they can)."""

    def __init__(self, per_process: bool) -> None:
        self.per_process = per_process

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> Iterator[Any]:
        labels = ["pid"] if self.per_process else []
        values = [str(os.getpid())] if self.per_process else []
        pool: Any = get_engine().pool
        for name, documentation, read in (
            ("tracker_db_pool_checked_out", "Database connections in use.", "checkedout"),
            ("tracker_db_pool_size", "Connections the database pool keeps open.", "size"),
            ("tracker_db_pool_overflow", "Connections opened past the pool's size.", "overflow"),
        ):
            method = getattr(pool, read, None)
            if method is None:
                continue
            family = GaugeMetricFamily(name, documentation, labels=labels)
            family.add_metric(values, float(max(0, method())))  # overflow is negative until used
            yield family


_metrics: Metrics | None = None


def metrics(settings: Settings) -> Metrics:
    """This process's metrics, made on first use."""
    global _metrics
    if _metrics is None:
        _metrics = Metrics(_multiprocess_folder(settings))
    return _metrics


def scrape() -> tuple[bytes, str]:
    """The metrics as Prometheus's text format, and its media type."""
    assert _metrics is not None, "the app installs the metrics"
    return generate_latest(_metrics.registry()), CONTENT_TYPE_PLAIN_0_0_4


# The middleware --------------------------------------------------------------------------------


class ObservabilityMiddleware:
    """The outermost layer: gives the request its id (every later layer, log line and problem
    body sees it), sends it back, and counts, times and (when asked) logs the answer."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.access_log = settings.access_log
        configure_logging(settings)
        # Counted only when someone may read the counts: off, a request pays for its id alone.
        self.metrics = metrics(settings) if settings.metrics != "off" else None
        self.templates: dict[str, str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_of(scope["headers"])
        token = _request_id.set(request_id)
        header = (REQUEST_ID_HEADER, request_id.encode("ascii"))
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        failed = False
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Starlette answers an unexpected error outside every middleware, so it is answered
            # here (as the app's handler would), with the id; the handler, which still runs
            # after this, logs it with the id too (the id is kept for it).
            failed = True
            if not status:
                status = 500
                await _internal_error(scope, receive, send_with_id)
            raise
        finally:
            seconds = time.perf_counter() - started
            status = status or 500
            if self.metrics is not None or self.access_log:
                route = self._template(scope)
            if self.metrics is not None:
                self.metrics.observe(scope["method"], route, status, seconds)
            if self.access_log:
                ACCESS_LOG.info(
                    "%s %s %d %.1fms",
                    scope["method"],
                    route,
                    status,
                    seconds * 1000,
                    extra={
                        "method": scope["method"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                    },
                )
            if not failed:
                _request_id.reset(token)

    def _template(self, scope: Scope) -> str:
        path: str = scope["path"]
        route = scope.get("route")
        template = getattr(route, "path", None) if route is not None else None
        if isinstance(template, str):
            if self.templates.get(path) != template:
                if len(self.templates) >= TEMPLATES_KEPT:
                    del self.templates[next(iter(self.templates))]
                self.templates[path] = template
            return template
        # Answered before routing: by the fast path (a path a route answered before), or refused.
        return self.templates.get(path, UNMATCHED)


async def _internal_error(scope: Scope, receive: Receive, send: Send) -> None:
    from starlette.requests import Request

    from service.errors import Internal
    from service.web.problems import problem_response  # it reads the request id from here

    response = problem_response(Request(scope, receive), Internal("An internal error occurred."))
    await response(scope, receive, send)
