"""The interactive API docs: Swagger UI at /docs, served from this origin. The library is
vendored in web/static/vendor (pinned, hashed in VERSIONS) and started by web/static/api-docs.js,
so the page holds no inline script and its policy names no other host.

There is no /redoc: ReDoc 2 shows a logo from its vendor's CDN and ReDoc 3 also sends usage
traces to its vendor, neither of which a reader of these docs should have to allow."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from html import escape
from http import HTTPStatus
from importlib import metadata
from typing import Any

from fastapi import APIRouter, FastAPI
from starlette.responses import HTMLResponse

from service.items.vocabulary import KIND_SCHEMA, NAMED_ENUM, STATUS_SCHEMA
from service.web.problems import PROBLEM_SCHEMA_REF
from service.web.responses import PROBLEM_JSON
from service.web.static import static_url

router = APIRouter(include_in_schema=False, redirect_slashes=False)

OPENAPI_URL = "/openapi.json"
SWAGGER_JS = "vendor/swagger-ui-bundle-5.35.0.js"
SWAGGER_CSS = "vendor/swagger-ui-5.35.0.css"
START_JS = "api-docs.js"


def _page(title: str, body: str, *, styles: tuple[str, ...], scripts: tuple[str, ...]) -> str:
    links = "".join(f'<link rel="stylesheet" href="{static_url(css)}">' for css in styles)
    tags = "".join(f'<script src="{static_url(js)}" defer></script>' for js in scripts)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="icon" href="{static_url("favicon.svg")}">{links}{tags}</head>'
        f"<body>{body}</body></html>"
    )


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    body = f'<main id="swagger-ui" data-openapi="{OPENAPI_URL}"></main>'
    page = _page(
        "Accountability tracker API: Swagger UI",
        body,
        styles=(SWAGGER_CSS,),
        scripts=(SWAGGER_JS, START_JS),
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-cache"})


# ---------------------------------------------------------------------------------------------
# The OpenAPI document (/openapi.json): what FastAPI writes from the routes, made into a contract
# a generated client can trust. Every error is problem+json with the `Problem` schema (FastAPI's
# own 422 shape is never sent, so it is never documented); the kinds and statuses are one named
# enum each; conditional requests name their headers; each operation has a name a person would
# type and an example; public reads say they need no credentials.

PACKAGE = "accountability-tracker"

# Operation ids: the route function's name in camelCase, unless it reads better otherwise.
OPERATION_IDS: dict[str, str] = {
    "healthz": "getHealth",
    "readyz": "getReadiness",
    "items_csv": "exportItemsCsv",
    "items_xlsx": "exportItemsXlsx",
    "get_history": "getItemHistory",
    "publish": "publishItem",
    "retract": "retractItem",
    "correct": "correctItem",
    "changes": "listChanges",
    "feed_atom": "getFeed",
    "corrections_atom": "getCorrectionsFeed",
    "get_original": "getSourceOriginal",
    "item_feed": "getItemFeed",
    "actor_feed": "getActorFeed",
    "item_badge": "getItemBadge",
    "report_json": "getReport",
    "report_md": "getReportMarkdown",
}

# Reads that answer 503 when too many run at once, or while changes are being written.
BUSY_READS = frozenset({"exportItemsCsv", "exportItemsXlsx", "listChanges"})

ERROR_DESCRIPTIONS: dict[str, str] = {
    "400": "A query parameter this route does not take.",
    "401": "No valid bearer token.",
    "403": "The token's user may not do this.",
    "404": "Nothing by that name.",
    "409": "In conflict with the current state (e.g. a stale `expected_version`).",
    "412": "`If-Match` does not name the current version.",
    "413": "The body is too large.",
    "422": "A bad value: `errors` names each field.",
    "428": "`If-Match` is required.",
    "429": "Too many requests: wait `Retry-After` seconds.",
    "503": "Busy for a moment: try again after `Retry-After` seconds.",
}

ETAG_HEADER: dict[str, Any] = {
    "description": "The version of this answer: send it back as `If-None-Match` for a 304.",
    "schema": {"type": "string"},
}
RETRY_AFTER_HEADER: dict[str, Any] = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer"},
}
IF_NONE_MATCH: dict[str, Any] = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "An ETag this answer gave: 304, with no body, while it is current.",
    "schema": {"type": "string"},
    "example": '"5f2c1a"',
}
IF_MATCH_DESCRIPTION = (
    'The strong ETag a GET of it gave, or its bare version in quotes (`"3"`); a weak ETag '
    "(`W/...`) is refused. Stale: 412; missing: 428."
)

ITEM = "pcc-62-additional-cse-staff"
SOURCE = "rotherham-cse-live-updates-pcc"
ACTOR = "alan-billings"

# One example per operation: its request body when it takes one, else its parameters' values,
# else its answer.
BODY_EXAMPLES: dict[str, Any] = {
    "createItem": {
        "kind": "commitment",
        "title": "62 additional staff for the CSE unit",
        "actor": ACTOR,
        "responsible": "south-yorkshire-police",
        "status": "pledged",
        "source": SOURCE,
        "quote": "I have committed 62 additional staff to work in the unit that deals with "
        "child sexual exploitation.",
        "quantity": {"value": 62, "unit": "staff"},
        "publication": "draft",
    },
    "updateItem": {"title": "62 more staff for the CSE unit", "due_on": "2016-03-31"},
    "changeStatus": {
        "status": "in_progress",
        "note": "The force says 40 of the 62 posts are filled.",
        "evidence_url": "https://www.southyorkshire.police.uk/news/cse-unit-staffing",
        "progress_value": 40,
        "expected_version": 1,
        "occurred_on": "2015-06-30",
    },
    "createReply": {
        "by": "south-yorkshire-police",
        "text": "We do not accept the allegation and will respond to the IPCC in full.",
        "url": "https://www.southyorkshire.police.uk/news/statement",
        "occurred_on": "2015-02-10",
    },
    "retractItem": {"reason": "The passage reports a rumour, not an allegation made by anyone."},
    "correctItem": {
        "note": "Correction: the pledge was made by the commissioner, not the force.",
        "actor": ACTOR,
    },
    "createLink": {"relation": "related", "target": "pcc-victims-and-survivors-panel"},
    "createWithheldName": {"name": "Jane Roe"},
    "createSource": {
        "title": "Rotherham council statement",
        "publisher": "Rotherham Metropolitan Borough Council",
        "url": "https://www.rotherham.gov.uk/news/statement",
        "published_on": "2015-02-04",
        "text": "The council will appoint five commissioners to run its services.",
    },
    "updateSource": {"publisher": "BBC News", "published_on": "2015-02-04"},
    "createActor": {
        "name": "Rotherham Metropolitan Borough Council",
        "kind": "council",
        "aliases": ["RMBC"],
    },
    "updateActor": {"name": "South Yorkshire Police (SYP)"},
}
PARAMETER_EXAMPLES: dict[str, Any] = {
    "ref": ITEM,
    "slug": SOURCE,
    "kind": "commitment",
    "status": "pledged",
    "q": "staff",
    "as_of": "2015-12-31",
    "after": 0,
    "limit": 50,
    "relation": "related",
    "target": "pcc-victims-and-survivors-panel",
    "withheld_id": 1,
    "import_id": "1",
    "candidate_id": "1",
    "from": "2015-01-01",
    "to": "2015-01-31",
}
# The actors' routes name an actor by its slug, the sources' routes a source.
ACTOR_SLUG_PATHS = ("/api/v1/actors/", "/actors/")
# For the operations that take neither a body nor a parameter: (media type, example answer).
RESPONSE_EXAMPLES: dict[str, tuple[str, Any]] = {
    "getHealth": ("application/json", {"status": "ok"}),
    "getReadiness": ("application/json", {"status": "ready"}),
    "getVocabulary": (
        "application/json",
        {"kinds": [{"code": "commitment", "label": "Commitment", "statuses": ["pledged"]}]},
    ),
    "getCorrectionsFeed": (
        "application/atom+xml",
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Corrections</title></feed>',
    ),
    "listSources": ("application/json", {"sources": [{"slug": SOURCE, "title": "Live updates"}]}),
    "listActors": ("application/json", {"actors": [{"slug": ACTOR, "name": "Dr Alan Billings"}]}),
}


def operation_id(path: str, method: str, generated: str) -> str:
    """The route function's name in camelCase (`list_items` as `listItems`), from the id FastAPI
    makes of it (`list_items_api_v1_items_get`); an id a route sets itself is kept."""
    suffix = re.sub(r"\W", "_", path) + "_" + method
    if not generated.endswith(suffix):
        return generated
    name = generated.removesuffix(suffix)
    if name in OPERATION_IDS:
        return OPERATION_IDS[name]
    head, *rest = name.split("_")
    return head + "".join(word.capitalize() for word in rest)


# What FastAPI writes when a route says nothing of a response: replaced by the tracker's words.
_GENERIC_DESCRIPTIONS = frozenset(
    {None, "", "Validation Error", "Additional Response", *(s.phrase for s in HTTPStatus)}
)


def package_version() -> str:
    return metadata.version(PACKAGE)


def install(app: FastAPI) -> None:
    """Serve the contract as /openapi.json (made once, on the first request for it)."""
    app.version = package_version()
    # No licence is declared in pyproject.toml, so `info` names none.
    app.openapi = _openapi_of(app, app.openapi)  # type: ignore[method-assign]


def _openapi_of(
    app: FastAPI, fastapis: Callable[[], dict[str, Any]]
) -> Callable[[], dict[str, Any]]:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = contract(fastapis())
        return app.openapi_schema

    return openapi


def contract(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's document, as the contract the API keeps."""
    schema = copy.deepcopy(schema)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, enum in (("Kind", KIND_SCHEMA), ("Status", STATUS_SCHEMA)):
        schemas[name] = {k: v for k, v in enum.items() if k != NAMED_ENUM} | {"title": name}
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schema["paths"] = _named_enums(schema["paths"])
    components["schemas"] = _named_enums(schemas)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            operation["operationId"] = operation_id(path, method, operation["operationId"])
            _operation(path, method, operation)
    return schema


def _named_enums(node: Any) -> Any:
    """Each inline `Kind` or `Status` enum as a reference to its one component."""
    if isinstance(node, dict):
        if NAMED_ENUM in node:
            return {"$ref": f"#/components/schemas/{node[NAMED_ENUM]}"}
        return {key: _named_enums(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_named_enums(value) for value in node]
    return node


def _takes_input(operation: dict[str, Any]) -> bool:
    """Whether a bad value can reach validation: a body, or a parameter that is not free text."""
    if "requestBody" in operation:
        return True
    return any(
        p["in"] != "path" or p.get("schema", {}).get("type") != "string"
        for p in operation.get("parameters", [])
        if p["in"] != "header"
    )


def _operation(path: str, method: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation["responses"]
    conditional = "304" in responses
    # FastAPI documents its own 422 shape on every route with parameters; the tracker answers a
    # bad value with a problem, and a route whose only input is a free-text path has none.
    validation = responses.get("422", {}).get("content", {}).get("application/json", {})
    if "HTTPValidationError" in str(validation.get("schema", {})) and not _takes_input(operation):
        del responses["422"]
    # Writes take a lock or share a commit: a moment's contention is a 503, as is a busy export.
    if (method != "get" and "security" in operation) or operation["operationId"] in BUSY_READS:
        responses.setdefault("503", {})
    for status, response in responses.items():
        if status[0] in "45" and _own_body(response):
            continue  # an answer of its own (readiness says what is not ready)
        if status[0] in "45":
            description = response.get("description")
            response.update(_problem(status))
            if description not in _GENERIC_DESCRIPTIONS:
                response["description"] = description
        elif (status[0] == "2" and conditional) or status == "304":
            response.setdefault("headers", {})["ETag"] = ETAG_HEADER
    parameters = operation.setdefault("parameters", [])
    for parameter in parameters:
        if parameter["in"] == "header" and parameter["name"].lower() == "if-match":
            parameter["name"] = "If-Match"
            parameter["description"] = IF_MATCH_DESCRIPTION
            parameter["example"] = '"3"'
            responses.setdefault("412", _problem("412"))
    if conditional:
        parameters.append(IF_NONE_MATCH)
    if not parameters:
        del operation["parameters"]
    if "security" not in operation:
        # A public read (an editor's token, when sent, also shows drafts where they are asked for).
        operation["security"] = []
    _example(path, operation)


def _problem(status: str) -> dict[str, Any]:
    """An error response: a problem, with Retry-After when it asks for a wait."""
    response: dict[str, Any] = {
        "description": ERROR_DESCRIPTIONS.get(status, "A problem."),
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
    }
    if status in ("429", "503"):
        response["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
    return response


def _own_body(response: dict[str, Any]) -> bool:
    """An error response a route documents with a body of its own, not a problem."""
    content = response.get("content", {})
    shape = str(content.get("application/json", {}).get("schema", ""))
    return (
        PROBLEM_JSON not in content
        and bool(shape)
        and "Problem" not in shape
        and ("HTTPValidationError" not in shape)
    )


def _example(path: str, operation: dict[str, Any]) -> None:
    name = operation["operationId"]
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body and name in BODY_EXAMPLES:
        body["application/json"]["example"] = BODY_EXAMPLES[name]
    if "multipart/form-data" in body:
        body["multipart/form-data"]["example"] = (
            {"file": "(the bytes of items.xlsx)"}
            if name == "createImport"
            else {
                "title": "Council minutes, 4 February 2015",
                "file": "(the bytes of council-minutes.pdf)",
            }
        )
    for parameter in operation.get("parameters", []):
        key = parameter["name"]
        if key == "slug" and path.startswith(ACTOR_SLUG_PATHS):
            parameter.setdefault("example", ACTOR)
        elif key in PARAMETER_EXAMPLES:
            value = PARAMETER_EXAMPLES[key]
            repeated = parameter.get("schema", {}).get("type") == "array"
            parameter.setdefault("example", [value] if repeated else value)
    if name in RESPONSE_EXAMPLES:
        content = operation["responses"].get("200", {}).get("content", {})
        for media_type, shape in content.items():
            example = RESPONSE_EXAMPLES[name]
            shape["example"] = example if example is not None else _ATOM_EXAMPLE
            if media_type != "application/json" and example is not None:
                shape["example"] = str(example)


_ATOM_EXAMPLE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<feed xmlns="http://www.w3.org/2005/Atom"><title>Corrections</title></feed>'
)
