"""No way in: every unsafe route (found by walking the app, so a new one is covered without being
listed here) refuses anonymous users and viewers, and the dashboard's forms refuse a post
without the session's CSRF token; a revoked token stops at once; sign-ins are rate limited per
address and per username and never tell whether a user exists; passwords and tokens are stored
only as hashes and appear in no log line and no response."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from service.cli import app as cli
from tests.reliability.support import export_of, walk_routes
from tests.support.accounts import PASSWORD, login_form, page_csrf_token, post_login, sign_in
from tests.support.seed import ACTOR, ITEM, QUOTE, SOURCE

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
WRONG = "Wrong username or password."
# A body that passes validation, so that a refusal can only come from who is asking.
VALID = {
    "POST /api/v1/items": {
        "kind": "commitment",
        "title": "Panel",
        "actor": ACTOR,
        "source": SOURCE,
        "quote": QUOTE,
    },
    "PATCH /api/v1/items/{ref}": {"title": "A new title"},
    "POST /api/v1/items/{ref}/status": {"status": "stalled", "note": "Stalled."},
    "POST /api/v1/items/{ref}/replies": {"by": ACTOR, "text": "We answered."},
    "POST /api/v1/items/{ref}/links": {
        "relation": "related",
        "target": "pcc-victims-and-survivors-panel",
    },
}
FORM = {
    "status": "stalled",
    "note": "Stalled.",
    "evidence_url": "",
    "progress_value": "",
    # The reply and link forms' fields, so that only the token or the role can refuse them.
    "by": ACTOR,
    "text": "We answered.",
    "relation": "related",
    "target": "pcc-victims-and-survivors-panel",
}

runner = CliRunner()


def _unsafe_routes(app) -> list[tuple[str, str]]:
    return sorted(
        (method, path)
        for path, methods in walk_routes(app.routes)
        for method in methods & UNSAFE
        if not path.startswith("/static")
    )


def _send(client, method: str, path: str, headers: dict[str, str] | None = None):
    body = VALID.get(f"{method} {path}", {})
    return client.request(
        method,
        path.replace("{ref}", ITEM),
        json=body,
        headers={"If-Match": '"1"', **(headers or {})},
        follow_redirects=False,
    )


def _is_problem(response, status: int) -> bool:
    return (
        response.status_code == status
        and response.headers["content-type"] == "application/problem+json"
        and response.json()["status"] == status
    )


def test_every_api_write_refuses_anonymous_users_and_viewers(
    client, make_user, database_url: str, figures
) -> None:
    viewer = make_user("viewer", "viewer")
    before = export_of(database_url)
    routes = [(m, p) for m, p in _unsafe_routes(client.app) if p.startswith("/api/")]
    assert {f"{m} {p}" for m, p in routes} >= set(VALID)
    attempts = 0
    for method, path in routes:
        for headers in (
            {},
            {"Authorization": "Bearer trk_not-a-token"},
            {"Authorization": "Bearer "},
            {"Authorization": "Basic ZWRpdG9yOnB3"},
            {"Authorization": f"bearer {viewer}x"},
        ):
            response = _send(client, method, path, headers)
            assert _is_problem(response, 401), (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
            attempts += 1
        response = _send(client, method, path, {"Authorization": f"Bearer {viewer}"})
        assert _is_problem(response, 403), (method, path, response.text)
        attempts += 1
    assert export_of(database_url) == before
    figures.state("refused write attempts (per database)", attempts)


def _form_routes(app) -> list[str]:
    return [
        path.replace("{ref}", ITEM)
        for method, path in _unsafe_routes(app)
        if method == "POST" and not path.startswith("/api/") and path not in ("/login", "/logout")
    ]


def test_every_form_refuses_anonymous_users_viewers_and_posts_without_the_csrf_token(
    client, make_user, database_url: str, figures
) -> None:
    make_user("editor", "editor")
    make_user("viewer", "viewer")
    forms = _form_routes(client.app)
    assert f"/items/{ITEM}/status" in forms
    before = export_of(database_url)
    attempts = 0
    for path in forms:
        # Anonymous: sent to sign in (htmx is told where to go), nothing written.
        response = client.post(path, data=FORM, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
        htmx = client.post(path, data=FORM, headers={"HX-Request": "true"})
        assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/login")
        attempts += 2
    viewer = TestClient(client.app)
    assert post_login(viewer, "viewer").status_code == 303
    for path in forms:
        response = viewer.post(path, data={**FORM, "csrf_token": page_csrf_token(viewer)})
        assert response.status_code == 403, (path, response.text[:200])
        attempts += 1
    other = TestClient(client.app)
    assert post_login(other, "editor").status_code == 303
    signed_in = post_login(client, "editor")
    assert signed_in.status_code == 303
    # The session cookie is out of reach of scripts and of other sites' forms.
    cookie = signed_in.headers["set-cookie"].lower()
    assert cookie.startswith("tracker_session=") and "httponly" in cookie
    assert "samesite=lax" in cookie
    for path in forms:
        # No token, an empty one, a made-up one, another session's.
        for token in (None, "", "forged", page_csrf_token(other)):
            data = FORM if token is None else {**FORM, "csrf_token": token}
            response = client.post(path, data=data, follow_redirects=False)
            assert response.status_code == 403, (path, token, response.text[:200])
            htmx = client.post(path, data=FORM, headers={"HX-Request": "true", "X-CSRF-Token": "x"})
            assert htmx.status_code == 403
            attempts += 2
    assert export_of(database_url) == before
    # The same form with the session's own token goes through: the refusals were about the token.
    response = client.post(
        f"/items/{ITEM}/status",
        data={**FORM, "csrf_token": page_csrf_token(client)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    figures.state("refused form posts (per database)", attempts)


def test_a_session_cookie_alone_cannot_write_through_the_api(client, make_user) -> None:
    """A browser sends the cookie to any request, a forged one included: through the API, a
    session must also show its CSRF token."""
    make_user("editor", "editor")
    assert post_login(client, "editor").status_code == 303
    body = VALID["POST /api/v1/items/{ref}/status"]
    path = f"/api/v1/items/{ITEM}/status"
    assert _is_problem(client.post(path, json=body), 403)
    assert _is_problem(client.post(path, json=body, headers={"X-CSRF-Token": "forged"}), 403)
    response = client.post(path, json=body, headers={"X-CSRF-Token": page_csrf_token(client)})
    assert response.status_code == 200


def test_a_revoked_token_or_a_disabled_user_stops_at_once(client, make_user) -> None:
    token = make_user("editor", "editor")
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/items/{ITEM}/status"
    assert client.post(path, json={"status": "stalled", "note": "1"}, headers=headers).is_success
    result = runner.invoke(cli, ["tokens", "revoke", token[:10]])  # by the prefix shown
    assert result.exit_code == 0, result.output
    refused = client.post(path, json={"status": "delivered", "note": "2"}, headers=headers)
    assert _is_problem(refused, 401)
    # A revoked token reads like one that never existed.
    made_up = {"Authorization": "Bearer trk_" + "x" * 43}
    unknown = client.post(path, json={"status": "delivered", "note": "2"}, headers=made_up)
    # The same answer (but for each request's own id): a revoked token looks like one never made.
    assert {**refused.json(), "request_id": ""} == {**unknown.json(), "request_id": ""}

    second = make_user("editor", "editor")
    assert post_login(client, "editor").status_code == 303
    from service.accounts.models import User
    from service.db import write_session

    with write_session() as session:
        session.execute(sa.update(User).where(User.username == "editor").values(is_active=False))
    second_headers = {"Authorization": f"Bearer {second}"}
    response = client.post(path, json={"status": "delivered", "note": "3"}, headers=second_headers)
    assert _is_problem(response, 401)
    # The signed-in browser of the disabled user is anonymous again.
    form = client.post(f"/items/{ITEM}/status", data=FORM, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"].startswith("/login")
    assert [e["note"] for e in client.get(f"/api/v1/items/{ITEM}/history").json()["events"]][
        1:
    ] == ["1"]


def _login_error(response) -> str:
    return BeautifulSoup(response.text, "html.parser").select_one("#login-error").get_text()


def test_sign_ins_are_limited_per_username_and_per_address(client, make_user, figures) -> None:
    make_user("editor", "editor")
    app = client.app
    # Guesses at one user from many addresses: the user is protected all the same.
    for n in range(5):
        guesser = TestClient(app, client=(f"198.51.100.{n}", 40000))
        assert post_login(guesser, "editor", f"guess {n}").status_code == 200
    late = TestClient(app, client=("198.51.100.99", 40000))
    limited = post_login(late, "editor", PASSWORD)  # even the right password waits
    assert limited.status_code == 429 and limited.headers["retry-after"]
    # One address guessing many users (that exist or not) is limited as well.
    sprayer = TestClient(app, client=("203.0.113.7", 40000))
    for n in range(5):
        assert post_login(sprayer, f"user{n}", "guess").status_code == 200
    assert post_login(sprayer, "someone-else", "guess").status_code == 429
    # Another address and another user are not held up by either.
    assert (
        post_login(TestClient(app, client=("192.0.2.50", 40000)), "nobody", "x").status_code == 200
    )
    figures.state("sign-in guesses before 429", 5)


def test_guesses_sent_at_once_are_checked_no_more_than_the_limit(
    client, make_user, monkeypatch, figures
) -> None:
    """Each guess is counted before its password is checked, so guesses sent together cannot
    all slip under the limit while the first ones are still being hashed."""
    from argon2 import PasswordHasher

    make_user("editor", "editor")
    checked = []
    lock = threading.Lock()
    verify = PasswordHasher.verify

    def counted(self, hash, password):  # type: ignore[no-untyped-def]
        with lock:
            checked.append(password)
        time.sleep(0.05)  # as slow as a real argon2 check, so the guesses overlap
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    guessers = [TestClient(client.app, client=("198.51.100.7", 40000 + n)) for n in range(23)]
    tokens = [str(login_form(g).select_one("input[name=csrf_token]")["value"]) for g in guessers]
    start = threading.Barrier(len(guessers))

    def guess(n: int) -> int:
        start.wait()
        return post_login(guessers[n], "editor", f"guess {n}", token=tokens[n]).status_code

    with ThreadPoolExecutor(len(guessers)) as pool:
        statuses = list(pool.map(guess, range(len(guessers))))
    assert len(checked) <= 5, f"{len(checked)} guesses were checked with argon2"
    assert sorted(statuses) == [200] * len(checked) + [429] * (len(guessers) - len(checked))
    figures.state("guesses sent at once (23): checked with argon2", len(checked))


def test_a_worker_busy_checking_passwords_says_try_again(client, make_user, monkeypatch) -> None:
    from service.accounts import service as accounts

    make_user("editor", "editor")
    full = threading.BoundedSemaphore(accounts.PASSWORD_CHECKS_AT_ONCE)
    for _ in range(accounts.PASSWORD_CHECKS_AT_ONCE):
        full.acquire()
    monkeypatch.setattr(accounts, "_password_checks", full)
    monkeypatch.setattr(accounts, "PASSWORD_CHECK_WAIT_SECONDS", 0.05)
    for n in range(8):  # more than the limit: a busy answer is not counted as a failure
        busy = post_login(client, "editor", f"guess {n}")
        assert busy.status_code == 503 and busy.headers["retry-after"]
    full.release()
    assert post_login(client, "editor", PASSWORD).status_code == 303


def _signed_in_as(app, cookie: str) -> str | None:
    """Who a client holding only this session cookie is, on the dashboard."""
    browser = TestClient(app)
    browser.cookies.set("tracker_session", cookie)
    page = BeautifulSoup(browser.get("/").text, "html.parser")
    if page.select_one("meta[name=csrf-token]") is None:
        return None
    return "signed in"


@pytest.mark.parametrize(
    "ending",
    ["sign out", "set-password", "disable", "disable then enable", "set-role"],
)
def test_an_old_session_cookie_stops_working_when_the_session_ends(
    client, make_user, ending: str
) -> None:
    make_user("editor", "editor")
    csrf_token = sign_in(client, "editor")
    old_cookie = client.cookies["tracker_session"]  # a copy, taken as a thief would
    assert _signed_in_as(client.app, old_cookie) == "signed in"
    if ending == "sign out":
        out = client.post("/logout", data={"csrf_token": csrf_token}, follow_redirects=False)
        assert out.status_code == 303
    else:
        commands = {
            "set-password": [["users", "set-password", "editor", "--password-stdin"]],
            "disable": [["users", "disable", "editor"]],
            "disable then enable": [["users", "disable", "editor"], ["users", "enable", "editor"]],
            "set-role": [["users", "set-role", "editor", "viewer"]],
        }[ending]
        for command in commands:
            result = runner.invoke(cli, command, input="another long password\n")
            assert result.exit_code == 0, result.output
    assert _signed_in_as(client.app, old_cookie) is None
    # Nor can the copy write through the API with the page's CSRF token.
    thief = TestClient(client.app)
    thief.cookies.set("tracker_session", old_cookie)
    write = thief.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Not me."},
        headers={"X-CSRF-Token": csrf_token},
    )
    assert write.status_code == 401


def test_a_sign_in_never_tells_whether_the_user_exists(client, make_user) -> None:
    make_user("editor", "editor")
    make_user("retired", "editor")
    from service.accounts.models import User
    from service.db import write_session

    with write_session() as session:
        session.execute(sa.update(User).where(User.username == "retired").values(is_active=False))
    answers = {
        name: post_login(TestClient(client.app, client=(f"192.0.2.{n}", 1)), name, password)
        for n, (name, password) in enumerate(
            [("editor", "wrong password"), ("nobody", "wrong password"), ("retired", PASSWORD)]
        )
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert _login_error(response) == WRONG, name
        assert (
            "set-cookie" not in response.headers
            or "tracker_session=null" in (response.headers["set-cookie"])
        )
    bodies = set()
    for name, response in answers.items():
        token = BeautifulSoup(response.text, "html.parser").select_one("input[name=csrf_token]")
        bodies.add(response.text.replace(token["value"], "TOKEN").replace(name, "NAME"))
    assert len(bodies) == 1, "the three failures must read the same, but for the name typed"


def test_secrets_are_stored_hashed_and_never_logged_or_returned(
    client, database_url: str, caplog: pytest.LogCaptureFixture, figures
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "a secret passphrase, never to be seen"
    result = runner.invoke(
        cli, ["users", "create", "alice", "--role", "editor", "--password-stdin"], input=password
    )
    assert result.exit_code == 0 and password not in result.output
    result = runner.invoke(cli, ["tokens", "create", "alice"])
    token = result.output.strip().splitlines()[-1]  # shown once, to the operator, by design
    answers = [
        client.post(
            f"/api/v1/items/{ITEM}/status",
            json={"status": "stalled", "note": "With a token."},
            headers={"Authorization": f"Bearer {token}"},
        ),
        client.post("/api/v1/items", json={}, headers={"Authorization": f"Bearer {token}x"}),
        client.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"}),
        post_login(client, "alice", password + "!"),
        post_login(client, "alice", password),
        client.get("/"),
        client.get(f"/items/{ITEM}"),
        client.post(
            "/login",
            data={"username": "alice", "password": password, "csrf_token": "forged"},
        ),
    ]
    assert answers[0].status_code == 200 and answers[4].status_code == 303
    runner.invoke(cli, ["tokens", "revoke", token])
    answers.append(
        client.post("/api/v1/items", json={}, headers={"Authorization": f"Bearer {token}"})
    )
    # Not in any answer, body or header.
    for response in answers:
        seen = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.items())
        assert password not in seen and token not in seen, response.request.url
    # Not in any log line, message or arguments.
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert password not in logged and token not in logged
    # Stored only as hashes: argon2id for the password, SHA-256 for the token.
    export = export_of(database_url)
    assert password.encode() not in export and token.encode() not in export
    assert hashlib.sha256(token.encode()).hexdigest().encode() in export
    from service.accounts import service as accounts
    from service.db import read_session

    with read_session() as session:
        assert accounts.get_user(session, username="alice").password_hash.startswith("$argon2id$")
    figures.state("log records scanned for secrets (per database)", len(caplog.records))
