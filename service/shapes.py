"""Building blocks shared by every domain's models: the base of input models (which refuses
control characters in any text), and JSON types that keep the API's wire format (62, not 62.0;
timestamps as ISO 8601 with their offset)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

# Ids are 32-bit integers on every database the tracker runs on.
MAX_ID = 2**31 - 1


def parse_id(text: str) -> int | None:
    """An id written in a URL or a form: ASCII digits only ("²" and "١٢" are digits to
    str.isdigit, never ids here), within the range of ids."""
    if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID:
        return int(text)
    return None


# Slugs: lowercase words joined by hyphens, as URLs show them.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

# C0 controls other than tab, line feed and carriage return: no text of the tracker needs them,
# XML (the Atom feed) cannot carry them, and PostgreSQL cannot store NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


# Bidirectional embeddings and overrides (U+202A to U+202E) reorder the text that follows them
# as it is shown: "Broken" can be made to read "nekorB", a date or an amount reversed. Unicode
# deprecates them in favour of isolates, and right-to-left text needs none of them, so input
# refuses them, except in verbatim quotes, which must match their archived source character
# for character (pages show quotes isolated, so an override there cannot reach outside them).
_BIDI_OVERRIDE = re.compile("[\u202a-\u202e]")
# In a URL no bidirectional formatting character has a place (RFC 3987, section 4.1).
BIDI_FORMATTING = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def bidi_override(text: str) -> str | None:
    """The first bidirectional embedding or override character in `text`, or None."""
    found = _BIDI_OVERRIDE.search(text)
    return found.group() if found else None


def control_character(text: str) -> str | None:
    """The first forbidden control character in `text`, or None."""
    found = _CONTROL.search(text)
    return found.group() if found else None


def check_text(value: Any) -> Any:
    if isinstance(value, str):
        bad = control_character(value)
        if bad == "\x00":
            raise ValueError("must not contain the NUL character")
        if bad is not None:
            raise ValueError(f"must not contain the control character U+{ord(bad):04X}")
    return value


def check_no_override(value: Any) -> Any:
    if isinstance(value, str) and (bad := bidi_override(value)) is not None:
        raise ValueError(f"must not contain the bidirectional control character U+{ord(bad):04X}")
    return value


class InputModel(BaseModel):
    """An input shape: no text field may hold a control character (tab and line breaks aside),
    nor, outside the verbatim quotes, a bidirectional embedding or override."""

    VERBATIM_FIELDS: ClassVar[frozenset[str]] = frozenset({"quote", "evidence_quote", "text"})

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        verbatim = info.field_name in cls.VERBATIM_FIELDS
        for part in value if isinstance(value, list) else [value]:
            check_text(part)
            if not verbatim:
                check_no_override(part)
        return value


def in_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A time in UTC; without an offset it is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:  # 0001-01-01T00:00+14:00 is a valid ISO 8601 time before year 1 in UTC
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("out of range") from None


def json_number(value: float | None) -> float | int | None:
    """62.0 is shown as 62; a whole number too large for a 64-bit JSON integer stays a float."""
    if value is not None and float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return value


JsonNumber = Annotated[
    float, PlainSerializer(json_number, return_type=float | int), WithJsonSchema({"type": "number"})
]
Timestamp = Annotated[
    dt.datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
Day = Annotated[
    dt.date,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date"}),
]

# A web address given in full (`https://…`): documented as `format: uri`.
UrlText = Annotated[
    str,
    StringConstraints(max_length=2000),
    WithJsonSchema({"type": "string", "format": "uri", "maxLength": 2000}),
]
# An address on this server (`/api/v1/items/…`): a relative reference.
PathText = Annotated[str, WithJsonSchema({"type": "string", "format": "uri-reference"})]


class Links(BaseModel):
    self: PathText
    html: PathText


def slugify(text: str, *, fallback: str = "item") -> str:
    """A URL slug from a title or name: ASCII letters and digits joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or fallback
