"""The `tracker` command: users, tokens, seed and migrations, with clear errors."""

from __future__ import annotations

import sqlalchemy as sa
from typer.testing import CliRunner

from service.accounts.models import ApiToken, User
from service.cli import app
from service.db import read_session
from tests.support.accounts import sign_in
from tests.support.seed import ITEM

runner = CliRunner()


def test_users_create_and_tokens_create(client) -> None:
    result = runner.invoke(
        app,
        ["users", "create", "alice", "--role", "editor", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "created editor alice" in result.output
    result = runner.invoke(app, ["tokens", "create", "alice"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("trk_") and len(token) > 40
    with read_session() as s:
        user = s.execute(sa.select(User)).scalar_one()
        stored = s.execute(sa.select(ApiToken)).scalar_one()
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash
    assert stored.token_hash != token and token not in stored.token_hash
    # The token works against the API at once.
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Recruitment started."},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    # Revoked: refused at once.
    result = runner.invoke(app, ["tokens", "revoke", token])
    assert result.exit_code == 0, result.output
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "stalled", "note": "x"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401


def test_at_a_terminal_the_password_is_asked_for_twice(client, monkeypatch) -> None:
    monkeypatch.setattr("service.cli._interactive", lambda: True)
    mistyped = runner.invoke(
        app, ["users", "create", "carol"], input="a long password 1\na long password 2\n"
    )
    assert "Error: The two entered values do not match." in mistyped.output
    assert "a long password" not in mistyped.output  # typed unseen
    result = runner.invoke(
        app, ["users", "create", "carol"], input="a long password 1\na long password 1\n"
    )
    assert result.exit_code == 0, result.output
    assert "created editor carol" in result.output
    sign_in(client, "carol", "a long password 1")  # the password typed twice is the one kept


def test_cli_errors_exit_non_zero(client) -> None:
    result = runner.invoke(app, ["users", "create", "bob", "--role", "editor"])
    assert result.exit_code == 2 and "--password-stdin" in result.output
    result = runner.invoke(
        app, ["users", "create", "bob", "--role", "boss", "--password-stdin"], input="x" * 20
    )
    assert result.exit_code == 1 and "role" in result.output
    result = runner.invoke(
        app, ["users", "create", "bob", "--role", "editor", "--password-stdin"], input="short\n"
    )
    assert result.exit_code == 1 and "at least 12" in result.output
    result = runner.invoke(app, ["tokens", "create", "nobody"])
    assert result.exit_code == 1 and "No user nobody" in result.output


def test_seed_command_is_idempotent(client) -> None:
    result = runner.invoke(app, ["seed"])
    assert result.exit_code == 0, result.output
    assert "items added: 0" in result.output
