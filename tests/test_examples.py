"""The README's report script works against the API, and the README shows it as it is."""

from __future__ import annotations

from service.config import PROJECT_ROOT
from service.errors import Busy
from service.events import service as events
from tests.support.seed import ITEM


def test_readme_shows_the_script_verbatim() -> None:
    script = (PROJECT_ROOT / "examples" / "poll_changes.py").read_text()
    assert script in (PROJECT_ROOT / "README.md").read_text()


def test_poll_once_catches_up_at_once_then_costs_a_304(client, editor_headers, capsys) -> None:
    from examples.poll_changes import poll_once

    # Four pages of ten, followed by `next` while `has_more`, in one call.
    after, etag = poll_once(client, 0, None, page_size=10)
    assert after == 35 and etag
    printed = capsys.readouterr().out.splitlines()
    assert [int(line.split()[0][1:]) for line in printed] == list(range(1, 36))
    # Nothing new: the first look at after=35 prints nothing, and from then on it is a 304.
    after, etag = poll_once(client, after, etag, page_size=10)
    assert after == 35 and capsys.readouterr().out == ""
    response = client.get(
        "/api/v1/changes", params={"after": 35, "limit": 10}, headers={"If-None-Match": etag}
    )
    assert response.status_code == 304
    assert poll_once(client, after, etag, page_size=10) == (35, etag)
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Recruiting"},
        headers=editor_headers,
    )
    after, etag = poll_once(client, after, etag, page_size=10)
    assert after == 36
    assert capsys.readouterr().out.split(": ", 1)[1].strip() == "pledged -> in_progress Recruiting"


def test_poll_once_waits_out_a_503_for_its_retry_after(client, capsys, monkeypatch) -> None:
    import examples.poll_changes as example

    busy = iter([True, True])

    def horizon(engine):  # two answers while a writer holds its event, then the feed goes on
        if next(busy, False):
            raise events.HorizonTimeout
        return None

    slept: list[float] = []
    monkeypatch.setattr(events, "feed_horizon", horizon)
    monkeypatch.setattr(example.time, "sleep", slept.append)
    assert example.poll_once(client, 30, None)[0] == 35
    assert slept == [Busy.retry_after, Busy.retry_after] == [1, 1]
    assert len(capsys.readouterr().out.splitlines()) == 5
