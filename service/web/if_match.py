"""`If-Match` on edits: the version the client edited, from the ETag a GET gave (`"3-…"`) or from
the bare version (`"3"`). One reading for every resource that can be edited."""

from __future__ import annotations

from service.errors import FieldError, PreconditionRequired, invalid
from service.shapes import parse_id


def parse_if_match(value: str | None, what: str) -> int:
    if value is None:
        raise PreconditionRequired(
            f'Send `If-Match` with the ETag or the version of the {what} you edited, such as "3".'
        )
    version = parse_id(value.strip().removeprefix("W/").strip('"').partition("-")[0])
    if version is None:
        raise invalid(
            FieldError("If-Match", f'must be the {what}\'s ETag or its version, such as "3"')
        )
    return version
