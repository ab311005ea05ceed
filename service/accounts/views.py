"""HTML routes of accounts: signing in (rate limited, one message for every failure) and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.accounts import service as accounts
from service.config import get_settings
from service.db import read_session, write_session
from service.errors import Busy, CsrfRejected, RateLimited
from service.urls import safe_next
from service.web import csrf
from service.web.deps import CurrentPrincipal
from service.web.forms import PostedForm, form_text, see_other
from service.web.problems import headers_of
from service.web.templates import render_form

router = APIRouter(include_in_schema=False, redirect_slashes=False)

LOGIN_PAGE = "accounts/login.html"
# The same words whether the username or the password was wrong.
WRONG = "Wrong username or password."


def _login_form(
    request: Request,
    *,
    next_url: str,
    username: str = "",
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    echo = {
        "login_csrf": csrf.token(request),
        "next_url": next_url,
        "username": username,
        "error": error,
    }
    return render_form(
        request,
        None,
        LOGIN_PAGE,
        echo,
        status_code=status_code,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


@router.get("/login")
def login_page(request: Request, principal: CurrentPrincipal, next: str = "/") -> Response:
    if principal.user_id is not None:
        return see_other(safe_next(next))
    return _login_form(request, next_url=safe_next(next))


@router.post("/login")
def login(request: Request, form: PostedForm) -> Response:
    next_url = safe_next(form_text(form, "next"))
    username = form_text(form, "username").strip()[:80]
    password = form_text(form, "password")
    try:
        csrf.check(request, form)
    except CsrfRejected as exc:
        return _login_form(
            request, next_url=next_url, username=username, error=exc.detail, status_code=403
        )
    missing = [
        name for name, value in (("username", username), ("password", password)) if not value
    ]
    if missing:
        # Nothing to check: say what is missing, and count no attempt.
        return _login_form(
            request,
            next_url=next_url,
            username=username,
            error=f"Enter your {' and '.join(missing)}.",
            status_code=422,
        )
    settings = get_settings()
    client = request.client.host if request.client else "unknown"
    keys = [f"ip:{client}", f"user:{username.lower()}"]
    # The attempt is counted first, in a short write transaction of its own; the password is
    # checked after it, outside any transaction (argon2 is slow on purpose, and editors'
    # changes must not wait behind it), a few at a time. Only a failure stays counted.
    try:
        with write_session() as session:
            reserved = accounts.reserve_login_attempt(
                session,
                keys=keys,
                limit=settings.login_attempts,
                window=settings.login_window_seconds,
            )
    except RateLimited as exc:
        return _refused(request, exc, next_url=next_url, username=username, status_code=429)
    try:
        with accounts.password_check_turn(), read_session() as session:
            principal = accounts.verify_password(session, username=username, password=password)
    except Busy as exc:
        principal = None
        busy: Busy | None = exc
    else:
        busy = None
    if principal is not None or busy is not None:
        with write_session() as session:
            accounts.forget_login_attempt(session, ids=reserved)
    if busy is not None:
        return _refused(request, busy, next_url=next_url, username=username, status_code=503)
    if principal is None:
        return _login_form(request, next_url=next_url, username=username, error=WRONG)
    # A new session: nothing from before signing in (its CSRF token included) carries over.
    request.session.clear()
    request.session["user_id"] = principal.user_id
    request.session["session_version"] = principal.session_version
    csrf.new_token(request)
    return see_other(next_url)


def _refused(
    request: Request, error: RateLimited | Busy, *, next_url: str, username: str, status_code: int
) -> Response:
    return _login_form(
        request,
        next_url=next_url,
        username=username,
        error=error.detail,
        status_code=status_code,
        headers=headers_of(error),
    )


@router.post("/logout")
def logout(request: Request, principal: CurrentPrincipal, form: PostedForm) -> Response:
    """Sign out: every session of the user ends, on this device and any other (a copy of the
    cookie included)."""
    csrf.check(request, form)
    if principal.user_id is not None:
        with write_session() as session:
            accounts.end_sessions(session, user_id=principal.user_id)
    request.session.clear()
    return see_other("/")
