"""Property-based fuzzing of the whole OpenAPI document (schemathesis): no server error, and
every response matches the schema, status codes and content types that the document declares.

Anonymous here, so the write routes are fuzzed up to their auth check; tests/reliability fuzzes
them with an editor's token."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from service.app import create_app

FUZZ_EXAMPLES = 30


# The app reads its database from the settings at request time, so one app serves every
# per-test database that the `app_settings` fixture points it at.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case, app_settings) -> None:
    # A cursor or slug that matches the schema's pattern may still name nothing this server
    # made: refusing it (422/404) is right, so that positive-data check does not apply.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
