"""Dependencies shared by the routes: who is asking (bearer token or session) and may they edit."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.accounts import service as accounts
from service.accounts.service import ANONYMOUS, Principal
from service.db import read_session
from service.errors import forbidden, unauthorized

_bearer = HTTPBearer(auto_error=False, description="An API token from `tracker tokens create`.")


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is not None:
        with read_session() as session:
            principal = accounts.authenticate_token(session, token=credentials.credentials)
        if principal is None:
            raise unauthorized("The bearer token is not valid (unknown or revoked).")
        return principal
    if request.headers.get("authorization"):
        raise unauthorized("Send the token as `Authorization: Bearer <token>`.")
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if user_id is not None:
        with read_session() as session:
            principal = accounts.principal_for_user_id(session, user_id=user_id)
        if principal is not None:
            _check_session_csrf(request)
            return principal
    return ANONYMOUS


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _check_session_csrf(request: Request) -> None:
    """A browser sends the session cookie with any request, so an unsafe API request made with
    the cookie (not a bearer token) must also carry the page's CSRF token as X-CSRF-Token.
    The dashboard's form routes check the token themselves (form field or header)."""
    if request.method in _SAFE_METHODS or not request.url.path.startswith("/api/"):
        return
    expected = request.session.get("csrf")
    given = request.headers.get("x-csrf-token")
    if not expected or not given or not secrets.compare_digest(given, expected):
        raise forbidden("Send X-CSRF-Token with the session's token, or use a bearer token.")


def current_editor(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.user_id is None:
        raise unauthorized()
    if not principal.can_edit:
        raise forbidden()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentEditor = Annotated[Principal, Depends(current_editor)]
