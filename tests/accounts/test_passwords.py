"""Password hashing: argon2's recommended parameters everywhere but under test, where the
smallest costs keep the suite fast."""

from __future__ import annotations

import secrets

import pytest
from argon2 import extract_parameters, profiles

from service.accounts import service as accounts
from service.config import get_settings


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch):
    """Settings of the given TRACKER_ENV, as a fresh process would read them."""

    def use(env: str) -> None:
        monkeypatch.setenv("TRACKER_ENV", env)
        monkeypatch.setenv("TRACKER_SECRET_KEY", secrets.token_urlsafe(32))
        get_settings.cache_clear()
        assert get_settings().env == env

    yield use
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.parametrize("env", ["production", "development"])
def test_passwords_are_hashed_with_argon2s_recommended_parameters(environment, env: str) -> None:
    environment(env)
    stored = accounts.password_hasher().hash("correct horse battery")
    assert extract_parameters(stored) == profiles.RFC_9106_LOW_MEMORY


def test_under_test_passwords_are_hashed_cheaply_and_still_verified(environment) -> None:
    environment("test")
    hasher = accounts.password_hasher()
    stored = hasher.hash("correct horse battery")
    parameters = extract_parameters(stored)
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (1, 8, 1)
    assert parameters.hash_len == profiles.RFC_9106_LOW_MEMORY.hash_len
    assert hasher.verify(stored, "correct horse battery")
    # A hash made with the recommended parameters verifies all the same.
    environment("production")
    recommended = accounts.password_hasher().hash("correct horse battery")
    assert hasher.verify(recommended, "correct horse battery")
