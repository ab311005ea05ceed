"""Full-text search (`q`): the same results on SQLite (FTS5) and PostgreSQL (tsvector), words as
prefixes, all required, ranked, paged by keyset, and an index that every write path keeps
current (item writes, an actor's rename or aliases, the seed loader, imports, the demo data,
the migration itself)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from service import migrate
from service.db import create_db_engine, write_session
from service.items import search
from tests.support.seed import ITEM, QUOTE, SOURCE

_WORD = re.compile(r"[^\W_]+")


def _slugs(body: dict[str, Any]) -> list[str]:
    return [i["slug"] for i in body["items"]]


def _all_pages(client, **params: Any) -> list[dict[str, Any]]:
    items, cursor = [], None
    for _ in range(200):
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        response = client.get("/api/v1/items", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("more than 200 pages")


def _found(client, q: str, **params: Any) -> set[str]:
    items = _all_pages(client, q=q, limit=200, **params)
    return {i["slug"] for i in items}


class Reference:
    """What a search must find, worked out in Python from the items and actors as the API
    shows them: every word of q is the start of a word of the item's title, description, quote,
    or its actor's or responsible actor's name or aliases."""

    def __init__(self, client) -> None:
        self.items = _all_pages(client, limit=200)
        actors = client.get("/api/v1/actors").json()["actors"]
        self.actor_words = {a["slug"]: _words(" ".join([a["name"], *a["aliases"]])) for a in actors}

    def words_of(self, item: dict[str, Any]) -> set[str]:
        found = _words(" ".join([item["title"], item["description"] or "", item["quote"]]))
        found |= self.actor_words[item["actor"]["slug"]]
        if item["responsible"]:
            found |= self.actor_words[item["responsible"]["slug"]]
        return found

    def expected(self, q: str) -> set[str]:
        terms = search.words(q)
        return {
            item["slug"]
            for item in self.items
            if all(any(w.startswith(t) for w in self.words_of(item)) for t in terms)
        }


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _queries(reference: Reference) -> list[str]:
    """Whole words, three-letter prefixes and pairs of words, drawn from every seed item."""
    queries: set[str] = set()
    for n, item in enumerate(reference.items):
        words = sorted(reference.words_of(item))
        queries.add(words[n % len(words)])
        queries.add(words[(n * 7) % len(words)][:3])
        queries.add(f"{words[(n * 3) % len(words)]} {words[(n * 5) % len(words)][:4]}")
    return sorted(queries)


def test_seed_data_gives_the_same_results_on_every_database(client) -> None:
    """Each database's answers equal the same reference, so they equal each other: ~100
    queries of whole words, prefixes and pairs drawn from every seed item, plus some by hand."""
    reference = Reference(client)
    queries = [
        *_queries(reference),
        "ofs",
        "Ofsted",
        "OFSTED rotherham",
        "south yorkshire police",
        "£1.2m",
        "62 staff",
        "ipcc officers",
        "wilful neglect",
        "children\u2019s",
        "prison five years",
    ]
    assert len(queries) > 80
    for q in queries:
        body = client.get("/api/v1/items", params={"q": q, "limit": 200}).json()
        assert set(_slugs(body)) == reference.expected(q), q
        assert body["total"] == len(reference.expected(q)), q


def test_words_match_as_prefixes_all_required_any_case(client) -> None:
    ofsted = _found(client, "ofs")
    assert ofsted and ofsted == _found(client, "OFSTED") == _found(client, "Ofst")
    assert _found(client, "ofsd") == set()  # a prefix of no word
    assert _found(client, "sted") == set()  # the middle of a word is not its start
    both = _found(client, "ofsted rotherham")
    assert both == _found(client, "rotherham ofsted") == ofsted & _found(client, "rotherham")
    assert _found(client, "ofsted zzzunknown") == set()


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        "*",
        "ofs*",
        "(ofsted",
        "ofsted)",
        "a AND",
        "OR NOT",
        "NEAR(ofsted police)",
        "title:ofsted",
        "^ofsted",
        "-ofsted",
        "ofsted & | ! :*",
        "o'brien",
        "\\",
        "%_",
        "!!!",
        "'simple'::regconfig",
        "x" * 200,
        " ".join(f"w{n}" for n in range(50)),
    ],
)
def test_punctuation_is_never_a_syntax_error(client, q: str) -> None:
    response = client.get("/api/v1/items", params={"q": q})
    assert response.status_code == 200, response.text
    body = response.json()
    terms = search.words(q)
    if not terms:  # nothing to search for: nothing filtered
        assert body["total"] == 35
    assert client.get("/", params={"q": q}).status_code == 200
    assert client.get("/api/v1/items.csv", params={"q": q}).status_code == 200


def test_relevance_pages_cover_every_match_once_in_order(client) -> None:
    whole = client.get("/api/v1/items", params={"q": "police", "limit": 200}).json()
    assert whole["total"] > 10
    for limit in (1, 3, 7):
        paged = _all_pages(client, q="police", limit=limit)
        assert _slugs({"items": paged}) == _slugs(whole)
    # A title match outranks a match in the actors' names only.
    first = _slugs(client.get("/api/v1/items", params={"q": "ofsted", "limit": 1}).json())[0]
    assert "ofsted" in first
    # The same order when asked for by name.
    named = client.get("/api/v1/items", params={"q": "police", "sort": "relevance", "limit": 200})
    assert _slugs(named.json()) == _slugs(whole)


def test_an_explicit_sort_and_the_other_filters_combine_with_q(client) -> None:
    everything = _all_pages(client, limit=200)
    police = _found(client, "police")
    by_title = _all_pages(client, q="police", sort="title", limit=4)
    assert [i["title"] for i in by_title] == sorted(i["title"] for i in by_title)
    assert {i["slug"] for i in by_title} == police
    latest = _all_pages(client, q="police", sort="-updated_at", limit=5)
    assert {i["slug"] for i in latest} == police
    body = client.get(
        "/api/v1/items", params={"q": "police", "kind": "allegation", "limit": 200}
    ).json()
    allegations = {i["slug"] for i in everything if i["kind"] == "allegation"}
    assert set(_slugs(body)) == police & allegations and body["total"] == len(police & allegations)
    body = client.get("/api/v1/items", params={"q": "police", "actor": "ipcc", "limit": 200}).json()
    assert {i["actor"]["slug"] for i in body["items"]} == {"ipcc"}
    assert body["total"] == len(body["items"]) > 0
    body = client.get("/api/v1/items", params={"q": "police", "overdue": "false"}).json()
    assert body["total"] == len(police)
    # `relevance` without words is the default order.
    plain = client.get("/api/v1/items", params={"sort": "relevance", "limit": 200}).json()
    assert _slugs(plain) == _slugs(client.get("/api/v1/items", params={"limit": 200}).json())


def test_a_cursor_of_another_order_or_with_a_bad_rank_is_refused(client) -> None:
    body = client.get("/api/v1/items", params={"q": "police", "limit": 2}).json()
    cursor = body["next_cursor"]
    assert cursor
    assert client.get("/api/v1/items", params={"q": "police", "cursor": cursor}).status_code == 200
    wrong = client.get("/api/v1/items", params={"q": "police", "sort": "title", "cursor": cursor})
    assert wrong.status_code == 422
    import base64

    bad = base64.urlsafe_b64encode(b'["relevance", true, 3]').decode().rstrip("=")
    response = client.get("/api/v1/items", params={"q": "police", "cursor": bad})
    assert response.status_code == 422


def test_csv_and_dashboard_search_the_same_way(client) -> None:
    api = _slugs(client.get("/api/v1/items", params={"q": "police officers", "limit": 200}).json())
    assert api
    csv = client.get("/api/v1/items.csv", params={"q": "police officers"}).text.splitlines()
    assert len(csv) == 1 + len(api)
    assert [line.split(",")[1] for line in csv[1:]] == api
    page = client.get("/", params={"q": "police officers"})
    assert page.status_code == 200
    for slug in api:
        assert f"/items/{slug}" in page.text


def _rename(client, editor_headers, slug: str, **changes: Any) -> None:
    actor = client.get(f"/api/v1/actors/{slug}").json()
    response = client.patch(
        f"/api/v1/actors/{slug}",
        json=changes,
        headers={**editor_headers, "If-Match": f'"{actor["version"]}"'},
    )
    assert response.status_code == 200, response.text


def test_an_actors_rename_and_aliases_change_the_results(client, editor_headers) -> None:
    everything = _all_pages(client, limit=200)
    of_actor = {
        i["slug"]
        for i in everything
        if "ipcc" in (i["actor"]["slug"], (i["responsible"] or {}).get("slug"))
    }
    assert _found(client, "zebrawatch") == set()
    _rename(client, editor_headers, "ipcc", name="Zebrawatch Conduct Office")
    assert _found(client, "zebraw") == of_actor
    assert _found(client, "zebrawatch conduct") == of_actor
    _rename(client, editor_headers, "ipcc", aliases=["Quagga Panel"])
    assert _found(client, "quagga") == of_actor
    _rename(client, editor_headers, "ipcc", aliases=[])
    assert _found(client, "quagga") == set()
    # The responsible actor is searched too.
    responsible = {
        i["slug"]
        for i in everything
        if i["actor"]["slug"] == "south-yorkshire-police"
        or (i["responsible"] or {}).get("slug") == "south-yorkshire-police"
    }
    assert any(
        (i["responsible"] or {}).get("slug") == "south-yorkshire-police"
        and i["actor"]["slug"] != "south-yorkshire-police"
        for i in everything
    )
    _rename(client, editor_headers, "south-yorkshire-police", name="Okapi Constabulary")
    assert _found(client, "okapi") == responsible


def test_item_writes_keep_the_index_current(client, editor_headers) -> None:
    item = client.get(f"/api/v1/items/{ITEM}").json()
    assert ITEM in _found(client, "62 additional")
    response = client.patch(
        f"/api/v1/items/{ITEM}",
        json={"title": "Narwhal officers for the unit", "description": "Wombat budget"},
        headers={**editor_headers, "If-Match": f'"{item["version"]}"'},
    )
    assert response.status_code == 200, response.text
    assert _found(client, "narwhal") == {ITEM} == _found(client, "wombat")
    item = response.json()
    response = client.patch(
        f"/api/v1/items/{ITEM}",
        json={"description": "Aardvark budget"},
        headers={**editor_headers, "If-Match": f'"{item["version"]}"'},
    )
    assert response.status_code == 200, response.text
    assert _found(client, "wombat") == set() and _found(client, "aardv") == {ITEM}
    status = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Under way."},
        headers=editor_headers,
    )
    assert status.status_code == 200
    assert _found(client, "narwhal") == {ITEM}
    created = client.post(
        "/api/v1/items",
        json={
            "kind": "commitment",
            "title": "Platypus panel",
            "actor": "ofsted",
            "source": SOURCE,
            "quote": QUOTE,
        },
        headers=editor_headers,
    )
    assert created.status_code == 201, created.text
    slug = created.json()["slug"]
    assert _found(client, "platypus") == {slug}
    assert slug in _found(client, "ofsted platyp")


def _search_total(url: str, q: str) -> int:
    from service.items import listing
    from service.items.filters import ItemFilters

    engine = create_db_engine(url)
    try:
        with write_session(engine) as session:
            return listing.list_page(session, filters=ItemFilters(q=q), limit=1).total
    finally:
        engine.dispose()


def _count_items(url: str) -> int:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM item").scalar_one()
    finally:
        engine.dispose()


def test_the_migration_indexes_existing_items_and_goes_down_cleanly(
    bare_database_url: str,
) -> None:
    from service import seeds
    from service.config import PROJECT_ROOT

    url = bare_database_url
    migrate.upgrade(url)
    engine = create_db_engine(url)
    try:
        with write_session(engine) as session:
            seeds.load(session, seeds_dir=PROJECT_ROOT / "seeds")
    finally:
        engine.dispose()
    # Items that exist before the index does: the migrations index them on the way up.
    migrate.downgrade(url, "0008")
    migrate.upgrade(url)
    police = _search_total(url, "police")
    assert 0 < police < _count_items(url)
    assert _search_total(url, "ofsted rotherham") >= 1
    migrate.downgrade(url, "0008")
    engine = create_db_engine(url)
    try:
        assert search.TABLE not in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()
    migrate.upgrade(url)
    assert _search_total(url, "police") == police


def test_seed_loader_and_demo_data_are_indexed(empty_database_url: str) -> None:
    from service import seeds
    from service.config import PROJECT_ROOT
    from tools.demo_data import generate

    url = empty_database_url
    engine = create_db_engine(url)
    try:
        with write_session(engine) as session:
            seeds.load(session, seeds_dir=PROJECT_ROOT / "seeds")
        generate(engine, items=300, force=True)
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT i.title, i.description, i.quote, a.name, r.name FROM item i "
                "JOIN actor a ON a.id = i.actor_id LEFT JOIN actor r ON r.id = i.responsible_id"
            ).all()
        northdale = sum("northdale" in " ".join(v or "" for v in row).lower() for row in rows)
    finally:
        engine.dispose()
    assert _count_items(url) == 335
    assert _search_total(url, "northdale") == northdale > 0
    assert _search_total(url, "ofsted") >= 2  # the seed's own items


def test_an_import_is_indexed(database_url: str, bare_database_url: str) -> None:
    """`tracker import` of an export (from either database into either) is searchable."""
    from service.system.backup import import_json
    from tests.reliability.support import export_bytes

    migrate.upgrade(bare_database_url)
    source = create_db_engine(database_url)
    target = create_db_engine(bare_database_url)
    try:
        import_json(target, export_bytes(source))
    finally:
        source.dispose()
        target.dispose()
    for q in ("police", "ofs", "ipcc officers"):
        assert _search_total(bare_database_url, q) == _search_total(database_url, q) > 0
