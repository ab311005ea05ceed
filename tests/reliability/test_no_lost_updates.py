"""No lost updates: two editors who read the same version cannot both win, and many clients
hammering a few items through a real server leave a history with exactly one event per
acknowledged change and versions without gaps."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from service.db import utcnow
from service.events import service as events
from service.items import service as items
from service.items import vocabulary
from tests.support.accounts import PASSWORD, post_login
from tests.support.seed import ITEM, ITEM_OF_EACH_KIND

# The items the clients hammer: one of each kind.
HAMMERED = ITEM_OF_EACH_KIND
CLIENTS = 8
WRITES_PER_CLIENT = 25


def _history(client, slug: str) -> list[dict[str, Any]]:
    return client.get(f"/api/v1/items/{slug}/history").json()["events"]


def test_two_editors_changing_the_status_from_the_same_version(client, make_user) -> None:
    alice = {"Authorization": f"Bearer {make_user('alice')}"}
    bob = {"Authorization": f"Bearer {make_user('bob')}"}
    version = client.get(f"/api/v1/items/{ITEM}", headers=alice).json()["version"]
    assert client.get(f"/api/v1/items/{ITEM}", headers=bob).json()["version"] == version

    won = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Alice: recruiting.", "expected_version": version},
        headers=alice,
    )
    lost = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "broken", "note": "Bob: abandoned.", "expected_version": version},
        headers=bob,
    )
    assert won.status_code == 200 and won.json()["version"] == version + 1
    assert lost.status_code == 409
    assert lost.headers["content-type"] == "application/problem+json"
    assert lost.json()["current_version"] == version + 1
    history = _history(client, ITEM)
    assert [(e["version"], e["by"], e["note"]) for e in history[1:]] == [
        (version + 1, "alice", "Alice: recruiting.")
    ]
    assert client.get(f"/api/v1/items/{ITEM}").json()["status"] == "in_progress"


def test_two_editors_editing_from_the_same_version(client, make_user) -> None:
    alice = {"Authorization": f"Bearer {make_user('alice')}"}
    bob = {"Authorization": f"Bearer {make_user('bob')}"}
    version = client.get(f"/api/v1/items/{ITEM}").json()["version"]
    if_match = {"If-Match": f'"{version}"'}
    won = client.patch(
        f"/api/v1/items/{ITEM}", json={"title": "Alice's title"}, headers={**alice, **if_match}
    )
    lost = client.patch(
        f"/api/v1/items/{ITEM}", json={"title": "Bob's title"}, headers={**bob, **if_match}
    )
    assert won.status_code == 200 and won.json()["version"] == version + 1
    assert lost.status_code == 412
    assert lost.headers["content-type"] == "application/problem+json"
    assert lost.json()["current_version"] == version + 1
    history = _history(client, ITEM)
    assert [(e["type"], e["by"], e["changes"]["title"][1]) for e in history[1:]] == [
        ("edit", "alice", "Alice's title")
    ]
    assert client.get(f"/api/v1/items/{ITEM}").json()["title"] == "Alice's title"


def _race_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the next compare-and-set lose to another editor's change, committed (in effect)
    between the item being read and being written, as can happen on PostgreSQL."""
    real = items.compare_and_set
    raced: list[bool] = []

    def racing(session, table, *, row_id: int, version: int, values: dict[str, Any]) -> bool:
        item_id = row_id
        if not raced:
            raced.append(True)
            assert real(
                session,
                table,
                row_id=item_id,
                version=version,
                values={"status": "stalled", "updated_at": utcnow()},
            )
            events.append(
                session,
                item_id=item_id,
                version=version + 1,
                type="status",
                user_id=None,
                from_status="pledged",
                to_status="stalled",
                note="The other editor's change.",
            )
        return real(session, table, row_id=item_id, version=version, values=values)

    monkeypatch.setattr(items, "compare_and_set", racing)


def test_a_change_without_expected_version_lands_on_top_of_a_concurrent_one(
    client, editor_headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor asked for no version check: losing the race is not their conflict, so the
    change is applied on top of the other one, and the history shows both in order."""
    _race_once(monkeypatch)
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Mine."},
        headers=editor_headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 3
    assert [
        (e["version"], e["from_status"], e["to_status"], e["note"])
        for e in _history(client, ITEM)[1:]
    ] == [
        (2, "pledged", "stalled", "The other editor's change."),
        (3, "stalled", "in_progress", "Mine."),
    ]


def test_a_change_with_expected_version_that_loses_the_race_is_a_conflict(
    client, editor_headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    _race_once(monkeypatch)
    response = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Mine.", "expected_version": 1},
        headers=editor_headers,
    )
    assert response.status_code == 409
    # Nothing of the failed transaction stays behind.
    assert [e["type"] for e in _history(client, ITEM)] == ["created"]


@dataclass
class Answer:
    slug: str
    note: str
    kind: str  # "status", "checked status" or "edit"
    status: int
    body: dict[str, Any]


def _hammer(base_url: str, token: str, number: int, start: threading.Barrier, out: list) -> None:
    rnd = random.Random(number)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        start.wait(timeout=60)
        for write in range(WRITES_PER_CLIENT):
            slug = rnd.choice(list(HAMMERED))
            note = f"client {number} write {write}"
            statuses = [s.code for s in vocabulary.KIND_BY_CODE[HAMMERED[slug]].statuses]
            if write % 5 == 4:
                version = http.get(f"/api/v1/items/{slug}").json()["version"]
                response = http.patch(
                    f"/api/v1/items/{slug}",
                    json={"description": note, "note": note},
                    headers={"If-Match": f'"{version}"'},
                )
                kind = "edit"
            else:
                body: dict[str, Any] = {"status": rnd.choice(statuses), "note": note}
                kind = "status"
                if write % 2:
                    body["expected_version"] = http.get(f"/api/v1/items/{slug}").json()["version"]
                    kind = "checked status"
                response = http.post(f"/api/v1/items/{slug}/status", json=body)
            is_json = response.headers.get("content-type", "").endswith("json")
            answer = response.json() if is_json else {"text": response.text}
            out.append(Answer(slug, note, kind, response.status_code, answer))


def _sign_in_twice(base_url: str, username: str) -> None:
    """A wrong password, then the right one, through the dashboard's form."""
    with httpx.Client(base_url=base_url) as http:
        for password, status in ((PASSWORD + "?", 200), (PASSWORD, 303)):
            response = post_login(http, username, password)
            assert response.status_code == status


@pytest.mark.slow
def test_many_clients_hammering_a_few_items_through_a_real_server(
    database_url: str, make_user, tracker_server, figures
) -> None:
    token = make_user("hammer")
    server = tracker_server(database_url, workers=2)
    server.start()
    _sign_in_twice(server.url, "hammer")
    answers: list[Answer] = []
    start = threading.Barrier(CLIENTS)
    threads = [
        threading.Thread(target=_hammer, args=(server.url, token, n, start, answers))
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == CLIENTS * WRITES_PER_CLIENT

    # Every answer is a success or the conflict the client asked to be told about.
    allowed = {"status": {200}, "checked status": {200, 409}, "edit": {200, 412}}
    wrong = [a for a in answers if a.status not in allowed[a.kind]]
    assert wrong == [], wrong[:5]
    assert not any("locked" in str(a.body).lower() for a in answers)

    with httpx.Client(base_url=server.url) as http:
        for slug in HAMMERED:
            item = http.get(f"/api/v1/items/{slug}").json()
            history = item["history"]
            # Versions 1..N, one event each, the item at N.
            assert [e["version"] for e in history] == list(range(1, len(history) + 1))
            assert item["version"] == len(history)
            # Each status change starts from the status the previous one left.
            status = history[0]["to_status"]
            for event in history[1:]:
                if event["type"] == "status":
                    assert event["from_status"] == status
                    status = event["to_status"]
            assert item["status"] == status
            # Exactly one event per acknowledged write, none for a refused one.
            acknowledged = {a.note: a for a in answers if a.slug == slug and a.status == 200}
            recorded = [e["note"] for e in history[1:]]
            assert sorted(recorded) == sorted(acknowledged)
            for event in history[1:]:
                assert acknowledged[event["note"]].body["version"] == event["version"]
    server.stop()
    output = server.output()
    assert "Traceback" not in output
    # Neither the token nor the password reached the server's log.
    assert token not in output and PASSWORD not in output

    backend = database_url.split(":")[0].split("+")[0]
    figures.state(f"hammer {backend}: clients", CLIENTS)
    figures[f"hammer {backend}: writes"] += len(answers)
    figures[f"hammer {backend}: acknowledged"] += sum(a.status == 200 for a in answers)
    figures[f"hammer {backend}: 409/412 asked for"] += sum(a.status != 200 for a in answers)
