"""The OpenAPI document as a contract a generated client can trust: it validates; each operation
has a camelCase id and an example; every error is problem+json with the `Problem` schema (never
FastAPI's own 422 shape, which the API does not send); kinds and statuses are one named enum
each. Then a client generated from it with openapi-python-client, against `tracker serve`, gets
typed problems for 401, 404, 409, 412 and 422, and enum members for kinds and statuses."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.support import servers

METHODS = ("get", "put", "post", "patch", "delete", "head", "options")
PROBLEM_REF = "#/components/schemas/Problem"
ITEM = "pcc-62-additional-cse-staff"  # a commitment, pledged, in the seed data
PACKAGE = "accountability_tracker_client"


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    from service.app import create_app

    # The document needs no database: the app is not started.
    response = TestClient(create_app()).get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def has_example(operation: dict[str, Any]) -> bool:
    bodies = operation.get("requestBody", {}).get("content", {}).values()
    answers = [
        shape for response in operation["responses"].values()
        for shape in response.get("content", {}).values()
    ]  # fmt: skip
    return (
        any("example" in shape or "examples" in shape for shape in [*bodies, *answers])
        or any("example" in p or "examples" in p for p in operation.get("parameters", []))
    )  # fmt: skip


def enums(node: Any, where: str) -> Iterator[tuple[str, list[Any]]]:
    """Every `enum` in the document, with where it is."""
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            yield where, node["enum"]
        for key, value in node.items():
            yield from enums(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from enums(value, f"{where}/{index}")


def test_the_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_its_version_is_the_installed_packages(document: dict[str, Any]) -> None:
    assert document["info"]["version"] == metadata.version("accountability-tracker")
    # pyproject.toml declares no licence, so the document claims none.
    assert "license" not in document["info"]


def test_every_operation_has_a_unique_camel_case_id(document: dict[str, Any]) -> None:
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))
    assert [i for i in ids if not re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]*)*", i)] == []
    assert {"listItems", "getItem", "createItem", "changeStatus", "updateItem"} <= set(ids)


def test_every_operation_has_an_example(document: dict[str, Any]) -> None:
    missing = [op["operationId"] for _, _, op in operations(document) if not has_example(op)]
    assert missing == []
    # A request body's example, at least.
    for _, _, operation in operations(document):
        for shape in operation.get("requestBody", {}).get("content", {}).values():
            assert "example" in shape, operation["operationId"]


def test_every_example_fits_its_schema(document: dict[str, Any]) -> None:
    checked = 0
    for _, _, operation in operations(document):
        shapes = [
            (shape["schema"], shape["example"])
            for shape in operation.get("requestBody", {}).get("content", {}).values()
            if "example" in shape
        ]
        shapes += [
            (p["schema"], p["example"]) for p in operation.get("parameters", []) if "example" in p
        ]
        for schema, example in shapes:
            root = {**schema, "components": document["components"]}
            Draft202012Validator(root).validate(example)
            checked += 1
    assert checked > 50


def test_no_response_documents_fastapis_validation_error(document: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in json.dumps(document)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_every_error_is_problem_json_with_the_problem_schema(document: dict[str, Any]) -> None:
    seen = 0
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            # A readiness probe's 503 says what is not ready, in its own shape.
            if status[0] in "45" and (path, status) != ("/readyz", "503"):
                seen += 1
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": PROBLEM_REF}}
                }, (method, path, status)
    assert seen > 100
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    errors = json.dumps(problem["properties"]["errors"])
    field_error = errors.split("#/components/schemas/")[1].split('"')[0]
    assert set(document["components"]["schemas"][field_error]["properties"]) == {
        "field",
        "message",
    }


def test_kinds_and_statuses_are_one_named_enum_each(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["Kind"]["enum"] == ["commitment", "allegation", "proposal"]
    assert {"pledged", "upheld", "enacted", "withdrawn"} <= set(schemas["Status"]["enum"])
    # No other enum of kinds or statuses: everything refers to the two components.
    copies = [
        where
        for where, values in enums(document, "")
        if set(values) <= set(schemas["Kind"]["enum"])
        or set(values) <= set(schemas["Status"]["enum"])
    ]
    assert copies == ["/components/schemas/Kind", "/components/schemas/Status"]
    kind, status = '"#/components/schemas/Kind"', '"#/components/schemas/Status"'
    for name in ("ItemCreate", "StatusChange", "ItemPublic"):
        shape = json.dumps(schemas[name])
        assert (kind in shape) or (status in shape), name
    assert kind in json.dumps(schemas["ItemCreate"]["properties"]["kind"])
    assert status in json.dumps(schemas["StatusChange"]["properties"]["status"])
    assert status in json.dumps(schemas["ItemCorrection"]["properties"]["status"])
    # Every item's kind or status, in and out: an actor's kind, a problem's HTTP status and the
    # health checks' words are other things.
    others = {"ActorCreate", "ActorPublic", "ActorUpdate", "ActorWithScorecard", "Problem"}
    others |= {"Health", "Readiness"}
    loose = [
        f"{name}.{field}"
        for name, shape in schemas.items()
        if name not in others
        for field, value in shape.get("properties", {}).items()
        if field in ("kind", "status", "from_status", "to_status")
        and kind not in json.dumps(value)
        and status not in json.dumps(value)
    ]
    assert loose == []
    for path in ("/api/v1/items", "/api/v1/items.csv", "/feed.atom"):
        parameters = document["paths"][path]["get"]["parameters"]
        by_name = {p["name"]: json.dumps(p["schema"]) for p in parameters}
        assert kind in by_name["kind"] and status in by_name["status"], path


def test_urls_and_days_have_their_formats(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert '"format": "uri"' in json.dumps(schemas["StatusChange"]["properties"]["evidence_url"])
    assert '"format": "uri"' in json.dumps(schemas["SourcePublic"]["properties"]["url"])
    assert '"format": "date"' in json.dumps(schemas["ItemCreate"]["properties"]["due_on"])
    assert '"format": "date"' in json.dumps(schemas["ItemPublic"]["properties"]["due_on"])


def test_conditional_headers_are_documented(document: dict[str, Any]) -> None:
    get_item = document["paths"]["/api/v1/items/{ref}"]["get"]
    assert "ETag" in get_item["responses"]["200"]["headers"]
    assert "If-None-Match" in [p["name"] for p in get_item["parameters"]]
    update = document["paths"]["/api/v1/items/{ref}"]["patch"]
    assert "If-Match" in [p["name"] for p in update["parameters"]]
    assert {"412", "428"} <= set(update["responses"])
    # A busy moment: 503 with Retry-After, on writes and on the change feed.
    for path, method in (("/api/v1/items", "post"), ("/api/v1/changes", "get")):
        busy = document["paths"][path][method]["responses"]["503"]
        assert "Retry-After" in busy["headers"]


def test_public_reads_need_no_credentials_and_writes_a_token(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert paths["/api/v1/items"]["get"]["security"] == []
    assert paths["/api/v1/items/{ref}"]["get"]["security"] == []
    bearer = [{"HTTPBearer": []}]
    assert paths["/api/v1/items"]["post"]["security"] == bearer
    assert paths["/api/v1/items/{ref}/status"]["post"]["security"] == bearer
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


# ---------------------------------------------------------------------------------------------
# A generated client, against a real server


@pytest.fixture(scope="module")
def generated_client(
    document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> ModuleType:
    """The package openapi-python-client generates from the document, imported."""
    root = tmp_path_factory.mktemp("generated")
    spec = root / "openapi.json"
    spec.write_text(json.dumps(document))
    output = root / "client"
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [str(generator), "generate", "--path", str(spec), "--output-path", str(output)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (output / PACKAGE).is_dir(), result.stdout
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(output))
    try:
        return importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(output))


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[servers.ServerProcess]:
    env = servers.tracker_env(database_url)
    process = servers.tracker_server(env, log_path=tmp_path / "server.log").start()
    try:
        yield process
    finally:
        process.kill()


def _call(module: str, **kwargs: Any) -> Any:
    return importlib.import_module(f"{PACKAGE}.api.{module}").sync_detailed(**kwargs)


@pytest.mark.slow
def test_a_generated_client_gets_typed_problems_and_enums(
    generated_client: ModuleType,
    document: dict[str, Any],
    server: servers.ServerProcess,
    make_user: Any,
) -> None:
    models = importlib.import_module(f"{PACKAGE}.models")
    kind, status, problem = models.Kind, models.Status, models.Problem
    # The server serves the document the client was made from.
    assert httpx.get(server.url + "/openapi.json").json() == document
    token = make_user("editor", "editor")
    anonymous = generated_client.Client(base_url=server.url)
    editor = generated_client.AuthenticatedClient(base_url=server.url, token=token)
    stranger = generated_client.AuthenticatedClient(base_url=server.url, token="not-a-token")

    # Enums for kinds and statuses, in answers and in filters.
    found = _call("items.get_item", client=anonymous, ref=ITEM)
    assert found.status_code == 200
    item = found.parsed
    assert item.kind is kind.COMMITMENT and item.status is status.PLEDGED
    listed = _call(
        "items.list_items", client=anonymous, kind=kind.COMMITMENT, status=[status.PLEDGED]
    ).parsed
    assert listed.items and {(i.kind, i.status) for i in listed.items} == {
        (kind.COMMITMENT, status.PLEDGED)
    }

    # 404
    missing = _call("items.get_item", client=anonymous, ref="no-such-item")
    assert missing.status_code == 404 and isinstance(missing.parsed, problem)
    assert missing.parsed.status == 404 and missing.parsed.type_.startswith("/problems/")

    # 401
    change = models.StatusChange(status=status.IN_PROGRESS, note="Posts are being filled.")
    refused = _call("items.change_status", client=stranger, ref=ITEM, body=change)
    assert refused.status_code == 401 and isinstance(refused.parsed, problem)

    # 409: a stale expected_version.
    stale = models.StatusChange(
        status=status.IN_PROGRESS, note="Posts are being filled.", expected_version=99
    )
    conflict = _call("items.change_status", client=editor, ref=ITEM, body=stale)
    assert conflict.status_code == 409 and isinstance(conflict.parsed, problem)
    assert conflict.parsed.additional_properties.get("current_version") or (
        conflict.parsed.current_version
    )

    # 412: an edit with a stale If-Match.
    edit = models.ItemUpdate(title="62 more staff for the CSE unit")
    failed = _call("items.update_item", client=editor, ref=ITEM, body=edit, if_match='"99"')
    assert failed.status_code == 412 and isinstance(failed.parsed, problem)

    # 422: a status of another kind, with the field named.
    wrong = models.StatusChange(status=status.UPHELD, note="Not a commitment's status.")
    invalid = _call("items.change_status", client=editor, ref=ITEM, body=wrong)
    assert invalid.status_code == 422 and isinstance(invalid.parsed, problem)
    assert "status" in [e.field for e in invalid.parsed.errors]

    # And a write that succeeds answers the typed item, its new status an enum member.
    done = _call("items.change_status", client=editor, ref=ITEM, body=change)
    assert done.status_code == 200 and done.parsed.status is status.IN_PROGRESS
