"""Dependencies shared by the routes: who is asking (bearer token or session) and may they edit."""

from __future__ import annotations

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
            return principal
    return ANONYMOUS


def current_editor(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.user_id is None:
        raise unauthorized()
    if not principal.can_edit:
        raise forbidden()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentEditor = Annotated[Principal, Depends(current_editor)]
