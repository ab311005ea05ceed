"""An editor gives an item, a source or an actor a new address from its page (no JavaScript
needed): the old address then leads to the new one, and a bad or taken one is refused beside the
field, changing nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.accounts import sign_in
from tests.support.pages import html

ITEM = "syp-60-extra-officers-edl-protest"
SOURCE = "rotherham-cse-live-updates-lga-ofsted"
ACTOR = "south-yorkshire-police"


def _field_error(response) -> str:
    page = html(response)
    error = page.select_one("#f-slug-error")
    assert error is not None, page.get_text()[:500]
    return error.get_text()


def test_an_editor_changes_an_items_address_in_its_edit_form(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    form = html(client.get(f"/items/{ITEM}/edit"))
    values = {
        field["name"]: field.get("value", "")
        for field in form.select("form.stacked input, form.stacked select")
        if field.get("name")
    }
    for select in form.select("form.stacked select"):
        chosen = select.select_one("option[selected]")
        values[select["name"]] = chosen["value"] if chosen else ""
    assert values["slug"] == ITEM
    response = client.post(
        f"/items/{ITEM}/edit",
        data={**values, "csrf_token": csrf, "slug": "syp-officers-at-the-edl-protest"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    assert response.headers["location"] == "/items/syp-officers-at-the-edl-protest"
    public = TestClient(client.app)
    moved = public.get(f"/items/{ITEM}", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (
        301,
        "/items/syp-officers-at-the-edl-protest",
    )


def test_an_editor_changes_a_sources_and_an_actors_address(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    for page, new in ((f"/sources/{SOURCE}", "lga-ofsted-updates"), (f"/actors/{ACTOR}", "syp")):
        form = html(client.get(page)).select_one("details.slug-form form")
        assert form is not None, page
        version = form.select_one("input[name=expected_version]")["value"]
        response = client.post(
            form["action"],
            data={"csrf_token": csrf, "expected_version": version, "slug": new},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text[:500]
        assert response.headers["location"] == page.rsplit("/", 1)[0] + "/" + new
        moved = TestClient(client.app).get(page, follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (301, response.headers["location"])


def test_a_bad_or_taken_address_is_refused_beside_the_field(client, make_user) -> None:
    make_user()
    csrf = sign_in(client)
    before = client.get(f"/api/v1/sources/{SOURCE}").json()
    for slug, message in (
        ("Not A Slug", "Use lower-case letters and digits joined by hyphens, such as lga-review."),
        ("2015", "Must hold a letter: a number is read as an id."),
        ("rotherham-cse-live-updates-pcc", "'rotherham-cse-live-updates-pcc' is already taken."),
    ):
        response = client.post(
            f"/sources/{SOURCE}/slug",
            data={"csrf_token": csrf, "expected_version": before["version"], "slug": slug},
        )
        assert response.status_code == 422, slug
        assert _field_error(response) == message
    stale = client.post(
        f"/sources/{SOURCE}/slug",
        data={"csrf_token": csrf, "expected_version": before["version"] + 5, "slug": "fresh"},
    )
    assert stale.status_code == 412
    assert "Someone else changed it" in _field_error(stale)
    assert client.get(f"/api/v1/sources/{SOURCE}").json() == before


def test_a_reader_is_sent_to_sign_in_and_cannot_change_an_address(client, make_user) -> None:
    response = client.post(f"/actors/{ACTOR}/slug", data={"slug": "x"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/actors/{ACTOR}"
    make_user("reader", "viewer")
    csrf = sign_in(client, "reader")
    refused = client.post(
        f"/actors/{ACTOR}/slug",
        data={"csrf_token": csrf, "slug": "x", "expected_version": "1"},
        headers={"Accept": "text/html"},
    )
    assert refused.status_code == 403
    assert client.get(f"/api/v1/actors/{ACTOR}").status_code == 200
