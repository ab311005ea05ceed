"""Hostile input against every write route (and the read parameters that clients build by
hand): each bad request gets a clear 4xx problem+json naming the bad field, never a 500, and
leaves the database exactly as it was (a whole export compared before and after)."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from bs4 import BeautifulSoup

from service.db import create_db_engine
from tests.reliability.support import export_bytes, export_of
from tests.support.seed import ACTOR, ITEM, ITEM_WITHOUT_QUANTITY, QUOTE, SOURCE

NO_QUANTITY_REF = f"/api/v1/items/{ITEM_WITHOUT_QUANTITY}"
PROBLEM = "application/problem+json"
MIB = 1024 * 1024
SQL = "x' OR '1'='1'; DROP TABLE item; --"
NUL = "a\u0000b"


@dataclass
class Case:
    name: str
    method: str
    path: str
    body: Any = None  # a dict or list is sent as JSON; bytes as they are
    status: int = 422
    fields: tuple[str, ...] = ()  # fields the problem's `errors` must name
    headers: dict[str, str] = field(default_factory=dict)


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


CREATE = "/api/v1/items"
PATCH = f"/api/v1/items/{ITEM}"
STATUS = f"/api/v1/items/{ITEM}/status"
GOOD_CREATE = {
    "kind": "commitment",
    "title": "Victims and survivors panel",
    "actor": ACTOR,
    "source": SOURCE,
    "quote": QUOTE,
}
V1 = {"If-Match": '"1"'}
TITLE = {"title": "x"}


def _create(**changes: Any) -> dict[str, Any]:
    body = {**GOOD_CREATE, **changes}
    return {k: v for k, v in body.items() if v is not ...}


def _status(**changes: Any) -> dict[str, Any]:
    body = {"status": "stalled", "note": "A note.", **changes}
    return {k: v for k, v in body.items() if v is not ...}


def c(name: str, body: Any, *fields: str, status: int = 422) -> Case:
    return Case(f"create: {name}", "POST", CREATE, body, status, fields)


def e(name: str, body: Any, *fields: str, status: int = 422, **options: Any) -> Case:
    return Case(
        f"edit: {name}",
        "PATCH",
        options.get("path", PATCH),
        body,
        status,
        fields,
        options.get("headers", V1),
    )


def s(name: str, body: Any, *fields: str, status: int = 422, path: str = STATUS) -> Case:
    return Case(f"status: {name}", "POST", path, body, status, fields)


def g(name: str, url: str, *fields: str, status: int = 422) -> Case:
    return Case(f"read: {name}", "GET", url, None, status, fields)


def _body_cases(method: str, path: str, headers: dict[str, str] | None = None) -> list[Case]:
    """Malformed bodies, the same for every write route."""
    h = headers or {}
    big = b'{"note": "' + b"x" * MIB + b'"}'
    form = {**h, "Content-Type": "application/x-www-form-urlencoded"}
    return [
        Case(f"{path}: invalid JSON", method, path, b'{"status": "stalled", ', 422, ("body",), h),
        Case(f"{path}: invalid UTF-8", method, path, b'{"note": "\xff\xfe"}', 422, ("body",), h),
        Case(f"{path}: a JSON list", method, path, [], 422, ("body",), h),
        Case(f"{path}: JSON null", method, path, b"null", 422, ("body",), h),
        Case(f"{path}: a JSON string", method, path, b'"stalled"', 422, ("body",), h),
        Case(f"{path}: empty body", method, path, b"", 422, ("body",), h),
        Case(f"{path}: deep nesting", method, path, b"[" * 50000 + b"]" * 50000, 422, (), h),
        Case(f"{path}: 1 MiB + 1 byte", method, path, b"x" * (MIB + 1), 413, (), h),
        Case(f"{path}: 1 MiB of JSON and more", method, path, big, 413, (), h),
        Case(f"{path}: form-encoded", method, path, b"status=stalled&note=x", 422, ("body",), form),
    ]


_NAN_QUANTITY = json.dumps(_create(quantity={"value": 1, "unit": "x"})).replace("1,", "NaN,")
_SURROGATE = json.dumps(_create(title="x")).replace('"x"', '"\\ud800"')
_IF_MATCH_JUNK = ['"abc"', "*", 'W/"x"', '"1", "2"', '"' + "9" * 40 + '"', '""', '"-1"', "1 OR 1"]
_CURSORS = [
    ("not base64", "!!!"),
    ("NUL", "%00"),
    ("not JSON", base64.urlsafe_b64encode(b"not json").decode()),
    ("a number", _cursor(1)),
    ("a short list", _cursor([1, 2])),
    ("of another sort", _cursor(["title", "A", 1])),
    ("with a bad date", _cursor(["-updated_at", "99999-01-01", 1])),
    ("with a string id", _cursor(["-updated_at", "2020-01-01T00:00:00+00:00", "1"])),
    ("with SQL", _cursor(["-updated_at", SQL, "1 OR 1=1"])),
    ("too long", "A" * 2000),
]
_INFINITE_PROGRESS = b'{"status": "stalled", "note": "x", "progress_value": 1e400}'
_LIMITS = ["0", "-5", "201", "abc", "9" * 40, "1e3"]
_FAR = ["yesterday", "0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-14:00", "1" * 70]

CASES: list[Case] = [
    # POST /api/v1/items
    c("nothing", {}, "kind", "title", "actor", "source", "quote"),
    c("no quote", _create(quote=...), "quote"),
    c("title a number", _create(title=123), "title"),
    c("title empty", _create(title=""), "title"),
    c("title too long", _create(title="t" * 301), "title"),
    c("title null", _create(title=None), "title"),
    c("kind a list", _create(kind=["commitment"]), "kind"),
    c("unknown kind", _create(kind="pledge"), "kind"),
    c("status of another kind", _create(status="upheld"), "status"),
    c("unknown status", _create(status="done"), "status"),
    c("quote not in the source", _create(quote=QUOTE + "s"), "quote"),
    c("quote in other case", _create(quote=QUOTE.upper()), "quote"),
    c("quote at a wrong offset", _create(quote_start=3), "quote_start"),
    c("negative offset", _create(quote_start=-1), "quote_start"),
    c("huge offset", _create(quote_start=10**30), "quote_start"),
    c("unknown actor", _create(actor="nobody"), "actor"),
    c("SQL as actor", _create(actor=SQL), "actor"),
    c("SQL as source", _create(source=SQL), "source"),
    c("SQL as responsible", _create(responsible=SQL), "responsible"),
    c("SQL as slug", _create(slug=SQL), "slug"),
    c("slug taken", _create(slug=ITEM), "slug"),
    c("quantity a string", _create(quantity="62 staff"), "quantity"),
    c("quantity negative", _create(quantity={"value": -1, "unit": "staff"}), "quantity.value"),
    c("quantity without unit", _create(quantity={"value": 3}), "quantity.unit"),
    c("quantity NaN", _NAN_QUANTITY.encode(), "quantity.value"),
    c("progress without quantity", _create(progress_value=3), "progress_value"),
    c("due_on not a date", _create(due_on="tomorrow"), "due_on"),
    c("due_on in year 99999", _create(due_on="99999-01-01"), "due_on"),
    c("made_on a list", _create(made_on=[2015]), "made_on"),
    c("unknown field", _create(version=7), "version"),
    c("NUL in title", _create(title=NUL), "title"),
    c("NUL in description", _create(description=NUL), "description"),
    c("lone surrogate", _SURROGATE.encode(), "title"),
    *_body_cases("POST", CREATE),
    # PATCH /api/v1/items/{ref}
    e("no If-Match", {"title": "x"}, status=428, headers={}),
    e("stale If-Match", {"title": "x"}, status=412, headers={"If-Match": '"7"'}),
    e("If-Match 0", {"title": "x"}, status=412, headers={"If-Match": '"0"'}),
    *[e(f"If-Match {v}", TITLE, "If-Match", headers={"If-Match": v}) for v in _IF_MATCH_JUNK],
    e("title a number", {"title": 5}, "title"),
    e("title null", {"title": None}, "title"),
    e("actor null", {"actor": None}, "actor"),
    e("SQL as actor", {"actor": SQL}, "actor"),
    e("SQL as source", {"source": SQL}, "source"),
    e("quote not in the source", {"quote": "never said"}, "quote"),
    e("due_on not a date", {"due_on": "soon"}, "due_on"),
    e("quantity negative", {"quantity": {"value": -1, "unit": "x"}}, "quantity.value"),
    e("status is not edited here", {"status": "delivered"}, "status"),
    e("version is not edited", {"version": 9}, "version"),
    e("NUL in description", {"description": NUL}, "description"),
    e("NUL in note", {"title": "x", "note": NUL}, "note"),
    e("progress without quantity", {"progress_value": 2}, "progress_value", path=NO_QUANTITY_REF),
    e("unknown item", {"title": "x"}, status=404, path="/api/v1/items/no-such-item"),
    e("SQL as ref", {"title": "x"}, status=404, path="/api/v1/items/1 OR 1=1"),
    e("huge id", {"title": "x"}, status=404, path="/api/v1/items/" + "9" * 30),
    *_body_cases("PATCH", PATCH, V1),
    # POST /api/v1/items/{ref}/status
    s("nothing", {}, "status", "note"),
    s("no note", _status(note=...), "note"),
    s("blank note", _status(note="   "), "note"),
    s("note an object", _status(note={}), "note"),
    s("note too long", _status(note="n" * 20001), "note"),
    s("status a number", _status(status=1), "status"),
    s("unknown status", _status(status="done"), "status"),
    s("status of another kind", _status(status="upheld"), "status"),
    s("SQL as status", _status(status=SQL), "status"),
    s("version a word", _status(expected_version="abc"), "expected_version"),
    s("version 0", _status(expected_version=0), "expected_version"),
    s("version 1.5", _status(expected_version=1.5), "expected_version"),
    s("stale version", _status(expected_version=7), status=409),
    s("huge version", _status(expected_version=10**30), status=409),
    s("javascript URL", _status(evidence_url="javascript:alert(1)"), "evidence_url"),
    s("not a URL", _status(evidence_url="see the report"), "evidence_url"),
    s("negative progress", _status(progress_value=-1), "progress_value"),
    s("infinite progress", _INFINITE_PROGRESS, "progress_value"),
    s("progress without quantity", _status(status="broken", progress_value=1), "progress_value",
      path=f"{NO_QUANTITY_REF}/status"),
    s("unknown field", _status(version=2), "version"),
    s("NUL in note", _status(note=NUL), "note"),
    s("NUL in evidence", _status(evidence_quote=NUL), "evidence_quote"),
    s("unknown item", _status(), status=404, path="/api/v1/items/no-such-item/status"),
    s("NUL as ref", _status(), status=404, path="/api/v1/items/%00/status"),
    *_body_cases("POST", STATUS),
    # parameters of the reads that pollers build by hand
    *[g(f"limit={v}", f"/api/v1/items?limit={v}", "limit") for v in _LIMITS],
    *[g(f"cursor {name}", f"/api/v1/items?cursor={value}", "cursor") for name, value in _CURSORS],
    g("unknown sort", "/api/v1/items?sort=id;DROP", "sort"),
    g("unknown kind", "/api/v1/items?kind=pledge", "kind"),
    g("status of another kind", "/api/v1/items?kind=allegation&status=pledged", "status"),
    g("overdue=maybe", "/api/v1/items?overdue=maybe", "overdue"),
    *[g(f"updated_since={v}", f"/api/v1/items?updated_since={v}", "updated_since") for v in _FAR],
    g("CSV updated_since far", f"/api/v1/items.csv?updated_since={_FAR[1]}", "updated_since"),
    *[g(f"after={v}", f"/api/v1/changes?after={v}", "after") for v in ["-1", "abc", str(2**70)]],
    g("changes limit=100000", "/api/v1/changes?limit=100000", "limit"),
]  # fmt: skip


def _send(client, case: Case, headers: dict[str, str]):
    kwargs: dict[str, Any] = {"headers": {**headers, **case.headers}}
    if isinstance(case.body, bytes):
        kwargs["content"] = case.body
        kwargs["headers"].setdefault("Content-Type", "application/json")
    elif case.body is not None:
        kwargs["json"] = case.body
    return client.request(case.method, case.path, **kwargs)


def _problems(case: Case, response) -> list[str]:
    found = []
    if response.status_code != case.status:
        found.append(f"status {response.status_code}, expected {case.status}")
    if response.headers.get("content-type") != PROBLEM:
        found.append(f"content-type {response.headers.get('content-type')}")
        return found
    body = response.json()
    for key in ("type", "title", "status", "detail"):
        if key not in body:
            found.append(f"no {key}")
    if body.get("status") != response.status_code:
        found.append("status in body differs")
    if not isinstance(body.get("detail"), str) or not body["detail"]:
        found.append("no detail")
    named = {e["field"] for e in body.get("errors") or []}
    for name in case.fields:
        if name not in named:
            found.append(f"errors do not name {name!r} (they name {sorted(named)})")
    if "Traceback" in response.text or 'File "' in response.text:
        found.append("a stack trace in the body")
    return found


def test_bad_input_to_every_write_route_is_a_clear_4xx_and_changes_nothing(
    client, editor_headers, database_url: str, figures
) -> None:
    engine = create_db_engine(database_url)  # one engine for the many exports
    before = export_bytes(engine)
    failures: dict[str, list[str]] = {}
    for case in CASES:
        try:
            response = _send(client, case, editor_headers)
        except Exception as exc:  # a crash after the answer began is a failure like a 500
            failures[case.name] = [f"{type(exc).__name__}: {exc}"]
            continue
        problems = _problems(case, response)
        after = export_bytes(engine)
        if after != before:
            problems.append("the database changed")
            before = after
        if problems:
            failures[case.name] = [*problems, response.text[:300]]
    engine.dispose()
    assert not failures, "\n".join(f"{name}: {found}" for name, found in failures.items())
    # Each write route got its share of the table.
    for path in (CREATE, PATCH, STATUS):
        assert sum(c.path == path for c in CASES) >= 15
    figures.state("hostile inputs tried (per database)", len(CASES))


def test_conditional_headers_that_match_nothing_get_the_full_body(client) -> None:
    """If-None-Match is compared, never parsed: a value that is not the current ETag, however
    odd, gets the whole answer (200), as RFC 9110 asks."""
    for value in ['"' + "x" * 5000 + '"', "W/", "*, garbage", '"', ", , ,", SQL]:
        response = client.get("/api/v1/items", headers={"If-None-Match": value})
        assert response.status_code == 200, (value, response.text[:200])
        assert response.json()["total"] > 0


def test_sql_metacharacters_in_searches_are_only_text(client, database_url: str) -> None:
    before = export_of(database_url)
    for value in [SQL, "%", "_", "\\", "%' OR 1=1 --", '"; SELECT pg_sleep(5); --']:
        for param in ("actor", "source"):
            response = client.get("/api/v1/items", params={param: value})
            assert response.status_code == 200, (param, value, response.text)
            assert response.json()["total"] == 0, (param, value)
        # A search is words: punctuation only separates them and is never a pattern or syntax,
        # so a search holds the same items as its words alone (all of them without a word).
        found = client.get("/api/v1/items", params={"q": value, "limit": 200}).json()
        words = " ".join(re.findall(r"[^\W_]+", value))
        alone = client.get("/api/v1/items", params={"q": words, "limit": 200}).json()
        assert [i["slug"] for i in found["items"]] == [i["slug"] for i in alone["items"]], value
        assert found["total"] == alone["total"]
        assert client.get(f"/api/v1/items/{value}").status_code == 404
    assert export_of(database_url) == before


def test_extreme_but_valid_values_are_kept_and_answered(client, editor_headers) -> None:
    """The largest quantity a float holds, dates at the ends of the calendar: stored, and
    every read that shows them still answers."""
    body = _create(
        title="The largest pledge",
        quantity={"value": 1e308, "unit": "GBP"},
        made_on="0001-01-01",
        due_on="9999-12-31",
    )
    response = client.post(CREATE, json=body, headers=editor_headers)
    assert response.status_code == 201, response.text
    item = response.json()
    assert item["quantity"] == {"value": 1e308, "unit": "GBP"}
    assert (item["made_on"], item["due_on"]) == ("0001-01-01", "9999-12-31")
    response = client.post(
        f"{item['links']['self']}/status",
        json={"status": "in_progress", "note": "All of it.", "progress_value": 1e308},
        headers=editor_headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["progress"] == {"value": 1e308, "target": 1e308, "percent": 100.0}
    for path in [
        item["links"]["self"],
        "/api/v1/items?sort=due_on",
        "/api/v1/items.csv",
        "/api/v1/changes",
        "/api/v1/summary",
        "/feed.atom",
    ]:
        assert client.get(path).status_code == 200, path


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _markup_problems(html: str) -> list[str]:
    """Markup that a stored or reflected text could have smuggled into a page."""
    page = BeautifulSoup(html, "html.parser")
    problems = []
    for script in page.find_all("script"):
        if not (script.get("src") or "").startswith("/static/"):
            problems.append(f"script element {str(script)[:80]}")
    for element in page.find_all(True):
        problems += [f"{element.name} {name}=" for name in element.attrs if name.startswith("on")]
    problems += [f"img {img.get('src')}" for img in page.find_all("img") if img.get("src") == "x"]
    return problems


def test_script_in_every_text_field_shows_as_text_on_every_page(
    client, editor_headers, figures
) -> None:
    created = client.post(
        CREATE,
        json=_create(
            title=f"Title {PAYLOAD}",
            description=f"Description {PAYLOAD}",
            quantity={"value": 3, "unit": "<b onclick=alert(1)>u"},
        ),
        headers=editor_headers,
    )
    assert created.status_code == 201, created.text
    item = created.json()
    path = item["links"]["self"]
    changed = client.post(
        f"{path}/status",
        json={
            "status": "in_progress",
            "note": f"Note {PAYLOAD}",
            "evidence_url": "https://example.org/?q=<script>alert(1)</script>",
            "evidence_quote": f"Evidence {PAYLOAD}",
        },
        headers=editor_headers,
    )
    assert changed.status_code == 200, changed.text
    edited = client.patch(
        path,
        json={"description": f"Edited {PAYLOAD}", "note": f"Edit note {PAYLOAD}"},
        headers={**editor_headers, "If-Match": '"2"'},
    )
    assert edited.status_code == 200, edited.text
    # The JSON API gives the text back exactly, as JSON (which no browser runs as a page).
    body = client.get(path).json()
    assert body["title"] == f"Title {PAYLOAD}"
    assert body["history"][1]["note"] == f"Note {PAYLOAD}"

    slug = item["slug"]
    pages = [
        "/",
        f"/items/{slug}",
        f"/items/{slug}/row",
        f"/actors/{ACTOR}",
        f"/sources/{SOURCE}",
        f"/?q={PAYLOAD}",
        f"/?q=Title&kind={PAYLOAD}",
        f"/items/{PAYLOAD}",
        f"/login?next={PAYLOAD}",
    ]
    failures = {}
    for page in pages:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(page, headers={"Accept": "text/html", **headers})
            assert response.status_code < 500, page
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            if problems := _markup_problems(response.text):
                failures[f"{page} {headers}"] = problems
    assert not failures, failures
    # Where the page shows the item, the text is there, as text.
    text = BeautifulSoup(client.get(f"/items/{slug}").text, "html.parser").get_text()
    for label in ("Title", "Edited", "Note", "Evidence"):
        assert f"{label} {PAYLOAD}" in text, label
    # The Atom feed is well-formed XML with the text inside it.
    feed = ElementTree.fromstring(client.get("/feed.atom").content)
    titles = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
    assert any(PAYLOAD in t for t in titles)
    figures.state("pages checked for smuggled markup (per database)", len(pages) * 2)
