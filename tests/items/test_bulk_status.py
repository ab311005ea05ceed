"""Changing the status of many items at once (POST /api/v1/items/status): one status, one note,
all or nothing. Each item changed gets one `status` event with the note and one version more,
the counts follow; every problem is found before anything is written, and then nothing is."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.db import get_engine, read_session, write_session
from service.errors import Conflict, Invalid
from service.events import service as events
from service.items import bulk, tally
from service.items import service as items
from service.items.bulk import BulkStatusChange, BulkTarget
from service.items.models import Item, StatusChange
from tests.support.seed import ITEM, ITEM_WITHOUT_QUANTITY

URL = "/api/v1/items/status"
# Three pledged commitments.
PLEDGED = [ITEM, "pcc-take-up-new-cse-funding", "pcc-work-with-rotherham-commissioner"]
DELIVERED = ITEM_WITHOUT_QUANTITY  # a commitment, delivered
ALLEGATION = "ipcc-allegation-naked-images-group-offending"  # under investigation
PROPOSAL = "gov-prison-for-officials-who-fail-children"  # in consultation
NOTE = "The PCC's office says none of these has moved since the budget was cut."
EVIDENCE = "https://www.southyorkshire-pcc.gov.uk/news/budget"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def _item(client: TestClient, ref: str) -> dict[str, Any]:
    return _ok(client.get(f"/api/v1/items/{ref}"))  # type: ignore[no-any-return]


def _last_event_id(client: TestClient) -> int:
    return int(_ok(client.get("/api/v1/changes", params={"limit": 1000}))["last_id"])


def _events_after(client: TestClient, after: int) -> list[dict[str, Any]]:
    return _ok(client.get("/api/v1/changes", params={"after": after, "limit": 1000}))["events"]


def _state(client: TestClient, refs: list[str]) -> dict[str, Any]:
    """What a failed bulk change must leave exactly as it was."""
    return {
        "items": {ref: _item(client, ref) for ref in refs},
        "summary": _ok(client.get("/api/v1/summary")),
        "last_event": _last_event_id(client),
    }


def _counted() -> list[tuple[str, str, int]]:
    with read_session() as s:
        rows = s.execute(
            sa.select(Item.kind, Item.status, sa.func.count())
            .where(Item.publication == "published")
            .group_by(Item.kind, Item.status)
        ).all()
    return sorted((k, st, n) for k, st, n in rows)


def _tallied() -> list[tuple[str, str, int]]:
    with read_session() as s:
        return sorted(tally.counts(s))


def _bulk(refs: list[str], status: str, **fields: Any) -> dict[str, Any]:
    versions = fields.pop("versions", {})
    targets = [{"ref": ref, **({"version": versions[ref]} if ref in versions else {})}
               for ref in refs]  # fmt: skip
    return {"items": targets, "status": status, "note": NOTE, **fields}


# ---------------------------------------------------------------------------------------------
# The change


def test_a_bulk_change_writes_one_event_per_item_with_the_note(client, editor_headers) -> None:
    before = {ref: _item(client, ref) for ref in PLEDGED}
    summary = _ok(client.get("/api/v1/summary"))["kinds"]["commitment"]["by_status"]
    last = _last_event_id(client)
    # Not in the order of their ids: the answer keeps the order given.
    refs = [PLEDGED[2], PLEDGED[0], str(before[PLEDGED[1]]["id"])]
    body = _bulk(refs, "stalled", evidence_url=EVIDENCE, occurred_on="2015-06-30",
                 versions={PLEDGED[2]: 1, PLEDGED[0]: 1})  # fmt: skip

    answer = _ok(client.post(URL, json=body, headers=editor_headers))

    assert answer["status"] == "stalled"
    assert answer["counts"] == {"changed": 3, "unchanged": 0} and answer["unchanged"] == []
    changed = answer["changed"]
    assert [i["slug"] for i in changed] == [PLEDGED[2], PLEDGED[0], PLEDGED[1]]
    for shown in changed:
        was = before[shown["slug"]]
        assert (shown["status"], shown["status_label"], shown["phase"]) == (
            "stalled", "Stalled", "active",
        )  # fmt: skip
        assert shown["version"] == was["version"] + 1
        # The answer is the item as it now reads.
        now = _item(client, shown["slug"])
        assert {k: now[k] for k in shown} == shown
        # Its history: one event more, the status change with the note and evidence.
        assert len(now["history"]) == len(was["history"]) + 1
        event = now["history"][-1]
        assert (event["type"], event["version"], event["by"]) == (
            "status", was["version"] + 1, "editor",
        )  # fmt: skip
        assert (event["from_status"], event["to_status"]) == ("pledged", "stalled")
        assert (event["note"], event["evidence_url"], event["occurred_on"]) == (
            NOTE, EVIDENCE, "2015-06-30",
        )  # fmt: skip
    # Exactly three events were written, one per item, in the order given.
    events = _events_after(client, last)
    assert [(e["item"]["slug"], e["type"], e["note"]) for e in events] == [
        (slug, "status", NOTE) for slug in (PLEDGED[2], PLEDGED[0], PLEDGED[1])
    ]
    # The counts moved with them, and the tally is still a count of the items.
    after = _ok(client.get("/api/v1/summary"))["kinds"]["commitment"]["by_status"]
    assert after["pledged"] == summary["pledged"] - 3
    assert after.get("stalled", 0) == summary.get("stalled", 0) + 3
    assert _tallied() == _counted()
    listed = _ok(client.get("/api/v1/items", params={"status": "stalled", "kind": "commitment"}))
    assert {i["slug"] for i in listed["items"]} >= set(PLEDGED) and listed["total"] == 3
    # Search still finds them, with their new status.
    found = _ok(client.get("/api/v1/items", params={"q": "staff", "status": "stalled"}))
    assert [i["slug"] for i in found["items"]] == [ITEM]


def test_items_already_in_the_status_are_left_alone(client, editor_headers) -> None:
    panel = _item(client, DELIVERED)
    last = _last_event_id(client)
    answer = _ok(
        client.post(URL, json=_bulk([DELIVERED, ITEM], "delivered"), headers=editor_headers)
    )
    assert answer["counts"] == {"changed": 1, "unchanged": 1}
    assert [i["slug"] for i in answer["changed"]] == [ITEM]
    assert [(i["slug"], i["version"]) for i in answer["unchanged"]] == [
        (DELIVERED, panel["version"])
    ]
    assert _item(client, DELIVERED) == panel
    assert [e["item"]["slug"] for e in _events_after(client, last)] == [ITEM]
    assert _tallied() == _counted()
    # All of them already there: nothing is written at all.
    again = _ok(client.post(URL, json=_bulk([ITEM, DELIVERED], "delivered"),
                            headers=editor_headers))  # fmt: skip
    assert again["counts"] == {"changed": 0, "unchanged": 2} and again["changed"] == []
    assert [i["slug"] for i in again["unchanged"]] == [ITEM, DELIVERED]
    assert len(_events_after(client, last)) == 1


def test_one_status_for_items_of_every_kind(client, editor_headers) -> None:
    refs = [ITEM, ALLEGATION, PROPOSAL]
    answer = _ok(client.post(URL, json=_bulk(refs, "withdrawn"), headers=editor_headers))
    assert [(i["slug"], i["kind"], i["status"], i["outcome"]) for i in answer["changed"]] == [
        (ITEM, "commitment", "withdrawn", "neutral"),
        (ALLEGATION, "allegation", "withdrawn", "neutral"),
        (PROPOSAL, "proposal", "withdrawn", "neutral"),
    ]
    assert _tallied() == _counted()


# ---------------------------------------------------------------------------------------------
# Refused, and nothing written


def test_a_status_not_of_an_items_kind_is_a_422_naming_it(client, editor_headers) -> None:
    refs = [ITEM, ALLEGATION, PLEDGED[1], PROPOSAL]
    before = _state(client, refs)
    response = client.post(URL, json=_bulk(refs, "delivered"), headers=editor_headers)
    problem = _problem(response, 422)
    assert problem["errors"] == [
        {"field": "items[1]", "message": "'delivered' is not a status of an allegation"},
        {"field": "items[3]", "message": "'delivered' is not a status of a proposal"},
    ]
    assert _state(client, refs) == before


def test_every_problem_is_named_at_once(client, editor_headers) -> None:
    refs = [ALLEGATION, "no-such-item", ITEM, "999999"]
    before = _state(client, [ALLEGATION, ITEM])
    tomorrow = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()
    body = _bulk(refs, "delivered", occurred_on=tomorrow, evidence_url="ftp://example.org/x")
    problem = _problem(client.post(URL, json=body, headers=editor_headers), 422)
    assert problem["errors"] == [
        {"field": "occurred_on", "message": "a change cannot have happened after today"},
        {"field": "evidence_url", "message": "must be an http or https URL"},
        {"field": "items[0]", "message": "'delivered' is not a status of an allegation"},
        {"field": "items[1].ref", "message": "no item 'no-such-item'"},
        {"field": "items[3].ref", "message": "no item '999999'"},
    ]
    assert "items[1].ref: no item 'no-such-item'" in problem["detail"]
    assert _state(client, [ALLEGATION, ITEM]) == before


def test_an_unknown_ref_is_a_422(client, editor_headers) -> None:
    before = _state(client, PLEDGED)
    response = client.post(URL, json=_bulk([*PLEDGED, "nope"], "stalled"), headers=editor_headers)
    problem = _problem(response, 422)
    assert problem["errors"] == [{"field": "items[3].ref", "message": "no item 'nope'"}]
    assert _state(client, PLEDGED) == before


def test_a_status_no_kind_has_is_named_once(client, editor_headers) -> None:
    before = _state(client, PLEDGED)
    problem = _problem(
        client.post(URL, json=_bulk(PLEDGED, "finished"), headers=editor_headers), 422
    )
    assert [e["field"] for e in problem["errors"]] == ["status"]
    assert problem["errors"][0]["message"].startswith("must be one of pledged, in_progress")
    assert _state(client, PLEDGED) == before


def test_a_stale_version_is_a_409_listing_each_and_nothing_changes(client, editor_headers) -> None:
    # Someone else changes one of them after the editor read it at version 1.
    _ok(client.post(f"/api/v1/items/{PLEDGED[1]}/status", headers=editor_headers,
                    json={"status": "in_progress", "note": "Started."}))  # fmt: skip
    before = _state(client, PLEDGED)
    body = _bulk(PLEDGED, "stalled", versions=dict.fromkeys(PLEDGED, 1))
    problem = _problem(client.post(URL, json=body, headers=editor_headers), 409)
    assert problem["title"] == "Conflict"
    assert problem["detail"].startswith("1 item changed since you read it")
    assert problem["stale"] == [
        {"ref": PLEDGED[1], "slug": PLEDGED[1], "version": 1, "current_version": 2}
    ]
    assert "retracted" not in problem
    assert _state(client, PLEDGED) == before
    # With the versions as they are now, it goes through.
    body = _bulk(PLEDGED, "stalled", versions={**dict.fromkeys(PLEDGED, 1), PLEDGED[1]: 2})
    answer = _ok(client.post(URL, json=body, headers=editor_headers))
    assert [i["version"] for i in answer["changed"]] == [2, 3, 2]


def test_a_retracted_item_is_a_409_and_nothing_changes(client, editor_headers) -> None:
    _ok(client.post(f"/api/v1/items/{PLEDGED[2]}/retract", headers=editor_headers,
                    json={"reason": "The passage reports a hope, not a pledge."}))  # fmt: skip
    before = _state(client, PLEDGED)
    response = client.post(URL, json=_bulk(PLEDGED, "stalled"), headers=editor_headers)
    problem = _problem(response, 409)
    assert problem["retracted"] == [{"ref": PLEDGED[2], "slug": PLEDGED[2]}]
    assert "1 item is retracted" in problem["detail"]
    assert _state(client, PLEDGED) == before


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"items": [], "status": "stalled", "note": NOTE}, "items", "at least 1 item"),
        (_bulk([ITEM, PLEDGED[1], ITEM], "stalled"), "items", "items[2].ref repeats items[0].ref"),
        (_bulk(PLEDGED, "stalled") | {"note": "  \n "}, "note", "a status change needs a note"),
        ({"items": [{"ref": ITEM}], "status": "stalled"}, "note", "Field required"),
        (_bulk([ITEM], "stalled") | {"note": "x" * 20001}, "note", "at most 20000"),
        ({"items": [{"ref": ITEM, "version": 0}], "status": "stalled", "note": NOTE},
         "items.0.version", "greater than or equal to 1"),
        ({"items": [{"ref": ""}], "status": "stalled", "note": NOTE}, "items.0.ref", "at least 1"),
        ({"items": [{"ref": ITEM, "expected": 1}], "status": "stalled", "note": NOTE},
         "items.0.expected", "Extra inputs"),
        ({"items": [{"ref": str(n)} for n in range(1, 2002)], "status": "stalled", "note": NOTE},
         "items", "at most 2000 items"),
    ],
)  # fmt: skip
def test_bad_bodies_are_422_naming_the_field(client, editor_headers, body, field, message) -> None:
    before = _state(client, PLEDGED)
    problem = _problem(client.post(URL, json=body, headers=editor_headers), 422)
    assert [e["field"] for e in problem["errors"]] == [field]
    assert message in problem["errors"][0]["message"]
    assert _state(client, PLEDGED) == before


def test_one_item_named_twice_by_id_and_slug_is_a_422(client, editor_headers) -> None:
    item_id = _item(client, ITEM)["id"]
    before = _state(client, [ITEM])
    response = client.post(URL, json=_bulk([ITEM, str(item_id)], "stalled"),
                           headers=editor_headers)  # fmt: skip
    problem = _problem(response, 422)
    assert problem["errors"] == [{"field": "items[1].ref", "message": "the same item as items[0]"}]
    assert _state(client, [ITEM]) == before


def test_an_old_slug_still_names_its_item(client, editor_headers) -> None:
    _ok(client.patch(f"/api/v1/items/{ITEM}", json={"slug": "pcc-62-cse-staff"},
                     headers={**editor_headers, "If-Match": '"1"'}))  # fmt: skip
    answer = _ok(client.post(URL, json=_bulk([ITEM], "stalled", versions={ITEM: 2}),
                             headers=editor_headers))  # fmt: skip
    assert [(i["slug"], i["version"]) for i in answer["changed"]] == [("pcc-62-cse-staff", 3)]


def test_only_editors_may_change_statuses(client, make_user) -> None:
    before = _state(client, PLEDGED)
    body = _bulk(PLEDGED, "stalled")
    anonymous = _problem(client.post(URL, json=body), 401)
    assert anonymous["title"] == "Unauthorized"
    assert client.post(URL, json=body).headers["www-authenticate"] == "Bearer"
    _problem(client.post(URL, json=body, headers={"Authorization": "Bearer trk_nope"}), 401)
    viewer = make_user("viewer", "viewer")
    forbidden = client.post(URL, json=body, headers={"Authorization": f"Bearer {viewer}"})
    assert _problem(forbidden, 403)["detail"] == "Editors and admins only."
    assert _state(client, PLEDGED) == before
    admin = make_user("admin", "admin")
    answer = _ok(client.post(URL, json=body, headers={"Authorization": f"Bearer {admin}"}))
    assert answer["counts"] == {"changed": 3, "unchanged": 0}


# ---------------------------------------------------------------------------------------------
# The route beside the item's own


def test_the_path_takes_post_alone_and_the_items_routes_are_as_they_were(
    client, editor_headers
) -> None:
    # The bulk change's path is not an item called "status": any other method is a 405 that
    # names POST alone, as the API's document does.
    for method in ("GET", "PUT", "PATCH", "DELETE", "OPTIONS"):
        refused = client.request(method, URL)
        assert _problem(refused, 405)["detail"] == f"{method} is not allowed here."
        assert refused.headers["allow"] == "POST"
    head = client.head(URL)
    assert (head.status_code, head.headers["allow"], head.content) == (405, "POST", b"")
    # The item's own routes answer as before.
    single = _ok(client.post(f"/api/v1/items/{ITEM}/status", headers=editor_headers,
                             json={"status": "in_progress", "note": "One."}))  # fmt: skip
    assert (single["slug"], single["version"]) == (ITEM, 2)
    assert _item(client, str(single["id"]))["slug"] == ITEM
    assert client.get(f"/api/v1/items/{ITEM}/status").headers["allow"] == "POST"
    assert client.put(f"/api/v1/items/{ITEM}").headers["allow"] == "DELETE, GET, HEAD, PATCH"
    missing = _problem(client.get("/api/v1/items/statuses"), 404)
    assert missing["detail"] == "No item statuses."


def test_the_operation_is_documented(client) -> None:
    document = _ok(client.get("/openapi.json"))
    operation = document["paths"][URL]["post"]
    assert operation["operationId"] == "changeStatuses"
    assert operation["security"] == [{"HTTPBearer": []}]
    example = operation["requestBody"]["content"]["application/json"]["example"]
    assert example["status"] == "stalled" and len(example["items"]) == 3
    assert {"401", "403", "409", "422", "503"} <= set(operation["responses"])
    assert "200" in operation["responses"]
    schemas = document["components"]["schemas"]
    assert set(schemas["BulkStatusChange"]["required"]) == {"items", "status", "note"}
    assert schemas["BulkStatusChange"]["properties"]["items"]["maxItems"] == 2000


# ---------------------------------------------------------------------------------------------
# The feed, and what the public reads


def test_the_change_feed_shows_every_event_of_a_bulk_change(client, editor_headers) -> None:
    listed = _ok(client.get("/api/v1/items", params={"limit": 100}))["items"]
    refs = [i["slug"] for i in listed if i["status"] != "withdrawn"]
    assert len(refs) > 20
    last = _last_event_id(client)
    answer = _ok(client.post(URL, json=_bulk(refs, "withdrawn"), headers=editor_headers))
    assert answer["counts"]["changed"] == len(refs)
    # Read page by page, as a poller does.
    seen: list[dict[str, Any]] = []
    after = last
    while True:
        page = _ok(client.get("/api/v1/changes", params={"after": after, "limit": 7}))
        seen += page["events"]
        after = page["last_id"]
        if not page["has_more"]:
            break
    assert [(e["item"]["slug"], e["to_status"], e["note"]) for e in seen] == [
        (ref, "withdrawn", NOTE) for ref in refs
    ]
    assert [e["id"] for e in seen] == sorted({e["id"] for e in seen})
    # The Atom feed of the latest events has an entry for each of them.
    atom = client.get("/feed.atom").text
    entries = re.findall(r"<id>tag:[^<]*:event/(\d+)</id>", atom)
    assert {e["id"] for e in seen} <= {int(e) for e in entries}
    assert _tallied() == _counted()


NAME = "Margaret Crofts"
NAMED = "syp-60-extra-officers-edl-protest"  # its source names her
TRACES = re.compile(r"margaret|crofts", re.IGNORECASE)


def test_a_withheld_name_in_the_note_stays_withheld(client, editor_headers) -> None:
    _ok(client.post(f"/api/v1/items/{NAMED}/withheld-names", json={"name": NAME},
                    headers=editor_headers), 201)  # fmt: skip
    last = _last_event_id(client)
    body = _bulk([NAMED, ITEM], "in_progress") | {"note": f"Confirmed by {NAME}."}
    answer = _ok(client.post(URL, json=body, headers=editor_headers))
    assert [i["slug"] for i in answer["changed"]] == [NAMED, ITEM]
    # The public reads every change, without the name.
    public = TestClient(client.app)
    for path in (f"/api/v1/items/{NAMED}", f"/api/v1/items/{ITEM}", "/feed.atom",
                 f"/api/v1/changes?after={last}", f"/items/{NAMED}"):  # fmt: skip
        response = public.get(path)
        assert response.status_code == 200, path
        assert TRACES.findall(response.text) == [], path
    notes = [e["note"] for e in _events_after(public, last)]
    assert notes == ["Confirmed by [name withheld].", "Confirmed by [name withheld]."]
    # A refusal names the items by ref and slug, never by what the public may not read.
    _ok(client.post(f"/api/v1/items/{NAMED}/status", headers=editor_headers,
                    json={"status": "stalled", "note": "Again."}))  # fmt: skip
    stale = _bulk([NAMED], "delivered", versions={NAMED: 2}) | {"note": f"By {NAME}."}
    problem = _problem(client.post(URL, json=stale, headers=editor_headers), 409)
    assert problem["stale"] == [{"ref": NAMED, "slug": NAMED, "version": 2, "current_version": 3}]
    assert TRACES.findall(str(problem)) == []


# ---------------------------------------------------------------------------------------------
# The service, as the dashboard calls it


def test_the_service_changes_all_or_nothing(app_settings) -> None:
    change = BulkStatusChange(
        items=[BulkTarget(ref=PLEDGED[0]), BulkTarget(ref=DELIVERED, version=1)],
        status="delivered",
        note="Both delivered.",
    )
    with write_session() as session:
        result = bulk.change_statuses(session, change=change, user_id=None)
    assert result.status == "delivered"
    assert [(i.slug, i.version, i.status) for i in result.changed] == [(ITEM, 2, "delivered")]
    assert [(i.slug, i.version) for i in result.unchanged] == [(DELIVERED, 1)]
    wrong = BulkStatusChange(
        items=[BulkTarget(ref=PLEDGED[1]), BulkTarget(ref=ALLEGATION)],
        status="broken",
        note="x",
    )
    with pytest.raises(Invalid) as refused, write_session() as session:
        bulk.change_statuses(session, change=wrong, user_id=None)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("items[1]", "'broken' is not a status of an allegation")
    ]
    stale = BulkStatusChange(items=[BulkTarget(ref=ITEM, version=1)], status="broken", note="x")
    with pytest.raises(Conflict) as conflict, write_session() as session:
        bulk.change_statuses(session, change=stale, user_id=None)
    assert conflict.value.extra["stale"] == [
        {"ref": ITEM, "slug": ITEM, "version": 1, "current_version": 2}
    ]
    with read_session() as session:
        versions = dict(
            session.execute(
                sa.select(Item.slug, Item.version).where(Item.slug.in_(PLEDGED[:2]))  # type: ignore[attr-defined]
            ).all()
        )
    assert versions == {ITEM: 2, PLEDGED[1]: 1}
    with pytest.raises(ValidationError):
        BulkStatusChange(items=[BulkTarget(ref=ITEM)] * 2, status="broken", note="x")


def test_the_items_are_held_until_the_change_commits(app_settings) -> None:
    """No other writer can touch the items while a bulk change is being written: on PostgreSQL
    their rows are locked, on SQLite the transaction is the one writer's."""
    change = BulkStatusChange(items=[BulkTarget(ref=r) for r in PLEDGED], status="stalled",
                              note="Held.")  # fmt: skip
    engine = get_engine()
    outcome: dict[str, Any] = {}
    with write_session() as session:
        bulk.change_statuses(session, change=change, user_id=None)

        def other_writer() -> None:
            try:
                if engine.dialect.name == "postgresql":
                    with engine.connect() as connection:
                        connection.execute(
                            sa.text("SELECT id FROM item WHERE slug = :slug FOR UPDATE NOWAIT"),
                            {"slug": PLEDGED[1]},
                        )
                else:
                    database = engine.url.database
                    assert database is not None
                    connection = sqlite3.connect(database, timeout=0)
                    try:
                        connection.execute("BEGIN IMMEDIATE")
                    finally:
                        connection.close()
                outcome["held"] = False
            except (sa.exc.OperationalError, sqlite3.OperationalError) as exc:
                outcome["held"] = True
                outcome["error"] = str(exc)

        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join(timeout=30)
    assert outcome["held"] is True, outcome
    assert "lock" in outcome["error"].lower()
    with read_session() as session:
        statuses = session.execute(
            sa.select(Item.status).where(Item.slug.in_(PLEDGED))  # type: ignore[attr-defined]
        ).scalars()
        assert set(statuses) == {"stalled"}


def test_bulk_and_single_changes_side_by_side_never_lose_or_block_one(app_settings) -> None:
    """Bulk changes naming the same items in other orders, and single changes of them, at the
    same time: each is applied whole (none waits on another in a circle), every version has
    its one event, and the tally is still a count of the items."""
    refs = [*PLEDGED, "gov-1-2m-south-yorkshire-cse-funding"]
    refs.append("syp-committed-to-justice-and-prevention")
    statuses = ["stalled", "in_progress", "broken", "pledged"]
    failures: list[BaseException] = []
    start = threading.Barrier(4)

    def bulk_changes(turn: int) -> None:
        start.wait()
        for n in range(6):
            order = refs[turn:] + refs[:turn] if n % 2 else list(reversed(refs))
            change = BulkStatusChange(
                items=[BulkTarget(ref=r) for r in order],
                status=statuses[(turn + n) % 4],
                note=f"bulk {turn}.{n}",
            )
            try:
                with write_session(alone=False) as session:
                    bulk.change_statuses(session, change=change, user_id=None)
            except BaseException as exc:
                failures.append(exc)

    def single_changes(turn: int) -> None:
        start.wait()
        for n in range(12):
            ref = refs[(turn + n) % len(refs)]
            change = StatusChange(status=statuses[n % 4], note=f"single {turn}.{n}")
            try:
                with write_session(alone=False) as session:
                    items.record_status_change(session, ref=ref, change=change, user_id=None)
            except BaseException as exc:
                failures.append(exc)

    threads = [threading.Thread(target=bulk_changes, args=(t,)) for t in (0, 2)]
    threads += [threading.Thread(target=single_changes, args=(t,)) for t in (1, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    assert _tallied() == _counted()
    with read_session() as session:
        for ref in refs:
            item = items.get(session, ref=ref)
            history = events.history(session, item_id=item.id)
            # One event per version, none lost or doubled, and the last is the item's status.
            assert [e.version for e in history] == list(range(1, item.version + 1))
            assert history[-1].to_status == item.status


@pytest.mark.parametrize(
    ("target", "before_the_first"),
    [
        # The bulk change moves pledged, then in_progress, to withdrawn; meanwhile a single
        # change moves in_progress to pledged: the tally rows the other way round.
        ("pledged", False),
        # No commitment is broken yet: its tally row is new, and the single change would
        # make it first if the bulk change did not.
        ("broken", True),
    ],
)
def test_a_single_change_meeting_a_bulk_change_in_the_tally_waits_its_turn(
    app_settings, monkeypatch, target: str, before_the_first: bool
) -> None:
    """A bulk change takes the tally rows it moves (making the new ones) before its first item,
    in key order: a single change that needs the same rows waits for it, instead of each
    holding a row the other needs."""
    first, second = ITEM, "syp-further-cse-training"  # pledged; in progress
    other = "ipcc-investigation-of-10-syp-officers"  # a commitment in progress
    bulk_status = "withdrawn" if target == "pledged" else target
    record = items.record_status_change
    failures: list[BaseException] = []
    single_done = threading.Event()

    def single() -> None:
        change = StatusChange(status=target, note="Moved alone.")
        try:
            with write_session(alone=False) as session:
                record(session, ref=other, change=change, user_id=None)
        except BaseException as exc:
            failures.append(exc)
        single_done.set()

    thread = threading.Thread(target=single)

    def let_the_single_change_start() -> None:
        if not thread.is_alive() and not single_done.is_set():
            thread.start()
            # Long enough for it to take what it can and wait for the rest.
            single_done.wait(timeout=1.5)

    def record_beside_a_single_change(session, **kwargs):
        if before_the_first:
            let_the_single_change_start()
        changed = record(session, **kwargs)
        let_the_single_change_start()
        return changed

    monkeypatch.setattr(items, "record_status_change", record_beside_a_single_change)
    change = BulkStatusChange(items=[BulkTarget(ref=first), BulkTarget(ref=second)],
                              status=bulk_status, note="Both moved.")  # fmt: skip
    result = None
    try:
        with write_session(alone=False) as session:
            result = bulk.change_statuses(session, change=change, user_id=None)
    except BaseException as exc:
        failures.append(exc)
    thread.join(timeout=60)
    assert failures == []
    assert result is not None
    assert [i.status for i in result.changed] == [bulk_status, bulk_status]
    with read_session() as session:
        assert items.get(session, ref=other).status == target
    assert _tallied() == _counted()
