"""Test users and signing in through the dashboard's form, with a TestClient or an httpx client
of a real server (both send the same requests)."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup

from tests.support.pages import html_page

# The password of every user the tests create (the make_user fixture's default).
PASSWORD = "correct horse battery"
EDITOR = "editor"


def login_form(client: Any) -> BeautifulSoup:
    return html_page(client, "/login")


def post_login(
    client: Any,
    username: str,
    password: str = PASSWORD,
    *,
    next_url: str = "/",
    token: str | None = None,
) -> Any:
    """Post the sign-in form, with the CSRF token of a freshly loaded form unless `token` is
    given; the response is not followed."""
    if token is None:
        field = login_form(client).select_one("input[name=csrf_token]")
        assert field is not None, "the sign-in form has no CSRF token"
        token = str(field["value"])
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": next_url},
        follow_redirects=False,
    )


def page_csrf_token(client: Any) -> str:
    """The session's CSRF token, as the dashboard hands it to htmx."""
    meta = html_page(client, "/").select_one("meta[name=csrf-token]")
    assert meta is not None, "the page carries no CSRF token: not signed in?"
    return str(meta["content"])


def sign_in(client: Any, username: str = EDITOR, password: str = PASSWORD) -> str:
    """Sign in through the form (it must succeed); returns the session's CSRF token."""
    response = post_login(client, username, password)
    assert response.status_code == 303, response.text
    return page_csrf_token(client)
