"""`If-Match` on edits: the version the client edited, from the ETag a GET gave (`"3-…"`) or from
the bare version (`"3"`). One reading for every resource that can be edited.

If-Match compares strongly (RFC 9110, 13.1.1): a weak ETag (`W/"3-…"`) never matches, so an edit
that sends one is refused with 412, as a stale version is; a value that is no ETag or version of
the tracker's is a bad value (422)."""

from __future__ import annotations

from service.errors import FieldError, PreconditionFailed, PreconditionRequired, invalid
from service.shapes import parse_id


def parse_if_match(value: str | None, what: str) -> int:
    if value is None:
        raise PreconditionRequired(
            f'Send `If-Match` with the ETag or the version of the {what} you edited, such as "3".'
        )
    tag = value.strip()
    weak = tag.startswith("W/")
    version = parse_id(tag.removeprefix("W/").strip('"').partition("-")[0])
    if version is None:
        raise invalid(
            FieldError("If-Match", f'must be the {what}\'s ETag or its version, such as "3"')
        )
    if weak:
        raise PreconditionFailed(
            f"A weak ETag never matches `If-Match`: send the {what}'s ETag as a GET gave it, "
            'or its version, such as "3".'
        )
    return version
