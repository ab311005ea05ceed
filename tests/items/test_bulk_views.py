"""Many items to one status from the dashboard's table, as a plain form (and with htmx): the
boxes and the form are an editor's alone; a change posts and redirects back to the same list,
which says what was done; a wrong field, an item of another kind or an item changed since the
page was loaded shows the list again with the messages, the ticks kept and nothing changed."""

from __future__ import annotations

from typing import Any

from tests.support.accounts import sign_in
from tests.support.pages import html, html_page

LIST = "/?kind=commitment"


def bulk_form(page: Any) -> dict[str, Any]:
    """The hidden fields of the page's bulk form (CSRF token, the list's query, the newest
    event id, the items of the page), as a browser would post them."""
    form = page.select_one("form#bulk")
    assert form is not None, "no bulk form on the page"
    fields: dict[str, Any] = {"on_page": []}
    for field in form.select("input[type=hidden]"):
        if field["name"] == "on_page":
            fields["on_page"].append(field["value"])
        else:
            fields[field["name"]] = field["value"]
    return fields


def boxes(page: Any) -> dict[str, Any]:
    """The rows' boxes by item slug."""
    return {box["id"].removeprefix("pick-"): box for box in page.select("input[name=item]")}


def item(client: Any, slug: str) -> dict[str, Any]:
    return dict(client.get(f"/api/v1/items/{slug}").json())


def statuses(client: Any, query: str) -> dict[str, str]:
    listed = client.get(f"/api/v1/items?{query}&limit=100").json()["items"]
    return {i["slug"]: i["status"] for i in listed}


def test_the_public_sees_no_boxes_and_no_form(client, make_user) -> None:
    page = html_page(client, LIST)
    assert page.select("form#bulk, input[name=item], .cell-select, [data-kind]") == []
    assert len(page.select("#results thead th")) == 4 + 1  # title, actor, status, progress, made
    # A signed-in reader who cannot edit sees no more than the public.
    make_user("reader", "viewer")
    sign_in(client, "reader")
    page = html_page(client, LIST)
    assert page.select("form#bulk, input[name=item], .cell-select") == []


def test_an_editor_gets_a_box_per_row_and_the_form_with_every_kind_of_status(
    client, make_user
) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    page = html_page(client, "/?actor=south-yorkshire-police")
    form = page.select_one("form#bulk")
    assert form["method"] == "post" and form["action"] == "/items/status"
    hidden = bulk_form(page)
    assert hidden["csrf_token"] == csrf and hidden["query"] == "actor=south-yorkshire-police"
    assert len(hidden["on_page"]) == 14
    assert int(hidden["as_of"]) > 0
    rows = page.select("#results tbody tr")
    ticks = boxes(page)
    assert len(ticks) == len(rows) == 14
    for row in rows:
        box = row.select_one("input[name=item]")
        assert box["form"] == "bulk" and box["data-kind"] == row["data-kind"]
        ident, version = box["value"].split(":")
        listed = item(client, row["id"].removeprefix("row-"))
        assert (int(ident), int(version), box["data-kind"]) == (
            listed["id"], listed["version"], listed["kind"]
        )  # fmt: skip
        assert page.select_one(f"label[for={box['id']}]").get_text().startswith("Choose “")
    # Without JavaScript every kind's statuses are offered, in a group per kind.
    groups = form.select("select[name=status] optgroup")
    assert [g["label"] for g in groups] == ["Commitments", "Allegations", "Proposals"]
    assert [o["value"] for o in groups[1].select("option")] == [
        "reported", "under_investigation", "upheld", "not_upheld", "withdrawn"
    ]  # fmt: skip
    assert form.select_one("#bulk-matching + label").get_text() == (
        "All 14 items that match this filter"
    )
    assert form.select_one("#bulk-matching")["data-kinds"] == "commitment allegation"
    for control in form.select("select, textarea, input:not([type=hidden])"):
        assert page.select_one(f"label[for={control['id']}]") is not None
    assert [legend.get_text() for legend in form.select("fieldset > legend")] == [
        "Items to change", "The change, the same for each"
    ]  # fmt: skip
    # A filter of one kind offers that kind's statuses alone.
    one_kind = html_page(client, LIST).select_one("form#bulk")
    assert [g["label"] for g in one_kind.select("select[name=status] optgroup")] == ["Commitments"]


def test_ticked_items_change_with_a_plain_post_and_the_list_says_so(client, make_user) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    page = html_page(client, LIST + "&actor=alan-billings")
    ticks = boxes(page)
    chosen = sorted(ticks)[:3]
    already = chosen[0]
    token = make_user("editor", "editor")
    client.post(
        f"/api/v1/items/{already}/status",
        json={"status": "delivered", "note": "Delivered before."},
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()
    page = html_page(client, LIST + "&actor=alan-billings")
    ticks = boxes(page)
    response = client.post(
        "/items/status",
        data={
            **bulk_form(page),
            "item": [ticks[slug]["value"] for slug in chosen],
            "status": "delivered",
            "note": "Confirmed in the annual report.",
            "evidence_url": "https://example.org/annual-report",
            "occurred_on": "2016-03-31",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/?kind=commitment&actor=alan-billings"
    after = html_page(client, response.headers["location"])
    assert after.select_one("#bulk-done").get_text() == (
        "2 changed to Delivered, 1 already in that status."
    )
    for slug in chosen:
        assert after.select_one(f"#row-{slug} .cell-status .badge").get_text() == "Delivered"
    for slug in chosen[1:]:
        newest = item(client, slug)["history"][-1]
        assert (newest["note"], newest["evidence_url"], newest["occurred_on"], newest["by"]) == (
            "Confirmed in the annual report.", "https://example.org/annual-report",
            "2016-03-31", "editor",
        )  # fmt: skip
    # The item already delivered was left as it was: no second event.
    assert [e["note"] for e in item(client, already)["history"]][-1] == "Delivered before."
    # The message is said once.
    assert html_page(client, response.headers["location"]).select_one("#bulk-done") is None
    assert csrf


def test_every_item_on_the_page_without_javascript(client, make_user) -> None:
    make_user("editor", "editor")
    sign_in(client)
    query = "kind=proposal&actor=local-government-association"
    page = html_page(client, "/?" + query)
    assert len(boxes(page)) == 3
    response = client.post(
        "/items/status",
        data={**bulk_form(page), "page": "all", "status": "rejected", "note": "Not adopted."},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert set(statuses(client, query).values()) == {"rejected"}
    assert html_page(client, "/?" + query).select_one("#bulk-done").get_text() == (
        "3 changed to Rejected."
    )


def test_all_that_match_the_filter_are_read_again_and_those_changed_since_are_stale(
    client, make_user
) -> None:
    token = make_user("editor", "editor")
    sign_in(client)
    query = "kind=allegation&actor=south-yorkshire-police"
    page = html_page(client, "/?" + query)
    form = bulk_form(page)
    before = statuses(client, query)
    assert len(before) == 9
    moved = sorted(before)[0]
    client.post(
        f"/api/v1/items/{moved}/status",
        json={"status": "upheld", "note": "Upheld by the IOPC."},
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()
    fields = {**form, "matching": "all", "status": "not_upheld", "note": "No case to answer."}
    response = client.post("/items/status", data=fields)
    assert response.status_code == 409
    again = html(response)
    stale = again.select_one("#bulk-stale")
    assert stale["role"] == "alert"
    assert stale.select_one("strong").get_text() == "1 item changed since you loaded the page:"
    assert stale.select_one("li a")["href"] == f"/items/{moved}"
    assert "Nothing was changed. Review it and apply again." in stale.get_text()
    assert again.select_one("#bulk-matching").has_attr("checked")
    assert again.select_one("#bulk-status option[selected]")["value"] == "not_upheld"
    assert again.select_one("#bulk-note").get_text() == "No case to answer."
    after = statuses(client, query)
    assert after == {**before, moved: "upheld"}
    assert [e["note"] for e in item(client, moved)["history"]][-1] == "Upheld by the IOPC."

    # Applied again from the page as it is now: every item that matches changes.
    response = client.post(
        "/items/status", data={**fields, **bulk_form(again)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert set(statuses(client, query).values()) == {"not_upheld"}
    assert item(client, moved)["history"][-1]["note"] == "No case to answer."


def test_a_change_the_page_did_not_see_is_caught_even_with_a_lower_event_id(
    client, make_user
) -> None:
    """On PostgreSQL a change committed just after the page was read can hold a lower event id
    than the newest the page saw: the matching items' versions catch it all the same."""
    token = make_user("editor", "editor")
    sign_in(client)
    query = "kind=allegation&actor=south-yorkshire-police"
    form = bulk_form(html_page(client, "/?" + query))
    before = statuses(client, query)
    moved = sorted(before)[0]
    client.post(
        f"/api/v1/items/{moved}/status",
        json={"status": "upheld", "note": "Upheld by the IOPC."},
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()
    # As if the page had seen that event's id without seeing the change.
    newest = client.get("/api/v1/changes?after=0&limit=1000").json()["last_id"]
    fields = {**form, "as_of": str(newest), "matching": "all", "status": "not_upheld",
              "note": "No case to answer."}  # fmt: skip
    response = client.post("/items/status", data=fields)
    assert response.status_code == 422
    assert "changed since you loaded the page" in html(response).get_text()
    assert statuses(client, query) == {**before, moved: "upheld"}


def test_a_ticked_item_changed_since_the_page_was_loaded_is_named_and_nothing_changes(
    client, make_user
) -> None:
    token = make_user("editor", "editor")
    sign_in(client)
    page = html_page(client, LIST)
    ticks = boxes(page)
    chosen = sorted(ticks)[:2]
    client.post(
        f"/api/v1/items/{chosen[1]}/status",
        json={"status": "stalled", "note": "Stalled for lack of money."},
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()
    before = statuses(client, "kind=commitment")
    response = client.post(
        "/items/status",
        data={
            **bulk_form(page),
            "item": [ticks[slug]["value"] for slug in chosen],
            "status": "broken",
            "note": "Abandoned.",
        },
    )
    assert response.status_code == 409
    again = html(response)
    assert [a["href"] for a in again.select("#bulk-stale li a")] == [f"/items/{chosen[1]}"]
    assert again.select_one("#bulk-stale .badge").get_text() == "Stalled"
    assert statuses(client, "kind=commitment") == before
    # The ticks are kept, with the versions the items are at now.
    kept = boxes(again)
    assert {slug for slug, box in kept.items() if box.has_attr("checked")} == set(chosen)
    assert kept[chosen[1]]["value"].endswith(":2")


def test_missing_fields_are_shown_beside_them_and_nothing_changes(client, make_user) -> None:
    make_user("editor", "editor")
    sign_in(client)
    page = html_page(client, LIST)
    ticks = boxes(page)
    chosen = sorted(ticks)[:2]
    before = statuses(client, "kind=commitment")
    response = client.post(
        "/items/status",
        data={
            **bulk_form(page),
            "item": [ticks[slug]["value"] for slug in chosen],
            "status": "",
            "note": "  ",
            "evidence_url": "not a link",
            "occurred_on": "2999-01-01",
        },
    )
    assert response.status_code == 422
    again = html(response)
    assert again.select_one("#bulk-status-error").get_text() == "Choose the new status."
    assert again.select_one("#bulk-note-error").get_text().startswith("Write a note")
    assert again.select_one("#bulk-evidence_url")["value"] == "not a link"
    assert again.select_one("#bulk-status")["aria-invalid"] == "true"
    assert "bulk-status-error" in again.select_one("#bulk-status")["aria-describedby"]
    assert again.select_one("details.bulk").has_attr("open")
    kept = boxes(again)
    assert {slug for slug, box in kept.items() if box.has_attr("checked")} == set(chosen)
    assert statuses(client, "kind=commitment") == before

    # A link that is not one and a date after today, with everything else right.
    response = client.post(
        "/items/status",
        data={
            **bulk_form(page),
            "item": [ticks[chosen[0]]["value"]],
            "status": "delivered",
            "note": "Done.",
            "evidence_url": "not a link",
            "occurred_on": "2999-01-01",
        },
    )
    assert response.status_code == 422
    again = html(response)
    assert again.select_one("#bulk-occurred_on-error").get_text() == (
        "Give a date such as 2015-03-03, or leave it empty."
    )
    assert again.select_one("#bulk-evidence_url-error").get_text().startswith("Give the address")
    assert again.select_one("#bulk-occurred_on")["value"] == "2999-01-01"
    assert statuses(client, "kind=commitment") == before


def test_nothing_ticked_and_a_status_of_another_kind_are_explained(client, make_user) -> None:
    make_user("editor", "editor")
    sign_in(client)
    page = html_page(client, "/?actor=south-yorkshire-police")
    response = client.post(
        "/items/status", data={**bulk_form(page), "status": "delivered", "note": "Done."}
    )
    assert response.status_code == 422
    assert html(response).select_one("#bulk-items-error").get_text(" ", strip=True) == (
        "Tick the items to change, or choose every item on the page or that matches."
    )

    ticks = boxes(page)
    kinds = {row["id"].removeprefix("row-"): row["data-kind"] for row in page.select("tbody tr")}
    commitment = next(s for s in sorted(ticks) if kinds[s] == "commitment")
    allegation = next(s for s in sorted(ticks) if kinds[s] == "allegation")
    before = statuses(client, "actor=south-yorkshire-police")
    response = client.post(
        "/items/status",
        data={
            **bulk_form(page),
            "item": [ticks[commitment]["value"], ticks[allegation]["value"]],
            "status": "delivered",
            "note": "Done.",
        },
    )
    assert response.status_code == 422
    errors = html(response).select_one("#bulk-items-error")
    title = item(client, allegation)["title"]
    assert [li.get_text() for li in errors.select("li")] == [
        f"“{title}”: Delivered is not a status of allegations."
    ]
    assert statuses(client, "actor=south-yorkshire-police") == before


def test_htmx_gets_the_table_back_with_what_was_done(client, make_user) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    page = html_page(client, LIST)
    ticks = boxes(page)
    chosen = sorted(ticks)[:2]
    fields = bulk_form(page)
    del fields["csrf_token"]  # htmx sends the token as a header
    response = client.post(
        "/items/status",
        data={
            **fields,
            "item": [ticks[slug]["value"] for slug in chosen],
            "status": "withdrawn",
            "note": "Dropped from the plan.",
        },
        headers={"HX-Request": "true", "HX-Target": "results", "X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "tracker:changed"
    assert response.text.lstrip().startswith('<div id="results"')
    fragment = html(response)
    done = fragment.select_one("#bulk-done")
    assert done.get_text() == "2 changed to Withdrawn." and done["data-announce"] == done.get_text()
    for slug in chosen:
        assert fragment.select_one(f"#row-{slug} .cell-status .badge").get_text() == "Withdrawn"
        assert not fragment.select_one(f"#pick-{slug}").has_attr("checked")
    assert fragment.select_one("#bulk-note").get_text() == ""
    # The list keeps its refresh at the list's own address.
    assert fragment.select_one("#results")["hx-get"] == LIST


def test_a_post_without_the_csrf_token_changes_nothing(client, make_user) -> None:
    make_user("editor", "editor")
    sign_in(client)
    page = html_page(client, LIST)
    ticks = boxes(page)
    before = statuses(client, "kind=commitment")
    fields = {**bulk_form(page), "item": next(iter(ticks.values()))["value"]}
    del fields["csrf_token"]
    response = client.post("/items/status", data={**fields, "status": "broken", "note": "Broken."})
    assert response.status_code == 403
    assert "This form has expired" in response.text
    assert statuses(client, "kind=commitment") == before
