"""HTML routes of accounts: signing in (rate limited, one message for every failure) and out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.accounts import service as accounts
from service.config import get_settings
from service.db import read_session, write_session
from service.errors import CsrfRejected, RateLimited
from service.web import csrf
from service.web.deps import CurrentPrincipal
from service.web.forms import PostedForm, form_text, safe_next, see_other
from service.web.problems import headers_of
from service.web.templates import render

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
    context = {
        "principal": None,
        "csrf": None,
        "login_csrf": csrf.token(request),
        "next_url": next_url,
        "username": username,
        "error": error,
    }
    return render(
        request,
        LOGIN_PAGE,
        context,
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
    settings = get_settings()
    client = request.client.host if request.client else "unknown"
    keys = [f"ip:{client}", f"user:{username.lower()}"]
    limited: RateLimited | None = None
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
        except RateLimited as exc:
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
            headers=headers_of(limited),
        )
    if principal is None:
        return _login_form(request, next_url=next_url, username=username, error=WRONG)
    # A new session: nothing from before signing in (its CSRF token included) carries over.
    request.session.clear()
    request.session["user_id"] = principal.user_id
    csrf.new_token(request)
    return see_other(next_url)


@router.post("/logout")
def logout(request: Request, form: PostedForm) -> Response:
    csrf.check(request, form)
    request.session.clear()
    return see_other("/")
