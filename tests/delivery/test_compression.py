"""Answers in the content coding the request accepts (service/delivery/encoding.py, the delivery
layer, service/web/compression.py): the same bytes once decoded, an ETag per coding, a 304 for a
copy in any coding the request accepts, `Vary: Accept-Encoding`, encoded once and kept so."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import brotli
import pytest
from fastapi.testclient import TestClient

from service.delivery import conditional, encoding
from service.delivery.encoding import accepted
from service.delivery.store import public_paths
from service.items import listing
from tests.support.figures import FIGURES
from tests.support.seed import ITEM

LIST = "/api/v1/items?limit=50"
GZIP = {"Accept-Encoding": "gzip"}
BR = {"Accept-Encoding": "br"}
IDENTITY = {"Accept-Encoding": "identity"}
# One of each kind of text the tracker serves.
ANSWERS = {
    "JSON list": LIST,
    "CSV export": "/api/v1/items.csv",
    "Atom feed": "/feed.atom",
    "dashboard page": "/",
    "item page": f"/items/{ITEM}",
    "static stylesheet": "/static/app.css",
}


@pytest.fixture
def exports(app_settings, tmp_path, monkeypatch):
    """Exports kept in this test's own directory."""
    from tests.support.databases import reset_app_state

    monkeypatch.setenv("TRACKER_EXPORT_CACHE_DIR", str(tmp_path / "exports"))
    reset_app_state()
    return tmp_path / "exports"


def raw(client: TestClient, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """An answer's status, headers and bytes as sent (not decoded)."""
    with client.stream("GET", url, headers=headers) as response:
        return response.status_code, dict(response.headers), b"".join(response.iter_raw())


def identity_tag(etag: str) -> str:
    return encoding.split_tag(etag.strip('"'))[0]


@pytest.mark.parametrize("name", list(ANSWERS))
def test_each_text_decodes_to_the_identity_bytes(client, exports, name) -> None:
    url = ANSWERS[name]
    status, plain_headers, plain = raw(client, url, IDENTITY)
    assert status == 200 and "content-encoding" not in plain_headers
    assert "Accept-Encoding" in plain_headers["vary"]
    for coding, decode in (("gzip", gzip.decompress), ("br", brotli.decompress)):
        for attempt in ("made", "kept"):  # the first answer, then the one kept
            status, headers, data = raw(client, url, {"Accept-Encoding": coding})
            assert status == 200, (coding, attempt)
            assert headers["content-encoding"] == coding
            assert decode(data) == plain, (coding, attempt)
            assert "Accept-Encoding" in headers["vary"]
            if "content-length" in headers:
                assert int(headers["content-length"]) == len(data)
            assert headers["etag"] == plain_headers["etag"][:-1] + f'-{coding}"'
            assert headers["content-type"] == plain_headers["content-type"]
        FIGURES.state(
            f"compression: {name}, {coding} as % of identity ({len(plain)} bytes)",
            round(100 * len(data) / len(plain)),
        )
    assert len(gzip.compress(plain)) < len(plain) / 2  # text worth encoding


def test_each_coding_has_its_own_etag_and_its_own_304(client) -> None:
    tags = {
        coding: client.get(LIST, headers={"Accept-Encoding": coding}).headers["etag"]
        for coding in ("identity", "gzip", "br")
    }
    assert len(set(tags.values())) == 3
    assert {identity_tag(tag) for tag in tags.values()} == {tags["identity"].strip('"')}
    for route in (False, True):
        if route:
            public_paths.clear()  # the fast path knows nothing: the route answers
        for coding, tag in tags.items():
            again = client.get(LIST, headers={"Accept-Encoding": coding, "If-None-Match": tag})
            assert again.status_code == 304, (coding, route)
            assert again.headers["etag"] == tag
            assert again.headers["vary"] == "Accept-Encoding"
            assert again.content == b""
    # A browser that accepts both holds a gzip copy: that copy is current, and named.
    both = {"Accept-Encoding": "gzip, br", "If-None-Match": tags["gzip"]}
    held = client.get(LIST, headers=both)
    assert held.status_code == 304 and held.headers["etag"] == tags["gzip"]
    # Weakened by a proxy on the way, still the same copy.
    weak = client.get(LIST, headers={**GZIP, "If-None-Match": "W/" + tags["gzip"]})
    assert weak.status_code == 304 and weak.headers["etag"] == tags["gzip"]
    # Several copies named: the one in the coding this request would be sent in.
    listed = ", ".join((tags["gzip"], tags["br"], tags["identity"]))
    chosen = client.get(LIST, headers={**BR, "If-None-Match": listed})
    assert chosen.status_code == 304 and chosen.headers["etag"] == tags["br"]


def test_a_copy_in_a_coding_no_longer_accepted_is_not_current(client) -> None:
    gzip_tag = client.get(LIST, headers=GZIP).headers["etag"]
    for headers in ({"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0, br"}):
        for route in (False, True):
            if route:
                public_paths.clear()
            response = client.get(LIST, headers={**headers, "If-None-Match": gzip_tag})
            assert response.status_code == 200, (headers, route)
            assert response.headers["etag"] != gzip_tag
    # The identity copy stays current for a client that accepts gzip (identity is acceptable).
    plain_tag = client.get(LIST, headers=IDENTITY).headers["etag"]
    assert client.get(LIST, headers={**GZIP, "If-None-Match": plain_tag}).status_code == 304


def test_a_change_makes_new_bodies_in_every_coding(client, editor_headers) -> None:
    before = client.get(LIST, headers=GZIP)
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "stalled", "note": "The posts are not yet funded."},
        headers=editor_headers,
    ).raise_for_status()
    after = client.get(LIST, headers={**GZIP, "If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["content-encoding"] == "gzip"
    assert identity_tag(after.headers["etag"]) != identity_tag(before.headers["etag"])
    assert after.json()["items"][0]["slug"] == ITEM


def test_no_coding_unless_one_is_accepted(client) -> None:
    del client.headers["accept-encoding"]  # the test client asks for gzip and br by default
    status, headers, data = raw(client, LIST, {})
    assert status == 200 and "content-encoding" not in headers
    assert data.startswith(b"{") and headers["vary"] == "Accept-Encoding"
    for refused in (
        "identity",
        "gzip;q=0, br;q=0",
        "br;q=0, gzip;q=0",
        "*;q=0",
        "compress, zstd",
        "",
    ):
        status, headers, data = raw(client, LIST, {"Accept-Encoding": refused})
        assert status == 200 and "content-encoding" not in headers, refused
        assert data.startswith(b"{"), refused
    status, headers, _ = raw(client, "/static/app.css", {"Accept-Encoding": "gzip;q=0"})
    assert status == 200 and "content-encoding" not in headers


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("gzip", "gzip"),
        ("x-gzip", "gzip"),
        ("GZIP;Q=0.5", "gzip"),
        ("gzip, deflate, br, zstd", "br"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0.5, br;q=0.8", "br"),
        ("gzip;q=0.9, br;q=0.8", "gzip"),
        ("identity;q=1, gzip;q=0.5", "identity"),
        ("*", "br"),
        ("*;q=0.1, gzip;q=0", "br"),
        ("gzip;q=0", "identity"),
        ("gzip;q=2", "identity"),  # out of range: left out
        ("gzip;q=x", "identity"),
        ("", "identity"),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header, chosen) -> None:
    assert accepted(header).chosen == chosen


def test_identity_refused_is_known_when_comparing_etags() -> None:
    assert "identity" not in accepted("gzip, identity;q=0").codings
    assert "identity" not in accepted("*;q=0").codings
    assert accepted("gzip").codings == {"gzip", "identity"}
    assert accepted(None).codings == {"identity"}


def test_small_bodies_go_as_they_are(client) -> None:
    url = "/api/v1/items?limit=1&q=nowordmatchesthis"
    status, headers, data = raw(client, url, GZIP)
    assert status == 200 and len(data) < encoding.MIN_SIZE
    assert "content-encoding" not in headers and not headers["etag"].endswith('-gzip"')
    assert headers["vary"] == "Accept-Encoding"
    kept = raw(client, url, GZIP)  # the fast path, from the kept body
    assert kept[2] == data and "content-encoding" not in kept[1]
    assert client.get(url, headers={**GZIP, "If-None-Match": headers["etag"]}).status_code == 304
    problem = raw(client, "/api/v1/items/no-such-item", GZIP)
    assert problem[0] == 404 and "content-encoding" not in problem[1]


def test_kept_bodies_are_encoded_once_and_sent_by_the_fast_path(client, monkeypatch) -> None:
    calls: list[str] = []
    real = conditional.encode

    def counted(data: bytes, coding: str) -> bytes:
        calls.append(coding)
        return real(data, coding)

    monkeypatch.setattr(conditional, "encode", counted)
    first = raw(client, LIST, GZIP)
    assert calls == ["gzip"]

    def fail(*args: object, **kwargs: object) -> object:
        raise AssertionError("the route ran: the fast path did not answer")

    with monkeypatch.context() as patched:
        patched.setattr(listing, "list_values", fail)
        for _ in range(3):
            again = raw(client, LIST, GZIP)
            assert again[2] == first[2]
            for name in ("etag", "content-encoding", "content-length", "vary"):
                assert again[1][name] == first[1][name]
        tag = first[1]["etag"]
        assert client.get(LIST, headers={**GZIP, "If-None-Match": tag}).status_code == 304
        # Brotli asked for the first time: the route encodes the kept bytes, reads nothing.
        br = raw(client, LIST, BR)
        assert br[1]["content-encoding"] == "br"
        assert raw(client, LIST, BR)[2] == br[2]
    assert calls == ["gzip", "br"]


def test_head_gives_the_headers_of_the_encoded_get(client) -> None:
    get = raw(client, LIST, GZIP)
    head = client.head(LIST, headers=GZIP)
    assert head.status_code == 200 and head.content == b""
    for name in ("content-encoding", "content-length", "etag", "vary", "content-type"):
        assert head.headers[name] == get[1][name], name


def test_exports_are_encoded_once_and_kept_encoded(client, exports, monkeypatch) -> None:
    from service.items import csv_export

    plain = raw(client, "/api/v1/items.csv", IDENTITY)[2]
    streamed = raw(client, "/api/v1/items.csv", GZIP)
    assert "content-length" not in streamed[1]  # encoded as it is read
    assert gzip.decompress(streamed[2]) == plain
    names = sorted(path.name.partition(".")[2] for path in exports.glob("*.cached"))
    assert names == ["cached", "gzip.cached"]

    def no_reading(**_: object) -> Iterator[bytes]:
        raise AssertionError("the table was read again")

    monkeypatch.setattr(csv_export, "stream", no_reading)
    kept = raw(client, "/api/v1/items.csv", GZIP)
    assert kept[2] == streamed[2] and int(kept[1]["content-length"]) == len(kept[2])
    assert kept[1]["etag"] == streamed[1]["etag"]
    # Brotli from the identity file already kept, not from the table.
    br = raw(client, "/api/v1/items.csv", BR)
    assert brotli.decompress(br[2]) == plain
    assert len(list(exports.glob("*.cached"))) == 3
    tag = br[1]["etag"]
    assert client.get("/api/v1/items.csv", headers={**BR, "If-None-Match": tag}).status_code == 304


def test_static_files_are_encoded_once_with_their_own_etag(client) -> None:
    url = "/static/app.css"
    plain = raw(client, url, IDENTITY)
    encoded = raw(client, url, GZIP)
    assert gzip.decompress(encoded[2]) == plain[2]
    assert encoded[1]["etag"] == plain[1]["etag"][:-1] + '-gzip"'
    assert encoded[1]["cache-control"] == plain[1]["cache-control"]
    for tag, headers in ((encoded[1]["etag"], GZIP), (plain[1]["etag"], GZIP)):
        again = client.get(url, headers={**headers, "If-None-Match": tag})
        assert again.status_code == 304 and again.headers["etag"] == tag
        assert "Accept-Encoding" in again.headers["vary"]
    # A gzip copy is not current for a client that no longer takes gzip.
    refused = client.get(url, headers={**IDENTITY, "If-None-Match": encoded[1]["etag"]})
    assert refused.status_code == 200 and refused.headers["etag"] == plain[1]["etag"]


def test_encoding_gives_the_same_bytes_every_time() -> None:
    data = b'{"items": [' + b'{"title": "Sixty-two more staff"}, ' * 200 + b"]}"
    for coding in encoding.CODINGS:
        once = encoding.encode(data, coding)
        assert once == encoding.encode(data, coding)
        assert b"".join(encoding.encoded(iter([data[:100], data[100:]]), coding)) == once
    assert encoding.encode(data, "gzip")[4:8] == b"\0\0\0\0"  # no time in the gzip header


def test_an_items_etag_in_a_coding_keeps_its_version_for_if_match(client, editor_headers) -> None:
    url = f"/api/v1/items/{ITEM}"
    plain = client.get(url, headers=IDENTITY).headers["etag"]
    first = client.get(url, headers=GZIP)
    tag = first.headers["etag"]
    assert tag == plain[:-1] + '-gzip"' and tag.startswith(f'"{first.json()["version"]}-')
    kept = client.get(url, headers=GZIP)  # the fast path, from the kept body
    assert kept.headers["etag"] == tag and kept.headers["content-encoding"] == "gzip"
    held = client.get(url, headers={**GZIP, "If-None-Match": tag})
    assert held.status_code == 304 and held.headers["etag"] == tag
    edited = client.patch(
        url,
        json={"title": "Sixty-two more staff, funded"},
        headers={**editor_headers, "If-Match": tag},
    )
    assert edited.status_code == 200
    stale = client.patch(
        url, json={"title": "Sixty-two more staff"}, headers={**editor_headers, "If-Match": tag}
    )
    assert stale.status_code == 412
