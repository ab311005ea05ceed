"""Dependencies shared by the routes: the request's session, who is asking (bearer token or
session cookie), and the editor a form route needs (signed in, then the CSRF token, then the
role, in that order, for every form)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

import sqlalchemy as sa
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from service.accounts import service as accounts
from service.accounts.service import ANONYMOUS, Principal
from service.db import get_engine, read_session
from service.errors import Forbidden, SignInFirst, Unauthenticated
from service.web import csrf


def get_session() -> Iterator[Session]:
    """The request's own session: every read of a route, and the page it renders, in it."""
    with read_session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]

_bearer = HTTPBearer(auto_error=False, description="An API token from `tracker tokens create`.")


def _token_owner(connection: sa.Connection, token: str) -> Principal:
    principal = accounts.authenticate_token(connection, token=token)
    if principal is None:
        raise Unauthenticated("The bearer token is not valid (unknown or revoked).")
    return principal


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is not None:
        with get_engine().connect() as connection:
            return _token_owner(connection, credentials.credentials)
    if request.headers.get("authorization"):
        raise Unauthenticated("Send the token as `Authorization: Bearer <token>`.")
    user_id = request.session.get("user_id") if "session" in request.scope else None
    if user_id is not None:
        with read_session() as session:
            principal = accounts.principal_for_session(
                session, user_id=user_id, session_version=request.session.get("session_version")
            )
        if principal is not None:
            _check_session_csrf(request)
            return principal
    return ANONYMOUS


_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _check_session_csrf(request: Request) -> None:
    """A browser sends the session cookie with any request, so an unsafe API request made with
    the cookie (not a bearer token) must also carry the page's CSRF token as X-CSRF-Token. The
    dashboard's forms are checked by their routes, which also accept the token as a field."""
    if request.method in _SAFE_METHODS or not request.url.path.startswith("/api/"):
        return
    csrf.check(request)


def principal_of(request: Request) -> Principal:
    """Who is asking, for a route that needs to know only sometimes (the list, when it is asked
    for drafts): the same reading as `current_principal`, called when needed."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    credentials = None
    if scheme.lower() == "bearer" and token.strip():
        credentials = HTTPAuthorizationCredentials(scheme=scheme, credentials=token.strip())
    return current_principal(request, credentials)


def current_editor(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
    if principal.user_id is None:
        raise Unauthenticated("Sign in or send a valid bearer token.")
    if not principal.can_edit:
        raise Forbidden(_EDITORS_ONLY)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentEditor = Annotated[Principal, Depends(current_editor)]


@dataclass(frozen=True)
class EditorCheck:
    """An editor whose bearer token is checked inside the write itself, on the write's own
    connection (`editor`): for the busiest write, one lookup fewer on a connection of its own
    and no hop to the thread pool before it. A signed-in dashboard user is checked at once."""

    token: str | None = None
    principal: Principal | None = None

    def editor(self, connection: sa.Connection) -> Principal:
        principal = self.principal
        if principal is None:
            assert self.token is not None
            principal = _token_owner(connection, self.token)
        return current_editor(principal)


async def editor_check(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> EditorCheck:
    if credentials is not None:
        return EditorCheck(token=credentials.credentials)
    principal = await run_in_threadpool(current_principal, request, None)
    return EditorCheck(principal=current_editor(principal))


CheckedInWrite = Annotated[EditorCheck, Depends(editor_check)]


_EDITORS_ONLY = "Editors and admins only."


def _here(request: Request) -> str:
    """Where a form route sends a reader after signing in: the page itself (with its query)."""
    query = request.url.query
    return request.url.path + ("?" + query if query else "")


def editor_of_form(back: Callable[[Request], str] = _here) -> Callable[..., object]:
    """The dependency of a dashboard route for editors: signed in (else to the sign-in page,
    then `back`), then, for a form that changes something, its CSRF token, then the role."""

    async def gate(
        request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        if principal.user_id is None:
            raise SignInFirst(back(request))
        if request.method not in _SAFE_METHODS:
            csrf.check(request, await request.form())
        if not principal.can_edit:
            raise Forbidden(_EDITORS_ONLY)
        return principal

    return gate


FormEditor = Annotated[Principal, Depends(editor_of_form())]
