"""HTML routes of accounts: signing in (rate limited, one message for every failure) and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from service import web
from service.accounts import service as accounts
from service.config import get_settings
from service.db import read_session, write_session
from service.deps import CurrentPrincipal
from service.errors import TrackerError

router = APIRouter(include_in_schema=False)

LOGIN_PAGE = "accounts/login.html"
# The same words whether the username or the password was wrong.
WRONG = "Wrong username or password."

PostedForm = Annotated[FormData, Depends(web.posted_form)]


def _login_form(
    request: Request,
    *,
    next_url: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    context = {
        "principal": None,
        "csrf": None,
        "login_csrf": web.csrf_token(request),
        "next_url": next_url,
        "username": username,
        "error": error,
    }
    return web.render(
        request,
        LOGIN_PAGE,
        context,
        status_code=status_code,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


@router.get("/login")
def login_page(request: Request, principal: CurrentPrincipal, next: str = "/") -> Response:
    if principal.user_id is not None:
        return RedirectResponse(web.safe_next(next), status_code=303)
    return _login_form(request, next_url=web.safe_next(next))


@router.post("/login")
def login(request: Request, form: PostedForm) -> Response:
    next_url = web.safe_next(web.form_text(form, "next"))
    username = web.form_text(form, "username").strip()[:80]
    password = web.form_text(form, "password")
    try:
        web.check_csrf(request, form)
    except TrackerError as exc:
        return _login_form(
            request, next_url=next_url, username=username, error=exc.detail, status_code=403
        )
    settings = get_settings()
    client = request.client.host if request.client else "unknown"
    keys = [f"ip:{client}", f"user:{username.lower()}"]
    limited: TrackerError | None = None
    principal = None
    # The password is checked outside any write transaction: argon2 is slow on purpose, and
    # editors' changes must not wait behind it. Only a failure is written.
    with read_session() as session:
        try:
            accounts.check_login_allowed(
                session,
                keys=keys,
                limit=settings.login_attempts,
                window=settings.login_window_seconds,
            )
        except TrackerError as exc:
            if exc.status != 429:
                raise
            limited = exc
        else:
            principal = accounts.verify_password(session, username=username, password=password)
    if limited is None and principal is None:
        with write_session() as session:
            accounts.record_failed_login(session, keys=keys)
    if limited is not None:
        return _login_form(
            request,
            next_url=next_url,
            username=username,
            error=limited.detail,
            status_code=429,
            headers=limited.headers,
        )
    if principal is None:
        return _login_form(request, next_url=next_url, username=username, error=WRONG)
    # A new session: nothing from before signing in (its CSRF token included) carries over.
    request.session.clear()
    request.session["user_id"] = principal.user_id
    web.new_csrf_token(request)
    return RedirectResponse(next_url, status_code=303)


@router.post("/logout")
def logout(request: Request, form: PostedForm) -> Response:
    web.check_csrf(request, form)
    request.session.clear()
    return RedirectResponse("/", status_code=303)
