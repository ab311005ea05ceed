"""The README's report script works against the API, and the README shows it as it is."""

from __future__ import annotations

from service.config import PROJECT_ROOT
from tests.support.seed import ITEM


def test_readme_shows_the_script_verbatim() -> None:
    script = (PROJECT_ROOT / "examples" / "poll_changes.py").read_text()
    assert script in (PROJECT_ROOT / "README.md").read_text()


def test_poll_once_prints_changes_then_costs_a_304(client, editor_headers, capsys) -> None:
    from examples.poll_changes import poll_once

    after, etag = poll_once(client, 0, None)
    assert after == 35 and etag
    assert len(capsys.readouterr().out.splitlines()) == 35
    # Nothing new: the first look at after=35 prints nothing, and from then on it is a 304.
    after, etag = poll_once(client, after, etag)
    assert after == 35 and capsys.readouterr().out == ""
    response = client.get("/api/v1/changes", params={"after": 35}, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert poll_once(client, after, etag) == (35, etag)
    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Recruiting"},
        headers=editor_headers,
    )
    after, etag = poll_once(client, after, etag)
    assert after == 36
    assert capsys.readouterr().out.split(": ", 1)[1].strip() == "pledged -> in_progress Recruiting"
