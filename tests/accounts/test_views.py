"""Signing in and out of the dashboard: the session cookie, CSRF, one message for every wrong
sign-in, and the rate limit."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from tests.support.accounts import PASSWORD, login_form, post_login
from tests.support.seed import ITEM

WRONG = "Wrong username or password."


def test_the_login_form(client) -> None:
    page = login_form(client)
    form = page.select_one("form[action='/login']")
    assert form["method"] == "post"
    for name, kind in (("username", "text"), ("password", "password")):
        field = form.select_one(f"input[name={name}]")
        assert field["type"] == kind
        assert page.select_one(f"label[for={field['id']}]") is not None
    assert form.select_one("input[name=csrf_token]")["value"]


def test_signing_in_sets_a_safe_session_cookie_and_returns_where_asked(client, make_user) -> None:
    make_user("editor", "editor")
    response = post_login(client, "editor", PASSWORD, next_url=f"/items/{ITEM}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/items/{ITEM}"
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("tracker_session=")
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie

    page = BeautifulSoup(client.get("/").text, "html.parser")
    assert page.select_one(".who strong").get_text() == "editor"
    assert page.select_one("meta[name=csrf-token]")["content"]
    # A sign-in never sends anyone off the site.
    client.cookies.clear()
    make_user("other", "editor")
    away = post_login(client, "other", PASSWORD, next_url="//evil.example/")
    assert away.headers["location"] == "/"


def test_the_cookie_is_secure_when_the_tracker_is_served_over_https(app_settings, make_user):
    from service.app import create_app

    make_user("editor", "editor")
    settings = app_settings.model_copy(update={"base_url": "https://tracker.example"})
    with TestClient(create_app(settings), base_url="https://tracker.example") as client:
        response = post_login(client, "editor", PASSWORD)
        assert response.status_code == 303
        assert "secure" in response.headers["set-cookie"].lower()


def test_a_wrong_username_and_a_wrong_password_read_the_same(client, make_user) -> None:
    make_user("editor", "editor")
    answers = [
        post_login(client, "editor", "not the password"),
        post_login(client, "nobody", PASSWORD),
    ]
    texts = []
    for response in answers:
        assert response.status_code == 200
        page = BeautifulSoup(response.text, "html.parser")
        texts.append(page.select_one("#login-error").get_text())
        assert page.select_one("#login-username")["aria-describedby"] == "login-error"
    assert texts == [WRONG, WRONG]
    assert "Sign in" in BeautifulSoup(client.get("/").text, "html.parser").select_one("nav").text


def test_sign_ins_are_rate_limited(client, make_user) -> None:
    make_user("editor", "editor")
    for _ in range(5):
        assert post_login(client, "editor", "guess").status_code == 200
    limited = post_login(client, "editor", PASSWORD)
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "60"
    assert (
        "Too many failed sign-ins"
        in BeautifulSoup(limited.text, "html.parser").select_one("#login-error").get_text()
    )


def test_signing_in_and_out_need_the_csrf_token(client, make_user) -> None:
    make_user("editor", "editor")
    refused = post_login(client, "editor", PASSWORD, token="forged")
    assert refused.status_code == 403
    assert "did not come from this site" in refused.text
    assert post_login(client, "editor", PASSWORD).status_code == 303

    page = BeautifulSoup(client.get("/").text, "html.parser")
    logout = page.select_one("form[action='/logout']")
    assert logout["method"] == "post"
    forged = client.post("/logout", data={"csrf_token": "forged"}, headers={"Accept": "text/html"})
    assert forged.status_code == 403
    token = logout.select_one("input[name=csrf_token]")["value"]
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/"
    page = BeautifulSoup(client.get("/").text, "html.parser")
    assert page.select_one(".who") is None and page.select_one("meta[name=csrf-token]") is None


def test_a_new_session_gets_a_new_csrf_token(client, make_user) -> None:
    make_user("editor", "editor")
    before = login_form(client).select_one("input[name=csrf_token]")["value"]
    assert post_login(client, "editor", PASSWORD, token=before).status_code == 303
    after = BeautifulSoup(client.get("/").text, "html.parser")
    assert after.select_one("meta[name=csrf-token]")["content"] != before


def test_sign_in_attempts_older_than_the_window_are_pruned(client, make_user, app_settings):
    import datetime as dt

    import sqlalchemy as sa

    from service.accounts.models import LoginAttempt
    from service.db import read_session, utcnow, write_session

    make_user("editor", "editor")
    window = dt.timedelta(seconds=app_settings.login_window_seconds)
    with write_session() as s:
        for age in (window * 2, window * 30, window + dt.timedelta(seconds=1)):
            s.add(LoginAttempt(key="user:someone-else", at=utcnow() - age))
    assert post_login(client, "editor", "guess").status_code == 200
    with read_session() as s:
        kept = s.execute(sa.select(LoginAttempt.key)).scalars().all()
    # The three stale rows are gone; the failure just made counts (per address and per user).
    assert not [key for key in kept if "someone-else" in key], kept
    assert len(kept) == 2, kept
