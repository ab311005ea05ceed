"""Request ids, access and JSON logs, /metrics and /api/v1/version."""

from __future__ import annotations

import io
import json
import logging
import os
import platform
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from service import migrate
from service.config import PROJECT_ROOT, Settings, get_settings
from service.web import observability
from tests.support.seed import ITEM

GENERATED = re.compile(r"[0-9a-f]{32}")
MetricValues = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def make_client(
    app_settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., TestClient]]:
    """A client of an app made with these TRACKER_ settings (on the test's database)."""
    from service.app import create_app

    clients: list[TestClient] = []

    def make(raise_server_exceptions: bool = True, **settings: str) -> TestClient:
        for name, value in settings.items():
            monkeypatch.setenv(f"TRACKER_{name.upper()}", value)
        get_settings.cache_clear()
        client = TestClient(create_app(), raise_server_exceptions=raise_server_exceptions)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def scrape(client: TestClient) -> MetricValues:
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(values: MetricValues, name: str, **labels: str) -> float:
    return values.get((name, tuple(sorted(labels.items()))), 0.0)


# Request ids -----------------------------------------------------------------------------------


def test_a_sane_request_id_is_echoed_and_a_missing_one_is_made(client) -> None:
    sent = "req-2026.12.03:abc_123"
    assert client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent
    made = client.get("/healthz").headers["X-Request-ID"]
    assert GENERATED.fullmatch(made)
    assert client.get("/healthz").headers["X-Request-ID"] != made


@pytest.mark.parametrize(
    "sent",
    ["a" * 129, "two words", "semi;colon", "<script>", "é-accented"],
    ids=["too-long", "space", "semicolon", "markup", "non-ascii"],
)
def test_an_odd_request_id_is_replaced(client, sent: str) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": sent.encode()})
    assert GENERATED.fullmatch(response.headers["X-Request-ID"])


def test_the_longest_sane_request_id_is_kept(client) -> None:
    sent = "b" * 128
    assert client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent


def test_every_problem_body_carries_the_request_id(client) -> None:
    # A route's refusal, the unknown-parameter check's, and a middleware's before any routing.
    for url in ("/api/v1/items/no-such-item", "/api/v1/items?kinds=x", "/api/v1/items?q=%00"):
        response = client.get(url, headers={"X-Request-ID": "problem-1"})
        assert response.headers["content-type"] == "application/problem+json", url
        assert response.json()["request_id"] == "problem-1", url
        assert response.headers["X-Request-ID"] == "problem-1"
    made = client.get("/api/v1/items/no-such-item")
    assert made.json()["request_id"] == made.headers["X-Request-ID"]


def test_an_unexpected_error_is_answered_with_the_request_id(make_client, caplog) -> None:
    client = make_client(raise_server_exceptions=False)

    def boom() -> None:
        raise RuntimeError("broken")

    client.app.add_api_route("/test-boom", boom)  # type: ignore[attr-defined]
    with caplog.at_level(logging.ERROR, logger="tracker"):
        response = client.get("/test-boom", headers={"X-Request-ID": "broken-1"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "broken-1"
    assert response.json()["request_id"] == "broken-1"
    logged = [r for r in caplog.records if r.name == "tracker" and r.exc_info]
    assert logged and all(r.request_id == "broken-1" for r in logged)  # type: ignore[attr-defined]


def test_a_log_record_made_while_handling_a_request_carries_its_id(make_client, caplog) -> None:
    client = make_client()
    said = logging.getLogger("tracker.test")

    def speak() -> dict[str, str]:  # a plain function: it runs in the thread pool
        said.warning("handling it")
        return {}

    client.app.add_api_route("/test-speak", speak)  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING, logger="tracker.test"):
        client.get("/test-speak", headers={"X-Request-ID": "logged-1"})
        said.warning("outside any request")
    inside, outside = [r for r in caplog.records if r.name == "tracker.test"]
    assert inside.request_id == "logged-1"  # type: ignore[attr-defined]
    assert outside.request_id == "-"  # type: ignore[attr-defined]


# Logs ------------------------------------------------------------------------------------------


def test_the_access_log_has_one_line_a_request_when_on(make_client, caplog) -> None:
    client = make_client(access_log="true")
    with caplog.at_level(logging.INFO, logger="tracker.access"):
        client.get(f"/api/v1/items/{ITEM}", headers={"X-Request-ID": "access-1"})
    lines = [r for r in caplog.records if r.name == "tracker.access"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.route, line.status) == ("GET", "/api/v1/items/{ref}", 200)  # type: ignore[attr-defined]
    assert line.request_id == "access-1"  # type: ignore[attr-defined]
    assert line.duration_ms > 0  # type: ignore[attr-defined]
    assert line.getMessage().startswith("GET /api/v1/items/{ref} 200 ")
    assert ITEM not in line.getMessage()


def test_the_access_log_is_silent_when_off(make_client, caplog) -> None:
    client = make_client(access_log="false")
    with caplog.at_level(logging.DEBUG):
        client.get(f"/api/v1/items/{ITEM}")
    assert not [r for r in caplog.records if r.name == "tracker.access"]


def test_json_log_lines_parse(make_client, monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(log_format="json", access_log="true")
    written = io.StringIO()
    monkeypatch.setattr(observability._handler, "stream", written)
    client.get("/api/v1/items/no-such-item", headers={"X-Request-ID": "json-1"})
    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "tracker.access"]
    assert len(access) == 1
    assert access[0]["request_id"] == "json-1"
    assert access[0]["route"] == "/api/v1/items/{ref}" and access[0]["status"] == 404
    assert access[0]["level"] == "INFO" and access[0]["time"].endswith("+00:00")
    assert access[0]["message"].startswith("GET /api/v1/items/{ref} 404")


def test_a_json_line_holds_the_exception() -> None:
    try:
        raise ValueError("bad")
    except ValueError:
        record = logging.getLogger("tracker").makeRecord(
            "tracker", logging.ERROR, __file__, 1, "failed %s", ("once",), sys.exc_info()
        )
    line = json.loads(observability.JsonFormatter().format(record))
    assert line["message"] == "failed once" and "ValueError: bad" in line["exception"]


# Metrics ---------------------------------------------------------------------------------------


def test_metrics_are_off_unless_asked_for(make_client) -> None:
    response = make_client().get("/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_metrics_with_a_token_need_it(make_client) -> None:
    token = "m" * 40
    client = make_client(metrics="token", metrics_token=token)
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_a_short_metrics_token_stops_the_start() -> None:
    with pytest.raises(ValueError, match="TRACKER_METRICS_TOKEN"):
        Settings(metrics="token", metrics_token="short", secret_key="s" * 40)


def test_metrics_count_requests_latency_cache_hits_commits_and_the_pool(
    make_client, editor_headers, database_url: str
) -> None:
    client = make_client(metrics="public")
    before = scrape(client)
    item = f"/api/v1/items/{ITEM}"
    first = client.get(item)
    assert client.get(item).status_code == 200  # the kept body
    assert client.get(item, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    client.get("/api/v1/items/no-such-item")
    changed = client.post(
        f"{item}/status",
        json={"status": "in_progress", "note": "Under way."},
        headers=editor_headers,
    )
    assert changed.status_code == 200, changed.text
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "tracker_http_requests_total"
    route = "/api/v1/items/{ref}"
    assert delta(requests, method="GET", route=route, status="200") == 2
    assert delta(requests, method="GET", route=route, status="304") == 1
    assert delta(requests, method="GET", route=route, status="404") == 1
    assert delta(requests, method="POST", route=route + "/status", status="200") == 1
    assert delta("tracker_http_request_duration_seconds_count", route=route) == 4
    assert delta("tracker_http_request_duration_seconds_bucket", route=route, le="+Inf") == 4
    assert delta("tracker_response_cache_lookups_total", result="hit") >= 1
    assert delta("tracker_response_cache_lookups_total", result="miss") >= 1
    if database_url.startswith("sqlite"):
        assert delta("tracker_group_commit_batches_total") >= 1
        assert delta("tracker_group_commit_changes_total") >= 1
        assert value(after, "tracker_group_commit_largest_batch") >= 1
    else:  # PostgreSQL commits each change in its own transaction: no group commit
        assert ("tracker_group_commit_batches_total", ()) in after
    assert value(after, "tracker_db_pool_size") == 8
    assert ("tracker_db_pool_checked_out", ()) in after
    # Route templates only: no path of an item reaches a label.
    text = client.get("/metrics").text
    assert ITEM not in text and "no-such-item" not in text


def test_metrics_of_several_workers_are_summed(tmp_path: Path) -> None:
    """Two worker processes count into one folder; a third, scraping, reports their sum."""
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "TRACKER_ENV": "test",
        "TRACKER_METRICS": "public",
    }
    program = textwrap.dedent(
        """
        import os, sys
        from fastapi.testclient import TestClient
        from service.app import create_app
        client = TestClient(create_app())
        for _ in range(int(sys.argv[1])):
            assert client.get("/healthz").status_code == 200
        if sys.argv[2] == "scrape":
            sys.stdout.write(client.get("/metrics").text)
        """
    )

    def run(count: int, then: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", program, str(count), then],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(3, "-")
    run(4, "-")
    values: MetricValues = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(run(0, "scrape"))
        for sample in family.samples
    }
    healthz = {"method": "GET", "route": "/healthz", "status": "200"}
    assert value(values, "tracker_http_requests_total", **healthz) == 7
    # The pool is the scraping worker's own.
    assert (
        value(
            values,
            "tracker_db_pool_size",
            pid=next(
                dict(labels)["pid"] for name, labels in values if name == "tracker_db_pool_size"
            ),
        )
        == 8
    )


def test_each_server_run_counts_in_a_folder_of_its_own(tmp_path: Path) -> None:
    """Named after the supervisor (pid and start time): a run's folders outlive a worker's
    restart, and the folders of supervisors that have gone are removed."""
    gone = tmp_path / "999999999-12345"
    gone.mkdir(parents=True)
    (gone / "counter_1.db").write_bytes(b"old")
    folder = observability._run_folder(tmp_path)
    assert folder.name.startswith(f"{os.getppid()}-") and folder.is_dir()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert not gone.exists()
    assert observability._run_folder(tmp_path) == folder  # a restarted worker: the same folder


# Version ---------------------------------------------------------------------------------------


def test_version_names_the_package_the_schema_and_python(client) -> None:
    response = client.get("/api/v1/version")
    assert response.status_code == 200
    assert response.json() == {
        "version": metadata.version("accountability-tracker"),
        "schema_revision": ", ".join(sorted(migrate.head_revisions())),
        "python": platform.python_version(),
    }
    etag = response.headers["ETag"]
    again = client.get("/api/v1/version", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    refused = client.get("/api/v1/version", params={"verbose": "1"})
    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {"field": "verbose", "message": "is not a query parameter of this route"}
    ]


def test_an_otlp_endpoint_in_the_environment_changes_nothing(
    app_settings, monkeypatch, caplog
) -> None:
    """The tracker's telemetry is /metrics: FastAPI's own OpenTelemetry export stays off, even
    when the environment asks for it (without the extra it would log that it failed)."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.setenv("FASTAPI_OTEL_AUTO_CONFIGURE", "true")
    with caplog.at_level(logging.WARNING), TestClient(create_app()) as client:
        response = client.get("/api/v1/version")
    assert response.status_code == 200
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert response.json()["schema_revision"] == head
    assert not [r for r in caplog.records if "telemetry" in r.getMessage().lower()]
