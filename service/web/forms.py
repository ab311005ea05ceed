"""Reading posted forms, and the redirects that suit both htmx and plain browsers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from service.errors import Invalid
from service.web.problems import field_errors
from service.web.templates import is_htmx


async def posted_form(request: Request) -> FormData:
    """The submitted form, read once (the handlers themselves run in the thread pool)."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(posted_form)]


def form_text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def safe_next(url: str | None) -> str:
    """Only a path on this site may follow a sign-in (never //host or a scheme)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url:
        return "/"
    return url


def sign_in_redirect(request: Request, next_url: str) -> Response:
    url = "/login?next=" + quote(safe_next(next_url), safe="/")
    if is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def see_other(url: str) -> Response:
    """Post, then redirect, then get."""
    return RedirectResponse(url, status_code=303)


def sentence(message: str) -> str:
    """ "a status change needs a note" -> "A status change needs a note." """
    return message[:1].upper() + message[1:].rstrip(".") + "."


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], data: Mapping[str, Any]) -> tuple[M | None, dict[str, str]]:
    """A form's values as an input model, or the message for each field that is wrong."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in field_errors(list(exc.errors())):
            # Pydantic words a validator's refusal "Value error, ...": the form says it plainly.
            message = error.message.removeprefix("Value error, ")
            errors.setdefault(error.field.split(".")[0] or "form", sentence(message))
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
