"""Uploads are read in a child process within limits of time and memory, and a PDF may not
expand past a bound: a PDF bomb (pages sharing one huge content stream) and a decompression bomb
(one stream inflating to hundreds of megabytes) are refused quickly with a 422 naming `file`,
through the API and against a real server that keeps answering meanwhile; a child cut short
leaves no process behind; ordinary files give the same text as read in the server itself."""

from __future__ import annotations

import functools
import random
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.errors import Invalid
from service.sources import extract, sandbox
from tests.support import servers
from tests.support.accounts import sign_in
from tests.support.figures import FIGURES, Figures
from tests.support.pages import html

MIB = 1024 * 1024
# The bound for a health check while uploads are read; generous on a busy machine.
HEALTHZ_SECONDS = 0.1
BOMB_SECONDS = 10.0
WORDS = [
    *("council", "trust", "police", "officers", "budget", "review", "pledged", "hospital"),
    *("waiting", "lists", "report", "committee", "funding", "million", "residents"),
    *("services", "schools", "roads", "repair", "housing", "plan"),
]


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalogue), with its xref table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def flate_stream(raw: bytes) -> bytes:
    data = zlib.compress(raw, 9)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(data), data)


def pages_pdf(pages: int, content: bytes) -> bytes:
    """`pages` pages that all draw the one content stream."""
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    )
    return pdf_of(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            flate_stream(content),
            *[page] * pages,
        ]
    )


@functools.cache
def pdf_bomb() -> bytes:
    """Ten pages sharing one content stream of 2 MB of text operators: a few kilobytes of PDF,
    20 MB to parse (about 25 s of pypdf)."""
    line = b"BT /F1 12 Tf 72 720 Td (hello) Tj ET\n"
    return pages_pdf(10, line * (2 * MIB // len(line)))


@functools.cache
def decompression_bomb() -> bytes:
    """One page whose FlateDecode stream inflates to 256 MB (about 250 KB of PDF)."""
    return pages_pdf(1, bytes(256 * MIB))


def ordinary_pdf() -> bytes:
    content = (
        b"BT /F1 12 Tf 72 720 Td (The council will repair 1,200 potholes by March.) Tj ET\n"
        b"BT /F1 12 Tf 72 700 Td (The work starts next week.) Tj ET\n"
    )
    return pages_pdf(2, content)


def dense_page(size: int, seed: int = 0) -> bytes:
    """An HTML article of about `size` bytes made of many small elements (what makes the HTML
    parser's memory grow most)."""
    rng = random.Random(seed)
    parts = ["<html><head><title>Budget</title></head><body><article><h1>The budget</h1>"]
    total = 0
    while total < size:
        spans = " ".join(f"<span>{rng.choice(WORDS)}</span>" for _ in range(12))
        chunk = f"<div><p>{spans} <a href='/{total}'>more</a>.</p></div>"
        parts.append(chunk)
        total += len(chunk)
    parts.append("</article></body></html>")
    return "".join(parts).encode()


BOMBS = {"pdf-bomb": pdf_bomb, "decompression-bomb": decompression_bomb}


def _post(client, headers, name: str, data: bytes, kind: str = "application/pdf"):
    return client.post(
        "/api/v1/sources",
        data={"title": f"An upload {name}"},
        files={"file": (name, data, kind)},
        headers=headers,
    )


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_bomb_is_refused_quickly_through_the_api(client, editor_headers, bomb) -> None:
    data = BOMBS[bomb]()
    assert len(data) < 1024 * 1024  # under the body limit: it is the reading that is refused
    began = time.monotonic()
    response = _post(client, editor_headers, f"{bomb}.pdf", data)
    took = time.monotonic() - began
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["file"]
    assert "expands to more than 8 MB" in response.json()["errors"][0]["message"]
    assert took < BOMB_SECONDS
    assert len(client.get("/api/v1/sources").json()["sources"]) == 2


def test_the_bound_refuses_the_bomb_and_reads_an_ordinary_pdf() -> None:
    """The bound is what makes the bomb quick (it took 30 s to refuse before): the bomb is past
    it, an ordinary PDF well within."""
    with pytest.raises(Invalid, match="expands to more than"):
        extract.extract_text(filename="b.pdf", content_type=None, data=pdf_bomb(), max_chars=10)
    found = extract.extract_text(
        filename="a.pdf", content_type=None, data=ordinary_pdf(), max_chars=10_000
    )
    assert "1,200 potholes" in found.text


def test_a_bomb_sent_through_the_form_is_refused_beside_the_file(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    began = time.monotonic()
    response = client.post(
        "/sources/new",
        data={"csrf_token": csrf, "title": "A bomb"},
        files={"file": ("bomb.pdf", pdf_bomb(), "application/pdf")},
        follow_redirects=False,
    )
    assert time.monotonic() - began < BOMB_SECONDS
    assert response.status_code == 422
    error = html(response).select_one("#f-file-error")
    assert error is not None and "expands to more than 8 MB" in error.get_text()


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("notes.txt", "Caf\u00e9 notes: the council will publish its review.\r\n".encode(), None),
        ("page.html", dense_page(20_000), "text/html"),
        ("report.pdf", ordinary_pdf(), "application/pdf"),
    ],
)
def test_ordinary_files_give_the_same_text_as_before(name, data, kind) -> None:
    arguments = {"filename": name, "content_type": kind, "data": data, "max_chars": 500_000}
    assert sandbox.extract_text(**arguments) == extract.extract_text(**arguments)
    media_type = extract.MEDIA_TYPE_BY_SUFFIX["." + name.rsplit(".", 1)[1]]
    assert sandbox.readings(data, media_type) == extract.readings(data, media_type)


def test_refusals_in_the_child_are_the_same_validation_errors() -> None:
    with pytest.raises(Invalid) as refused:
        sandbox.extract_text(
            filename="notes.txt", content_type=None, data=b"bell \x07", max_chars=100
        )
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("file", "the text holds a control character (U+0007) at 5.")
    ]


def test_a_bomb_cannot_be_read_so_only_editors_get_it() -> None:
    assert sandbox.readings(pdf_bomb(), extract.PDF) is None
    assert sandbox.readings(decompression_bomb(), extract.PDF) is None


def _forkserver_children() -> list[int]:
    """The processes the forkserver has forked and not yet seen reaped."""
    from multiprocessing import forkserver

    server = forkserver._forkserver._forkserver_pid  # type: ignore[attr-defined]
    assert server is not None, "no forkserver: nothing was read in a child"
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):
            continue
        if int(fields.get("PPid", "0").strip()) == server:
            children.append(int(status.parent.name))
    return children


def _wait_for_no_children(timeout: float = 5) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := _forkserver_children()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_a_child_out_of_time_is_killed_and_leaves_nothing_behind(monkeypatch) -> None:
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 0.2)
    page = dense_page(700_000)  # about 1.7 s of trafilatura
    began = time.monotonic()
    with pytest.raises(Invalid) as refused:
        sandbox.extract_text(filename="a.html", content_type=None, data=page, max_chars=10**7)
    assert time.monotonic() - began < 3
    assert refused.value.errors[0].field == "file"
    assert refused.value.errors[0].message == sandbox.TOO_LONG
    assert _wait_for_no_children() == []


def test_a_child_out_of_cpu_time_is_killed_and_leaves_nothing_behind(monkeypatch) -> None:
    monkeypatch.setattr(sandbox, "CPU_SECONDS", 1)
    page = dense_page(1_500_000)  # about 3.5 s of trafilatura
    with pytest.raises(Invalid) as refused:
        sandbox.extract_text(filename="a.html", content_type=None, data=page, max_chars=10**7)
    assert refused.value.errors[0].field == "file"
    assert refused.value.errors[0].message == sandbox.TOO_LONG
    assert _wait_for_no_children() == []


def test_a_child_out_of_memory_is_refused_and_leaves_nothing_behind(monkeypatch) -> None:
    # Past the forkserver's own address space (about 60 MB), too little for a 700 KB page.
    monkeypatch.setattr(sandbox, "MEMORY_BYTES", 100 * MIB)
    page = dense_page(700_000)
    with pytest.raises(Invalid) as refused:
        sandbox.extract_text(filename="a.html", content_type=None, data=page, max_chars=10**7)
    assert refused.value.errors[0].field == "file"
    assert refused.value.errors[0].message in (sandbox.TOO_BIG, sandbox.UNREADABLE)
    assert _wait_for_no_children() == []


# ---------------------------------------------------------------------------------------------
# Against `tracker serve`


@pytest.fixture
def figures() -> Figures:
    return FIGURES


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[servers.ServerProcess]:
    env = servers.tracker_env(database_url)
    started = servers.tracker_server(env, log_path=tmp_path / "server.log").start()
    yield started
    started.kill()


class HealthPoller(threading.Thread):
    """GET /healthz back to back until stopped; the slowest answer and how many there were."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.stopping = threading.Event()
        self.times: list[float] = []
        self.statuses: set[int] = set()

    def run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            while not self.stopping.is_set():
                began = time.monotonic()
                response = client.get("/healthz")
                self.times.append(time.monotonic() - began)
                self.statuses.add(response.status_code)
                time.sleep(0.01)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=15)


@pytest.mark.slow
def test_bombs_against_a_real_server_while_it_keeps_answering(server, make_user, figures) -> None:
    headers = {"Authorization": f"Bearer {make_user('editor', 'editor')}"}
    bombs = {name: make() for name, make in BOMBS.items()}
    with httpx.Client(base_url=server.url, timeout=60) as client:
        # The first upload starts the forkserver; the figures are for the bombs after it.
        warm = _post(
            client, headers, "warm.txt", b"The council will repair the road.", "text/plain"
        )
        assert warm.status_code == 201, warm.text
        poller = HealthPoller(server.url)
        poller.start()
        time.sleep(0.2)
        took = {}
        try:
            for name, data in bombs.items():
                began = time.monotonic()
                response = _post(client, headers, f"{name}.pdf", data)
                took[name] = time.monotonic() - began
                assert response.status_code == 422, response.text
                assert [e["field"] for e in response.json()["errors"]] == ["file"]
            time.sleep(0.2)
        finally:
            poller.stop()
    assert poller.statuses == {200} and len(poller.times) > 5
    worst = max(poller.times)
    figures.state("slowest /healthz while bombs were refused (ms)", round(worst * 1000))
    for name, seconds in took.items():
        figures.state(f"{name} refused by a real server (ms)", round(seconds * 1000))
        assert seconds < BOMB_SECONDS
    assert worst < HEALTHZ_SECONDS


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# The server process's growth while 20 pages of 700 KB are uploaded at once: each upload in
# flight holds its body, its multipart part, its text and the suggestions made from it in a
# thread of its own (about 4 MB each, 80 to 90 MB measured); the reading itself is in children.
# Twice that, and still a seventh of the 1.3 GB the same uploads added when read in the server.
RSS_GROWTH_BOUND_MIB = 200


@pytest.mark.slow
def test_twenty_concurrent_uploads_keep_the_servers_memory_bounded(
    server, make_user, figures
) -> None:
    headers = {"Authorization": f"Bearer {make_user('editor', 'editor')}"}
    pages = [dense_page(700_000, seed) for seed in range(20)]
    assert server.process is not None
    pid = server.process.pid
    with httpx.Client(base_url=server.url, timeout=120) as client:
        warm = _post(
            client, headers, "warm.txt", b"The council will repair the road.", "text/plain"
        )
        assert warm.status_code == 201, warm.text
    before = rss_mib(pid)
    peak = before
    statuses: list[int | str] = []

    def upload(n: int) -> None:
        # Two pages are read at a time, a few seconds of CPU each: on a machine shared with other
        # work the last answers come minutes after the first, which is no failure of the server.
        try:
            with httpx.Client(base_url=server.url, timeout=600) as client:
                response = _post(client, headers, f"page-{n}.html", pages[n], "text/html")
                statuses.append(response.status_code)
        except httpx.HTTPError as exc:  # said in the assertion below, not lost with the thread
            statuses.append(repr(exc))

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(20)]
    poller = HealthPoller(server.url)
    poller.start()
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        peak = max(peak, rss_mib(pid))
        time.sleep(0.02)
    poller.stop()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 20, statuses
    figures.state("server RSS growth, 20 uploads of 700 KB at once (MiB)", round(peak - before))
    figures.state(
        "slowest /healthz during 20 uploads at once (ms)", round(max(poller.times) * 1000)
    )
    assert peak - before < RSS_GROWTH_BOUND_MIB
