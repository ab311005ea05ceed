"""Reading posted forms, and the redirects that suit both htmx and plain browsers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

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
