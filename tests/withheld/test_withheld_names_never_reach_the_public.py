"""A withheld name never reaches the public, by any channel, side channels included: search hits,
ranks and cursors; a highlight that cuts the name; a source's hash, length and offsets; an
upload's title and meta tags; line breaks, tabs and case; slugs and URLs; the order of a list.
Each test is what someone trying to learn the name would try, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from tests.support.accounts import sign_in
from tests.support.pages import html

NAME = "Margaret Crofts"
PLACEHOLDER = "[name withheld]"
ITEM = "syp-60-extra-officers-edl-protest"  # its source (003) names her
SOURCE = "rotherham-cse-live-updates-lga-ofsted"
ACTOR = "south-yorkshire-police"
# Any way the public could read a part of her name.
TRACES = re.compile(r"margaret|crofts", re.IGNORECASE)


def _withhold(client, headers, name: str = NAME, item: str = ITEM) -> dict[str, Any]:
    response = client.post(f"/api/v1/items/{item}/withheld-names", json={"name": name},
                           headers=headers)  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def _create(client, headers, **fields: Any) -> dict[str, Any]:
    body = {"kind": "commitment", "actor": ACTOR, "source": SOURCE, **fields}
    response = client.post("/api/v1/items", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _edit(client, headers, slug: str, **fields: Any) -> dict[str, Any]:
    version = client.get(f"/api/v1/items/{slug}").json()["version"]
    response = client.patch(f"/api/v1/items/{slug}", json=fields,
                            headers={**headers, "If-Match": f'"{version}"'})  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()


def _public(client) -> TestClient:
    return TestClient(client.app)


def _traces(text: str) -> list[str]:
    return TRACES.findall(text)


# ---------------------------------------------------------------------------------------------
# 1. Search


def _found(client, q: str, **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/items", params={"q": q, "limit": 200, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_no_search_tells_whether_a_withheld_name_occurs(client, editor_headers, database_url):
    # The name in an item's description and in an actor's alias (both searched).
    _edit(client, editor_headers, ITEM, description=f"Asked about it by {NAME}.")
    response = client.patch(
        f"/api/v1/actors/{ACTOR}", json={"aliases": ["SYP", f"{NAME} liaison"]},
        headers={**editor_headers, "If-Match": '"1"'},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    # A word that holds "mary" inside it, and a word that starts like the name.
    primary = _create(client, editor_headers, title="Primary schools to teach CSE awareness",
                      quote="I have also formed a victims and survivors panel",
                      source="rotherham-cse-live-updates-pcc")  # fmt: skip
    assert _found(client, "crofts")["total"] >= 2  # before: the item and the actor's items
    _withhold(client, editor_headers)
    public = _public(client)
    for q in ("crofts", "crof", "cro", "margaret", "marg", "margaret crofts", "crofts liaison"):
        found = _found(public, q)
        assert found == {"items": [], "next_cursor": None, "total": 0}, q
        page = html(public.get("/", params={"q": q}))
        assert page.select("#results tbody tr") == [], q
        assert "Crofts" not in page.get_text()
    # Other words still find what they found; "mary" inside "primary" was never the name.
    assert ITEM in [i["slug"] for i in _found(public, "asked about")["items"]]
    assert primary["slug"] in [i["slug"] for i in _found(public, "prim")["items"]]
    assert _found(public, "liaison")["total"] == _found(public, "syp")["total"] > 0
    # The index itself holds no word of the name (so no rank or count can come from it).
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                held = connection.exec_driver_sql(
                    "SELECT count(*) FROM item_search WHERE document @@ "
                    "to_tsquery('simple', 'crofts:* | margaret:*')"
                ).scalar_one()
            else:
                held = connection.exec_driver_sql(
                    "SELECT count(*) FROM item_search WHERE item_search MATCH "
                    "'crofts* OR margaret*'"
                ).scalar_one()
    finally:
        engine.dispose()
    assert held == 0


def _cursor(cursor: str) -> list[Any]:
    return orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))


def test_ranks_and_cursors_come_from_the_text_the_public_reads(client, editor_headers) -> None:
    """Items alike but for withheld names of other lengths: the public's search ranks them
    alike, so neither a rank nor a cursor says how long a name is."""
    quote = "I have also formed a victims and survivors panel"
    names = ("Ann Lee", "Carol Ann Danvers", "Bartholomew Featherstonehaugh-Whitby Smythe")
    made = [
        _create(
            client,
            editor_headers,
            title="Panel statement",
            quote=quote,
            source="rotherham-cse-live-updates-pcc",
            description=f"Statement by {name} to the panel today.",
        )
        for name in names
    ]
    for name, item in zip(names, made, strict=True):
        _withhold(client, editor_headers, name, item["slug"])
    public = _public(client)
    ranks, cursor, seen = [], None, []
    for _ in made[:-1]:
        params: dict[str, Any] = {"q": "panel statement today", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        body = public.get("/api/v1/items", params=params).json()
        seen += [i["slug"] for i in body["items"]]
        cursor = body["next_cursor"]
        sort, rank, _ = _cursor(cursor)
        assert sort == "relevance"
        ranks.append(rank)
    assert ranks[0] == ranks[1]
    assert set(seen) < {m["slug"] for m in made}


# ---------------------------------------------------------------------------------------------
# 2. A highlight that begins or ends inside the name


def test_a_quote_that_cuts_a_withheld_name_shows_none_of_it(client, editor_headers) -> None:
    item = _create(client, editor_headers, title="Partner's statement after the verdict",
                   quote="Crofts, Michael Whinfrey's partner")  # fmt: skip
    # And one that ends inside it.
    ending = _create(
        client,
        editor_headers,
        title="The company had entered administration",
        quote="the company had entered administration.\n\n\u2013 Margaret",
    )
    _withhold(client, editor_headers, NAME, item["slug"])
    public = _public(client)
    shown = public.get(f"/api/v1/items/{item['slug']}").json()
    assert shown["quote"] == f"{PLACEHOLDER}, Michael Whinfrey's partner"
    source = public.get(f"/api/v1/sources/{SOURCE}").json()
    assert source["text"][shown["quote_start"] : shown["quote_end"]] == shown["quote"]
    span = next(s for s in source["quote_spans"] if s["item"]["slug"] == item["slug"])
    assert (span["start"], span["end"]) == (shown["quote_start"], shown["quote_end"])
    for path in (f"/items/{item['slug']}", f"/sources/{SOURCE}"):
        page = html(public.get(path))
        assert _traces(page.get_text()) == [], path
        marked = [m.get_text() for m in page.select("mark")]
        assert any(m.startswith(PLACEHOLDER) for m in marked), (path, marked)
    ended = public.get(f"/api/v1/items/{ending['slug']}").json()
    assert ended["quote"] == f"the company had entered administration.\n\n\u2013 {PLACEHOLDER}"
    # Searched, neither is found by the part of the name its stored quote holds.
    for q in ("crofts", "croft", "margaret", "marg"):
        assert _found(public, q)["total"] == 0, q
    assert item["slug"] in {i["slug"] for i in _found(public, "partner")["items"]}
    assert ending["slug"] in {i["slug"] for i in _found(public, "administration")["items"]}
    for path in ("/api/v1/items.csv", "/feed.atom", "/api/v1/changes?limit=1000",
                 f"/api/v1/sources/{SOURCE}/candidates"):  # fmt: skip
        assert _traces(public.get(path).text) == [], path
    editor = TestClient(client.app)
    sign_in(editor)
    assert "Margaret Crofts" in editor.get(f"/sources/{SOURCE}").text


# ---------------------------------------------------------------------------------------------
# 3. A source's hash, length and offsets


def test_a_source_gives_the_hash_and_length_of_the_text_the_public_reads(
    client, editor_headers
) -> None:
    public = _public(client)
    before = public.get(f"/api/v1/sources/{SOURCE}").json()
    archived = before["sha256"]
    assert hashlib.sha256(before["text"].encode()).hexdigest() == archived
    # A name whose length is not the placeholder's (this one is in the source three times).
    name = "Michael Whinfrey"
    _withhold(client, editor_headers, name)
    source = public.get(f"/api/v1/sources/{SOURCE}").json()
    assert source["masked"] is True
    assert source["sha256"] == hashlib.sha256(source["text"].encode()).hexdigest() != archived
    assert source["length"] == len(source["text"]) != before["length"]
    # The archived text's hash and length are in no public answer: nothing to check a guess
    # against (a guess put in the placeholder's place hashes to the archived hash).
    guess = source["text"].replace(PLACEHOLDER, name)
    assert hashlib.sha256(guess.encode()).hexdigest() == archived
    for path in ("/api/v1/sources", f"/api/v1/sources/{SOURCE}", "/sources", f"/sources/{SOURCE}",
                 "/api/v1/items?limit=200", "/api/v1/items.csv", "/feed.atom"):  # fmt: skip
        body = public.get(path).text
        assert archived not in body, path
        assert f'"length":{before["length"]}' not in body.replace(" ", ""), path
    # Every item's offsets point into the public text.
    for item in public.get("/api/v1/items", params={"source": SOURCE, "limit": 200}).json()[
        "items"
    ]:
        assert source["text"][item["quote_start"] : item["quote_end"]] == item["quote"]


# ---------------------------------------------------------------------------------------------
# 4. An upload whose page holds the name where its archived text does not


PAGE = (
    "<html><head><meta charset='utf-8'><title>Statement of Jane Roe</title>"
    "<meta name='author' content='Jane Roe'></head><body><article>"
    "<p>The council will publish its review of the children's services by the end of June, "
    "the leader said today after a long meeting.</p></article>"
    "<footer>Contact: J&#97;ne&nbsp;Roe, press office</footer></body></html>"
)


def _upload(client, headers, page: str, title: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/sources", data={"title": title},
        files={"file": ("statement.html", page.encode(), "text/html")}, headers=headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    return response.json()


def test_an_upload_that_holds_a_withheld_name_is_for_editors_only(client, editor_headers) -> None:
    source = _upload(client, editor_headers, PAGE, "Council statement")
    assert "Roe" not in source["text"]  # the archived text lacks the name ...
    other_page = PAGE.replace("Jane Roe", "the press office").replace("J&#97;ne&nbsp;Roe", "us")
    other = _upload(
        client, editor_headers, other_page.replace("end of June", "end of July"), "Another one"
    )
    item = _create(client, editor_headers, title="Review by the end of June",
                   source=source["slug"], quote="The council will publish its review",
                   description="Jane Roe announced it.")  # fmt: skip
    public = _public(client)
    assert public.get(f"/api/v1/sources/{source['slug']}/original").status_code == 200
    _withhold(client, editor_headers, "Jane Roe", item["slug"])
    # ... but its page's title, meta tag and footer (written with a character reference) do.
    assert public.get(f"/api/v1/sources/{source['slug']}/original").status_code == 404
    assert public.get(f"/api/v1/sources/{source['slug']}").json()["original"] is None
    assert "Roe" not in public.get(f"/sources/{source['slug']}").text
    # Editors still get it; an upload that does not hold the name stays public.
    assert client.get(f"/api/v1/sources/{source['slug']}/original",
                      headers=editor_headers).content == PAGE.encode()  # fmt: skip
    assert public.get(f"/api/v1/sources/{other['slug']}/original").status_code == 200


# ---------------------------------------------------------------------------------------------
# 5 and 6. Line breaks, tabs, case; names too short or too common


def test_a_name_is_masked_whatever_its_spacing_or_case(client, editor_headers) -> None:
    # The name given with a line break, written in the record with a tab and in capitals.
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Raised by MARGARET\tCROFTS, then by margaret"
              "  crofts again.", "evidence_quote": "Margaret\nCrofts, Michael Whinfrey's"},
        headers=editor_headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    assert _withhold(client, editor_headers, "Margaret\nCrofts")["name"] == NAME
    again = client.post(f"/api/v1/items/{ITEM}/withheld-names", json={"name": "MARGARET crofts"},
                        headers=editor_headers)  # fmt: skip
    assert again.status_code == 409  # the same name, however it is written
    public = _public(client)
    for path in (f"/api/v1/items/{ITEM}", f"/api/v1/items/{ITEM}/history", "/api/v1/changes",
                 "/api/v1/items.csv", "/feed.atom", f"/items/{ITEM}", "/"):  # fmt: skip
        response = public.get(path)
        assert response.status_code == 200, path
        assert _traces(response.text) == [], path


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ul", "give a name of at least 3 letters"),
        ("J.", "give a name of at least 3 letters"),
        ("2015", "give a name of at least 3 letters"),
        ("Police", "that is a common word, not a name: give the person's name as written"),
        ("the council", "that is a common word, not a name: give the person's name as written"),
    ],
)
def test_a_short_or_common_name_is_refused_and_changes_nothing(
    client, editor_headers, name, message
) -> None:
    public = _public(client)
    before = [public.get(p).content for p in ("/api/v1/items?limit=200", "/sources")]
    response = client.post(f"/api/v1/items/{ITEM}/withheld-names", json={"name": name},
                           headers=editor_headers)  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": message}]
    after = [public.get(p).content for p in ("/api/v1/items?limit=200", "/sources")]
    assert after == before


# ---------------------------------------------------------------------------------------------
# 7. Slugs, URLs and aliases


def test_slugs_that_hold_a_withheld_name_change_with_it(client, editor_headers) -> None:
    item = _create(client, editor_headers, title=f"{NAME} speaks after the verdict",
                   quote="Crofts, Michael Whinfrey's partner")  # fmt: skip
    assert item["slug"] == "margaret-crofts-speaks-after-the-verdict"
    response = client.post("/api/v1/actors", json={"name": "Family liaison", "kind": "person",
                           "slug": "margaret-crofts", "aliases": [NAME]},
                           headers=editor_headers)  # fmt: skip
    assert response.status_code == 201, response.text
    response = client.post("/api/v1/sources", json={
        "title": f"Statement of {NAME}", "text": f"A statement by {NAME}, read outside court.",
        "url": "https://example.org/news/margaret-crofts-statement",
    }, headers=editor_headers)  # fmt: skip
    assert response.status_code == 201, response.text
    source = response.json()["slug"]
    assert source == "statement-of-margaret-crofts"
    response = client.post(
        f"/api/v1/items/{item['slug']}/status",
        json={"status": "in_progress", "note": "Reported.",
              "evidence_url": "https://example.org/margaret-crofts-interview"},
        headers=editor_headers,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    created = _withhold(client, editor_headers, NAME, item["slug"])
    assert "crofts" not in created["item_slug"]

    public = _public(client)
    old = (
        f"/items/{item['slug']}",
        f"/api/v1/items/{item['slug']}",
        "/actors/margaret-crofts",
        "/api/v1/actors/margaret-crofts",
        f"/sources/{source}",
        f"/api/v1/sources/{source}",
    )
    for path in old:
        # As if it never was: a redirect or a 410 would confirm a guessed name.
        assert public.get(path, follow_redirects=False).status_code == 404, path
    new = public.get(f"/api/v1/items/{created['item_slug']}")
    assert new.status_code == 200
    for path in ("/api/v1/items?limit=200", "/api/v1/actors", "/api/v1/sources",
                 f"/api/v1/items/{created['item_slug']}", "/api/v1/changes?limit=1000",
                 "/api/v1/items.csv", "/feed.atom", "/", "/actors", "/sources"):  # fmt: skip
        assert _traces(public.get(path).text) == [], path
    history = new.json()["history"]
    assert history[1]["evidence_url"] == f"https://example.org/{PLACEHOLDER}-interview"
    # An editor cannot give a slug that holds it back.
    version = new.json()["version"]
    response = client.patch(f"/api/v1/items/{created['item_slug']}",
                            json={"slug": "crofts-again-margaret-crofts"},
                            headers={**editor_headers, "If-Match": f'"{version}"'})  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "slug"


# ---------------------------------------------------------------------------------------------
# The order of a list


def test_a_list_sorted_by_title_orders_a_masked_title_by_what_is_shown(client, editor_headers):
    item = _create(client, editor_headers, title=f"{NAME} asks for answers",
                   quote="Crofts, Michael Whinfrey's partner")  # fmt: skip
    _withhold(client, editor_headers, NAME, item["slug"])
    public = _public(client)
    titles, cursor = [], None
    while True:
        params: dict[str, Any] = {"sort": "title", "limit": 7}
        if cursor:
            params["cursor"] = cursor
        body = public.get("/api/v1/items", params=params).json()
        titles += [(i["title"], i["id"]) for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert _traces(base64.urlsafe_b64decode(cursor + "==").decode()) == []
    # In the order of the titles as shown (not where "Margaret" would sort).
    assert titles == sorted(titles)
    assert f"{PLACEHOLDER} asks for answers" in [t for t, _ in titles]


def test_a_replys_quote_that_cuts_a_withheld_name_shows_none_of_it(client, editor_headers):
    response = client.post(
        f"/api/v1/items/{ITEM}/replies",
        json={"by": ACTOR, "text": "Our statement.", "source": SOURCE,
              "quote": "Crofts, Michael Whinfrey's partner"},
        headers=editor_headers,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    _withhold(client, editor_headers)
    public = _public(client)
    item = public.get(f"/api/v1/items/{ITEM}").json()
    assert item["replies"][0]["quote"] == f"{PLACEHOLDER}, Michael Whinfrey's partner"
    assert item["history"][-1]["evidence_quote"] == f"{PLACEHOLDER}, Michael Whinfrey's partner"
    for path in (f"/items/{ITEM}", "/api/v1/changes?limit=1000", "/feed.atom"):
        assert _traces(public.get(path).text) == [], path


def test_linked_items_and_actors_are_listed_by_what_the_public_reads(client, editor_headers):
    """An item's linked items in the order of their titles as shown: a title that sorts under M
    by the name sorts under "[" (after Z) for the public."""
    quote = "I have also formed a victims and survivors panel"
    parts = [
        _create(
            client,
            editor_headers,
            title=title,
            quote=quote,
            source="rotherham-cse-live-updates-pcc",
        )
        for title in ("Zeal of the panel", f"{NAME}'s panel", "Abel's panel")
    ]
    for part in parts:
        response = client.post(f"/api/v1/items/{part['slug']}/links",
                               json={"relation": "part_of", "target": ITEM},
                               headers=editor_headers)  # fmt: skip
        assert response.status_code == 201, response.text
    _withhold(client, editor_headers, NAME, parts[1]["slug"])
    public = _public(client)
    children = [c["title"] for c in public.get(f"/api/v1/items/{ITEM}").json()["children"]]
    assert children == sorted(children)
    assert children[-1] == f"{PLACEHOLDER}'s panel"
    page = html(public.get(f"/items/{ITEM}"))
    shown = [a.get_text() for a in page.select("#links a[href^='/items/']")]
    assert shown.index(f"{PLACEHOLDER}'s panel") > shown.index("Zeal of the panel")
