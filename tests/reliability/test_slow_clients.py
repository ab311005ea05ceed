"""A client cannot hold the server's sockets by sending slowly, through `tracker serve` as an
operator runs it: the request's head must arrive within TRACKER_HEADER_TIMEOUT_SECONDS of
connecting (or of its first byte on a kept-alive connection) and its body within
TRACKER_BODY_TIMEOUT_SECONDS of the head; past them the client gets 408 and is disconnected.
A request sent in time, however slowly, is answered."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import pytest

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 2.0
HELD = 60


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    connection = socket.create_connection((parts.hostname, parts.port), timeout=15)
    return connection


def _read_all(connection: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes; how long that took."""
    started = time.monotonic()
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received, time.monotonic() - started


@pytest.fixture
def server(database_url: str, tracker_server):
    return tracker_server(
        database_url,
        TRACKER_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT),
        TRACKER_BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT),
    ).start()


@pytest.mark.slow
def test_slow_headers_and_silent_sockets_are_cut_off(server, figures) -> None:
    held = [_connect(server.url) for _ in range(HELD)]
    for number, connection in enumerate(held):
        if number % 2:  # half send part of a head, half nothing at all
            connection.sendall(b"GET /api/v1/items HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    time.sleep(HEADER_TIMEOUT + 0.5)
    closed_in = []
    for number, connection in enumerate(held):
        received, waited = _read_all(connection)
        closed_in.append(waited)
        assert received.startswith(b"HTTP/1.1 408 "), (number, received[:80])
        assert b"connection: close" in received.lower()
        connection.close()
    # Each was already closed, or closed at once: nobody waited for another deadline.
    assert max(closed_in) < 1.0, max(closed_in)
    figures.state("sockets held by slow or silent clients, all cut off by the deadline", HELD)


@pytest.mark.slow
def test_a_slow_body_is_cut_off(server) -> None:
    connection = _connect(server.url)
    connection.sendall(
        b"POST /api/v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"kind": '
    )
    received, waited = _read_all(connection)
    assert received.startswith(b"HTTP/1.1 408 "), received[:80]
    assert BODY_TIMEOUT - 0.5 < waited < BODY_TIMEOUT + 3, waited


@pytest.mark.slow
def test_a_request_sent_slowly_but_in_time_is_answered(server) -> None:
    connection = _connect(server.url)
    request = b"GET /api/v1/vocabulary HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    for start in range(0, len(request), 8):  # the head in pieces, well inside its deadline
        connection.sendall(request[start : start + 8])
        time.sleep(HEADER_TIMEOUT / 20)
    received, _ = _read_all(connection)
    assert received.startswith(b"HTTP/1.1 200 "), received[:80]
    assert b'"commitment"' in received


@pytest.mark.slow
def test_a_kept_alive_connection_has_a_deadline_for_each_request(server) -> None:
    connection = _connect(server.url)
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    first = b""
    while b'"ok"' not in first:
        chunk = connection.recv(65536)
        assert chunk, first
        first += chunk
    assert first.startswith(b"HTTP/1.1 200 ")
    # The second request starts, then stalls: its own deadline ends it (not the keep-alive).
    connection.sendall(b"GET /healthz HTTP/1.1\r\nHo")
    received, waited = _read_all(connection)
    assert received.startswith(b"HTTP/1.1 408 "), received[:80]
    assert waited < HEADER_TIMEOUT + 3, waited
