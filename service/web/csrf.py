"""CSRF: one random token per session, carried by every form (field `csrf_token`) and by htmx
(header `X-CSRF-Token`), and checked here for every unsafe request made with the session cookie:
the dashboard's forms and cookie-authenticated API calls alike."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request

from service.errors import CsrfRejected

SESSION_KEY = "csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def token(request: Request) -> str:
    value = request.session.get(SESSION_KEY)
    if not value:
        value = secrets.token_urlsafe(32)
        request.session[SESSION_KEY] = value
    return str(value)


def new_token(request: Request) -> str:
    """A fresh token (at sign-in, so that a token seen before signing in is worth nothing)."""
    request.session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(request.session[SESSION_KEY])


def check(request: Request, form: Mapping[str, Any] | None = None) -> None:
    """Refuse an unsafe request that does not carry the session's token (as htmx's header, or
    as the form field)."""
    expected = request.session.get(SESSION_KEY)
    given = request.headers.get(HEADER) or (form or {}).get(FIELD)
    if not expected or not isinstance(given, str) or not secrets.compare_digest(given, expected):
        raise CsrfRejected(
            "This form has expired or did not come from this site. Reload the page and try again."
        )
