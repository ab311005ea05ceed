"""Fuzzing the whole OpenAPI document with an editor's token (schemathesis), so that the write
routes are fuzzed past their auth check: no server error, and every response matches the
schema the document declares."""

from __future__ import annotations

import itertools

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from service.app import create_app
from service.db import read_session
from service.errors import Moved
from service.items import service as items
from service.items import vocabulary
from tests.support.figures import FIGURES
from tests.support.seed import ITEM_OF_EACH_KIND

# Small enough that both databases together stay under a minute or two on two cores.
EXAMPLES = 10


# The app reads its database from the settings at request time, so one app serves every
# per-test database that the `app_settings` fixture points it at.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzed_requests_with_an_editor_token(case, app_settings, editor_headers) -> None:
    database_url = app_settings.database_url
    backend = database_url.split(":")[0].split("+")[0]
    FIGURES[f"fuzz {backend}: cases"] += 1
    FIGURES.distinct(f"fuzz {backend}: operations", case.operation.label)
    _aim_at_real_items(case)
    write = case.method.upper() in ("POST", "PATCH", "PUT", "DELETE")
    if write:
        FIGURES[f"fuzz {backend}: cases against write routes"] += 1
    try:
        response = case.call_and_validate(
            headers={**(case.headers or {}), **editor_headers},
            checks=[not_a_server_error, response_schema_conformance],
        )
    except Exception:
        FIGURES[f"fuzz {backend}: failures"] += 1
        raise
    if write and 200 <= response.status_code < 300:
        FIGURES[f"fuzz {backend}: writes accepted"] += 1


_AIMED = itertools.count()
_REAL_ITEMS = ITEM_OF_EACH_KIND


def _aim_at_real_items(case) -> None:
    """A random {ref} names nothing, so half the cases are pointed at real items, and some of
    those get a status of the item's kind or its current version: then the fuzzed notes,
    evidence and fields reach the database and come back through the response schema."""
    turn = next(_AIMED)
    parameters = case.path_parameters or {}
    if "ref" not in parameters or turn % 2:
        return
    slug = list(_REAL_ITEMS)[turn // 2 % len(_REAL_ITEMS)]
    with read_session() as session:
        try:
            row = items.get_row(session, ref=slug)
        except Moved as moved:  # an earlier case gave it a new slug
            row = items.get_row(session, ref=moved.slug)
    parameters["ref"] = row.slug
    if turn % 4:
        return
    if case.path.endswith("/status") and isinstance(case.body, dict) and "status" in case.body:
        statuses = vocabulary.KIND_BY_CODE[_REAL_ITEMS[slug]].statuses
        case.body["status"] = statuses[turn // 4 % len(statuses)].code
    if case.method.upper() == "PATCH":
        case.headers = {**(case.headers or {}), "If-Match": f'"{row.version}"'}
