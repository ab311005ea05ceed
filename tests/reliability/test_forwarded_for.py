"""The address a sign-in is counted against is the client's own, through `tracker serve` as an
operator runs it: X-Forwarded-For is believed only from the proxies named in
TRACKER_TRUSTED_PROXIES, not from whoever connects from this machine."""

from __future__ import annotations

import httpx
import pytest

from tests.support.accounts import post_login

LIMIT = 3


def _guesses_with_forged_addresses(url: str, count: int) -> list[int]:
    """`count` wrong sign-ins, each for another user and from another claimed address."""
    statuses = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for n in range(count):
            client.headers["X-Forwarded-For"] = f"203.0.113.{n + 1}"
            statuses.append(post_login(client, f"nobody{n}", "guess").status_code)
    return statuses


@pytest.mark.slow
def test_a_forged_x_forwarded_for_does_not_escape_the_sign_in_limit(
    database_url: str, tracker_server, figures
) -> None:
    server = tracker_server(database_url, TRACKER_LOGIN_ATTEMPTS=str(LIMIT)).start()
    statuses = _guesses_with_forged_addresses(server.url, LIMIT + 3)
    # Counted against 127.0.0.1 whatever the header claims: the limit, then 429.
    assert statuses == [200] * LIMIT + [429] * 3
    figures.state("sign-ins with a forged X-Forwarded-For before 429", LIMIT)


@pytest.mark.slow
def test_a_trusted_proxy_forwards_the_clients_address(database_url: str, tracker_server) -> None:
    server = tracker_server(
        database_url, TRACKER_LOGIN_ATTEMPTS=str(LIMIT), TRACKER_TRUSTED_PROXIES="127.0.0.1"
    ).start()
    # Behind a proxy named in the setting, each client has its own address (and its own limit).
    assert _guesses_with_forged_addresses(server.url, LIMIT + 3) == [200] * (LIMIT + 3)
