"""Suggestions are computed once, when a source is archived, and stored with it; a request only
reads them. `tracker suggestions recompute` computes again those of another method. Editors'
decisions on them (tracked, dismissed, restored) are kept as examples for a ranker."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from service.db import get_engine, write_session
from service.sources import suggestions
from service.sources.candidates import METHOD
from service.sources.models import Source, SourceSuggestions, SuggestionDecision
from tests.support.servers import run_tracker, tracker_env

ARTICLE = (
    "Harrowfield to hire 40 wardens\n\n"
    "Harrowfield Borough Council has pledged to hire 40 street wardens by 31 March 2027.\n\n"
    "The Harrowfield Civic Society said the plan did not go far enough.\n\n"
    "Residents say the town centre is the worst it has been.\n"
)


def _archive(client, headers, text: str = ARTICLE) -> str:
    body = {"title": "Wardens", "text": text, "published_on": "2026-10-01",
            "published_precision": "day"}  # fmt: skip
    response = client.post("/api/v1/sources", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["slug"])


def _kept(slug: str) -> SourceSuggestions | None:
    with Session(get_engine()) as session:
        source = session.exec(select(Source).where(Source.slug == slug)).one()
        return session.get(SourceSuggestions, source.id)


def _decisions(slug: str) -> list[SuggestionDecision]:
    with Session(get_engine()) as session:
        source = session.exec(select(Source).where(Source.slug == slug)).one()
        query = select(SuggestionDecision).where(SuggestionDecision.source_id == source.id)
        return list(session.exec(query.order_by(SuggestionDecision.id)))


def test_a_source_is_archived_with_its_suggestions(client, editor_headers) -> None:
    slug = _archive(client, editor_headers)
    kept = _kept(slug)
    assert kept is not None and kept.method == METHOD
    pledge = next(c for c in kept.candidates if c["cue"] == "pledged")
    assert ARTICLE[pledge["start"] : pledge["end"]].startswith("Harrowfield Borough Council has")
    assert pledge["quantity"] == [40, "wardens"]
    assert pledge["due_words"] == "by 31 March 2027"
    listed = client.get(f"/api/v1/sources/{slug}/candidates").json()["candidates"]
    shown = next(c for c in listed if c["id"] == f"{pledge['start']}-{pledge['end']}")
    assert (shown["due_on"], shown["due_words"]) == ("2027-03-31", "by 31 March 2027")


def test_a_request_never_computes_suggestions(client, editor_headers, monkeypatch) -> None:
    slug = _archive(client, editor_headers)
    expected = client.get(f"/api/v1/sources/{slug}/candidates").json()["candidates"]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("suggestions computed on a request")

    monkeypatch.setattr(suggestions, "rank_candidates", refuse)
    # Every new query string misses the kept answers: each is built, from what is stored.
    for n in range(5):
        again = client.get(f"/api/v1/sources/{slug}/candidates?_z={n}")
        assert again.status_code == 200, again.text
        assert again.json()["candidates"] == expected
    first = expected[0]["id"]
    dismissed = client.post(
        f"/api/v1/sources/{slug}/candidates/{first}/dismiss", headers=editor_headers
    )
    assert dismissed.status_code == 200, dismissed.text


def test_recompute_takes_the_sources_of_another_method(database_url, client, editor_headers):
    slug = _archive(client, editor_headers)
    with write_session() as session:
        session.execute(sa.update(SourceSuggestions).values(method="0", candidates=[]))
    # Stale (a database not brought up to date): none, until they are computed again.
    assert client.get(f"/api/v1/sources/{slug}/candidates?_fresh=1").json()["candidates"] == []
    stale = _kept(slug)
    assert stale is not None and (stale.method, stale.candidates) == ("0", [])
    printed = run_tracker(["suggestions", "recompute"], env=tracker_env(database_url))
    assert "suggestions computed for 3 sources" in printed  # two seed sources and this one
    kept = _kept(slug)
    assert kept is not None and kept.method == METHOD and kept.candidates
    env = tracker_env(database_url)
    assert "for 0 sources" in run_tracker(["suggestions", "recompute"], env=env)
    assert "for 3 sources" in run_tracker(["suggestions", "recompute", "--all"], env=env)


def test_a_name_known_since_is_the_suggestions_actor(client, editor_headers) -> None:
    slug = _archive(client, editor_headers)
    listed = client.get(f"/api/v1/sources/{slug}/candidates").json()["candidates"]
    pledge = next(c for c in listed if c["cue"] == "pledged")
    assert (pledge["actor"], pledge["actor_name"]) == (None, "Harrowfield Borough Council")
    added = client.post(
        "/api/v1/actors",
        json={"name": "Harrowfield Borough Council", "kind": "council"},
        headers=editor_headers,
    )
    assert added.status_code == 201, added.text
    listed = client.get(f"/api/v1/sources/{slug}/candidates").json()["candidates"]
    pledge = next(c for c in listed if c["cue"] == "pledged")
    assert (pledge["actor"], pledge["actor_name"]) == (added.json()["slug"], None)


def test_editors_decisions_are_kept_with_the_suggestion_as_made(client, editor_headers) -> None:
    slug = _archive(client, editor_headers)
    listed = client.get(f"/api/v1/sources/{slug}/candidates").json()["candidates"]
    pledge = next(c for c in listed if c["cue"] == "pledged")
    url = f"/api/v1/sources/{slug}/candidates/{pledge['id']}"
    assert client.post(f"{url}/dismiss", headers=editor_headers).status_code == 200
    assert client.post(f"{url}/dismiss", headers=editor_headers).status_code == 200  # no change
    assert client.post(f"{url}/restore", headers=editor_headers).status_code == 200
    actor = client.post(
        "/api/v1/actors", json={"name": "Harrowfield Borough Council", "kind": "council"},
        headers=editor_headers,
    ).json()["slug"]  # fmt: skip
    quote = "Harrowfield Borough Council has pledged to hire 40 street wardens"
    item = client.post(
        "/api/v1/items",
        json={"kind": "commitment", "title": "40 street wardens", "actor": actor,
              "source": slug, "quote": quote, "quantity": {"value": 40, "unit": "wardens"},
              "due_on": "2027-03-31"},
        headers=editor_headers,
    )  # fmt: skip
    assert item.status_code == 201, item.text
    decisions = _decisions(slug)
    assert [d.decision for d in decisions] == ["dismissed", "restored", "tracked"]
    assert all(d.method == METHOD and d.suggested["cue"] == "pledged" for d in decisions)
    assert all((d.quote_start, d.quote_end) == (pledge["quote_start"], pledge["quote_end"])
               for d in decisions)  # fmt: skip
    tracked = decisions[-1]
    assert tracked.chosen == {
        "kind": "commitment", "quote_start": pledge["quote_start"],
        "quote_end": pledge["quote_start"] + len(quote), "quantity": [40, "wardens"],
        "actor": actor, "responsible": None, "due_on": "2027-03-31",
    }  # fmt: skip
    assert tracked.item_id is not None and tracked.user_id is not None


def test_a_list_item_keeps_the_deadline_of_its_lead_in(client, editor_headers) -> None:
    text = (
        "Ombudsman decision\n\n"
        "The council has agreed that, within one month of this decision, it will:\n\n"
        "- apologise to Mrs X in writing;\n"
        "- pay Mrs X £500 for the distress caused.\n"
    )
    slug = _archive(client, editor_headers, text)
    listed = client.get(f"/api/v1/sources/{slug}/candidates").json()["candidates"]
    pay = next(c for c in listed if c["quote"].startswith("pay Mrs X"))
    assert (pay["due_on"], pay["due_words"]) == ("2026-11-01", "within one month")
    # Counted again from the source's date once it is corrected.
    source = client.get(f"/api/v1/sources/{slug}")
    corrected = client.patch(
        f"/api/v1/sources/{slug}", json={"published_on": "2026-12-15"},
        headers={**editor_headers, "If-Match": f'"{source.json()["version"]}"'},
    )  # fmt: skip
    assert corrected.status_code == 200, corrected.text
    listed = client.get(f"/api/v1/sources/{slug}/candidates").json()["candidates"]
    pay = next(c for c in listed if c["quote"].startswith("pay Mrs X"))
    assert pay["due_on"] == "2027-01-15"
