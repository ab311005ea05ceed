"""Building blocks shared by every domain's models: the base of input models (which refuses
control characters in any text), and JSON types that keep the API's wire format (62, not 62.0;
timestamps as ISO 8601 with their offset)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any

from pydantic import BaseModel, PlainSerializer, WithJsonSchema, field_validator

# Slugs: lowercase words joined by hyphens, as URLs show them.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

# C0 controls other than tab, line feed and carriage return: no text of the tracker needs them,
# XML (the Atom feed) cannot carry them, and PostgreSQL cannot store NUL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


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


class InputModel(BaseModel):
    """An input shape: no text field may hold a control character (tab and line breaks aside)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if isinstance(value, list):
            for part in value:
                check_text(part)
            return value
        return check_text(value)


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


class Links(BaseModel):
    self: str
    html: str


def slugify(text: str, *, fallback: str = "item") -> str:
    """A URL slug from a title or name: ASCII letters and digits joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].rstrip("-") or fallback
