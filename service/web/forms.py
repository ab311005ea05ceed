"""Reading posted forms, and the redirects that suit both htmx and plain browsers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from service.errors import Invalid, PreconditionFailed
from service.shapes import SLUG_PATTERN, parse_id
from service.web.problems import field_errors


async def posted_form(request: Request) -> FormData:
    """The submitted form, read once (the handlers themselves run in the thread pool)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def form_text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def see_other(url: str) -> Response:
    """Post, then redirect, then get."""
    return RedirectResponse(url, status_code=303)


def sentence(message: str) -> str:
    """ "a status change needs a note" -> "A status change needs a note." """
    return message[:1].upper() + message[1:].rstrip(".") + "."


M = TypeVar("M", bound=BaseModel)


def validate(
    model: type[M], data: Mapping[str, Any], plainly: Mapping[str, str] | None = None
) -> tuple[M | None, dict[str, str]]:
    """A form's values as an input model, or the message for each field that is wrong
    (`plainly`: what to say of a field instead of the model's own words)."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in field_errors(list(exc.errors())):
            name = error.field.split(".")[0] or "form"
            # Pydantic words a validator's refusal "Value error, ...": the form says it plainly.
            message = (plainly or {}).get(name) or sentence(
                error.message.removeprefix("Value error, ")
            )
            errors.setdefault(name, message)
        return None, errors


def messages(error: Invalid) -> dict[str, str]:
    """A domain error's messages by field, as a form shows them."""
    found: dict[str, str] = {}
    for field_error in error.errors:
        found.setdefault(field_error.field, sentence(field_error.message))
    return found or {"form": sentence(error.detail)}


def filled(form: Mapping[str, Any], names: Iterable[str]) -> dict[str, str]:
    """The form's text fields as typed (for showing them again), stripped."""
    return {name: form_text(form, name).strip() for name in names}


def missing(values: Mapping[str, str], needs: Mapping[str, str]) -> dict[str, str]:
    """What a form says of each required field left empty."""
    return {name: message for name, message in needs.items() if not values.get(name)}


@dataclass
class SlugChange:
    """A form that gives a source or an actor a new slug, as typed, and what went wrong."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)


def change_slug(form: FormData, save: Callable[[str, int], str]) -> tuple[str | None, SlugChange]:
    """The new slug of a slug form, saved by `save(slug, the version the editor saw)`: the slug
    it now has, or None and the form again with what went wrong."""
    values = filled(form, ("slug",))
    state = SlugChange(values)
    version = parse_id(form_text(form, "expected_version").strip()) or 0
    if not values["slug"]:
        state.errors["slug"] = "Give the new address."
    elif not re.fullmatch(SLUG_PATTERN, values["slug"]):
        state.errors["slug"] = (
            "Use lower-case letters and digits joined by hyphens, such as lga-review."
        )
    else:
        try:
            return save(values["slug"], version), state
        except Invalid as exc:
            state.errors = messages(exc)
        except PreconditionFailed:
            state.errors["slug"] = (
                "Someone else changed it meanwhile: reload the page and try again."
            )
    return None, state
