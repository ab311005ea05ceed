"""The dashboard and the item pages: what they show, the htmx fragments, conditional refresh, and
the status form (whole page and inline row, with and without htmx) with its errors and conflicts."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from service.items import vocabulary
from tests.support.accounts import sign_in
from tests.support.pages import html
from tests.support.seed import ITEM

COMMITMENT_STATUSES = [
    "pledged",
    "in_progress",
    "stalled",
    "delivered",
    "partially_delivered",
    "broken",
    "withdrawn",
]


def row_titles(page: BeautifulSoup) -> list[str]:
    return [a.get_text() for a in page.select("#results table.items tbody tr .title-link")]


def timeline(page: BeautifulSoup) -> list[str]:
    return [
        " ".join(li.select_one(".event__what").get_text().split())
        for li in page.select(".events li")
    ]


def status_form(client, csrf: str, **fields: str) -> dict[str, str]:
    current = client.get(f"/api/v1/items/{ITEM}").json()
    return {"csrf_token": csrf, "expected_version": str(current["version"]), **fields}


# ---------------------------------------------------------------------------------------------
# The dashboard


def test_dashboard_shows_summary_items_and_latest_changes(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "HX-Request" in response.headers["vary"]
    page = html(response)
    summary = client.get("/api/v1/summary").json()

    cards = {card.select_one("h3 a").get_text(): card for card in page.select("#summary .card")[:3]}
    assert set(cards) == {"Commitments", "Allegations", "Proposals"}
    for counts in summary["kinds"].values():
        card = cards[counts["label"]]
        assert card.select_one(".card__total").get_text() == str(counts["total"])
        # The outcome meter says each count in words: resolved statuses, then the rest.
        legend = [" ".join(li.get_text().split()) for li in card.select(".outcome__legend li")]
        kind = next(k for k in vocabulary.KINDS if k.plural == counts["label"])
        expected = [
            f"{sum(counts['by_status'][s] for s in part.statuses)} {part.label.lower()}"
            for part in kind.meter
        ]
        assert legend == expected
        assert sum(counts["by_outcome"].values()) == counts["total"]
    facts = page.select_one("#summary .card--facts")
    share = summary["commitments_delivered_share"]
    assert facts.select_one(".big").get_text().split()[0] == f"{round(share * 100)}%"
    # The seed data records no deadline: "Overdue 0" would read as good news.
    everything = client.get("/api/v1/items", params={"limit": 200}).json()["items"]
    assert summary["overdue"] == 0 and not [i for i in everything if i["due_on"]]
    commitments = summary["kinds"]["commitment"]["total"]
    overdue = " ".join(facts.select_one(".facts__overdue dd").get_text().split())
    assert overdue == f"No deadlines recorded ({commitments} commitments have none)"
    assert facts.select_one("a[href='/?overdue=true']") is None

    # The first page of the table, in the API's order, with a link to the next page.
    listed = client.get("/api/v1/items", params={"limit": 25}).json()
    assert row_titles(page) == [i["title"] for i in listed["items"]]
    assert page.select_one(".results__count").get_text().split() == [
        "Showing", "1\u201325", "of", str(listed["total"]), "items."
    ]  # fmt: skip
    next_link = page.select_one("#results .pager a[rel=next]")
    assert next_link["href"] == f"/?cursor={listed['next_cursor']}"
    # Status badges carry their words; quantities show where there are some.
    for item in listed["items"]:
        row = page.select_one(f"#row-{item['slug']}")
        assert row.select_one(".cell-status .badge").get_text() == item["status_label"]
        # Each kind has its marker; progress only where it means progress (a commitment's
        # target), while an allegation's 14 officers is a count beside its title.
        assert row.select_one(f".kind--{item['kind']} .kind__mark") is not None
        progress = " ".join(row.select_one("td[data-label=Progress]").get_text().split())
        if item["kind"] == "commitment" and item["quantity"]:
            assert progress.startswith("Target ")
        else:
            assert progress == "\u2013Not a target"
            if item["quantity"]:
                count = row.select_one("td[data-label=Title] .count").get_text()
                assert str(item["quantity"]["value"]) in count

    latest = page.select("#latest .changes li")
    assert len(latest) == 8
    assert latest[0].a["href"].startswith("/items/")

    filters = page.select_one("form#filters")
    assert filters["method"] == "get" and filters["hx-push-url"] == "true"
    names = [c["name"] for c in filters.select("select, input")]
    assert names == ["kind", "status", "actor", "q"]
    for control in filters.select("select, input"):
        assert page.select_one(f"label[for={control['id']}]") is not None
    assert page.select_one("#results-region")["aria-live"] == "polite"
    # No inline script or style anywhere (the CSP would refuse them).
    assert not [s for s in page.select("script") if not s.get("src")]
    assert not page.select("[style]") and not page.select("style")
    assert not [t for t in page.find_all(True) if any(a.startswith("on") for a in t.attrs)]


def test_the_filter_bar_narrows_the_table_like_the_api(client) -> None:
    page = html(client.get("/", params={"kind": "allegation", "q": "officer"}))
    expected = client.get("/api/v1/items", params={"kind": "allegation", "q": "officer"}).json()
    assert expected["total"] > 0
    assert row_titles(page) == [i["title"] for i in expected["items"]]
    assert page.select_one("#filter-kind option[selected]")["value"] == "allegation"
    assert page.select_one("#filter-q")["value"] == "officer"
    # Only the chosen kind's statuses are offered.
    assert {g["label"] for g in page.select("#filter-status optgroup")} == {"Allegations"}

    by_status = html(client.get("/", params={"status": "under_investigation"}))
    rows = by_status.select("#results tbody tr")
    assert rows and all(r.select_one(".badge").get_text() == "Under investigation" for r in rows)

    by_actor = html(client.get("/", params={"actor": "ipcc"}))
    assert {a.get_text() for a in by_actor.select("#results td[data-label=Actor] a")} == {
        "Independent Police Complaints Commission (IPCC)"
    }
    empty = html(client.get("/", params={"q": "no such words anywhere"}))
    assert " ".join(empty.select_one(".results__count").get_text().split()) == (
        "No items match all of: text: “no such words anywhere”."
    )
    way_out = empty.select_one(".ways-out a")
    assert way_out.get_text() == "Without text: “no such words anywhere”" and way_out["href"] == "/"


def test_htmx_gets_the_table_alone_and_a_history_restore_the_whole_page(client) -> None:
    response = client.get(
        "/", params={"kind": "proposal"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert response.status_code == 200
    assert "HX-Request" in response.headers["vary"]
    assert response.text.lstrip().startswith('<div id="results"')
    fragment = html(response)
    assert fragment.find("html") is None and fragment.find("form", id="filters") is None
    results = fragment.select_one("#results")
    assert results["hx-get"] == "/?kind=proposal" and results["hx-trigger"] == "every 15s"
    assert {r.select_one(".kind").get_text() for r in results.select("tbody tr")} == {"Proposal"}

    summary = client.get("/", headers={"HX-Request": "true", "HX-Target": "summary"})
    assert summary.text.lstrip().startswith('<section id="summary"')
    latest = client.get("/", headers={"HX-Request": "true", "HX-Target": "latest"})
    assert latest.text.lstrip().startswith('<section id="latest"')

    restore = client.get("/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert restore.text.lstrip().lower().startswith("<!doctype html>")


def test_the_table_refresh_is_conditional_on_the_data(client, editor_headers) -> None:
    page = html(client.get("/", params={"kind": "commitment"}))
    results = page.select_one("#results")
    # As htmx sends it: the element that triggers the refresh is the table's #results.
    poll = {
        "HX-Request": "true",
        "HX-Target": "results",
        "HX-Trigger": "results",
        "If-None-Match": results["data-etag"],
    }

    unchanged = client.get(results["hx-get"], headers=poll)
    assert unchanged.status_code == 304 and unchanged.content == b""

    client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "in_progress", "note": "Recruitment has begun."},
        headers=editor_headers,
    )
    changed = client.get(results["hx-get"], headers=poll)
    assert changed.status_code == 200
    assert changed.headers["HX-Trigger"] == "tracker:changed"
    # A browser revalidating the filter form's request with a cached ETag is not a refresh.
    form_request = client.get(results["hx-get"], headers={**poll, "HX-Trigger": "filters"})
    assert form_request.status_code == 200 and "HX-Trigger" not in form_request.headers
    fresh = html(changed).select_one("#results")
    # The page names the refresh's identity ETag; the answer came in a content coding, its
    # ETag with the coding after it.
    assert changed.headers["etag"].startswith(fresh["data-etag"][:-1])
    assert fresh["data-etag"] != results["data-etag"]
    assert html(changed).select_one(f"#row-{ITEM} .cell-status .badge").get_text() == "In progress"


def test_the_table_pages_by_cursor(client) -> None:
    first = html(client.get("/"))
    second_url = first.select_one("#results .pager a[rel=next]")["href"]
    second = html(client.get(second_url))
    total = client.get("/api/v1/items").json()["total"]
    assert len(row_titles(first)) + len(row_titles(second)) == total
    assert not set(row_titles(first)) & set(row_titles(second))
    assert second.select_one("#results .pager a[rel=next]") is None
    assert second.select_one("#results .pager a")["href"] == "/"

    broken = client.get("/", params={"cursor": "not-a-cursor"})
    assert broken.status_code == 422
    assert "no longer works" in html(broken).select_one("#results [role=alert]").get_text()


def test_a_wrong_filter_is_shown_beside_its_field(client) -> None:
    response = client.get("/", params={"kind": "commitment", "status": "bogus"})
    assert response.status_code == 422
    page = html(response)
    select = page.select_one("#filter-status")
    assert select["aria-invalid"] == "true"
    error = page.select_one(f"#{select['aria-describedby']}")
    assert (
        error.get_text() == "“bogus” is not a status the tracker knows: choose one from the list."
    )


# ---------------------------------------------------------------------------------------------
# An item's page


def test_item_page_shows_the_quote_in_its_paragraph_and_the_timeline(client) -> None:
    item = client.get(f"/api/v1/items/{ITEM}").json()
    source = client.get(f"/api/v1/sources/{item['source']['slug']}").json()
    response = client.get(f"/items/{ITEM}")
    assert response.status_code == 200
    page = html(response)
    assert page.h1.get_text() == item["title"]
    assert page.select_one(".item__status .badge").get_text() == "Pledged"

    paragraph = page.select_one(".source-paragraph p")
    assert paragraph.mark.get_text() == item["quote"]
    text = paragraph.get_text()
    start = source["text"].index(text)
    # The whole paragraph: a blank line (or the start) before it, a blank line after it.
    assert start == 0 or source["text"][start - 2 : start] == "\n\n"
    assert source["text"][start + len(text) : start + len(text) + 2] in ("\n\n", "")
    assert text.startswith(item["quote"]) and len(text) > len(item["quote"])
    link = page.select_one(".quote__source a")
    assert link["href"] == f"/sources/{item['source']['slug']}#q-{ITEM}"

    assert timeline(page) == ["Recorded as Pledged"]
    assert "the seed data" in page.select_one(".event__meta").get_text()
    # Anonymous readers see no form, but are told how to get one.
    assert page.select_one("#change-status") is None
    assert page.select_one(".sign-in-hint a")["href"] == f"/login?next=/items/{ITEM}"


def test_an_item_by_id_redirects_to_its_slug_and_an_unknown_one_is_a_404_page(client) -> None:
    item = client.get(f"/api/v1/items/{ITEM}").json()
    moved = client.get(f"/items/{item['id']}", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == f"/items/{ITEM}"

    missing = client.get("/items/no-such-item", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert html(missing).h1.get_text().startswith("Not found")
    api = client.get("/api/v1/items/no-such-item", headers={"Accept": "text/html"})
    assert api.headers["content-type"] == "application/problem+json"


def test_editor_changes_a_status_without_javascript(client, make_user) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    page = html(client.get(f"/items/{ITEM}"))
    form = page.select_one("#change-status form")
    assert form["method"] == "post" and form["action"] == f"/items/{ITEM}/status"
    assert [o["value"] for o in form.select("select[name=status] option")] == COMMITMENT_STATUSES
    assert form.select_one("select[name=status] option[selected]")["value"] == "pledged"
    assert form.select_one("input[name=expected_version]")["value"] == "1"
    assert form.select_one("input[name=csrf_token]")["value"] == csrf
    assert {c["name"] for c in form.select("select, textarea, input:not([type=hidden])")} == {
        "status", "note", "occurred_on", "evidence_url", "progress_value"
    }  # fmt: skip
    for control in form.select("select, textarea, input:not([type=hidden])"):
        assert page.select_one(f"label[for={control['id']}]") is not None

    response = client.post(
        f"/items/{ITEM}/status",
        data={
            **status_form(client, csrf),
            "status": "in_progress",
            "note": "Recruitment has begun.",
            "evidence_url": "https://example.org/recruitment",
            "progress_value": "40",
            "occurred_on": "2015-06-01",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/items/{ITEM}"
    after = html(client.get(f"/items/{ITEM}"))
    assert after.select_one(".notice--done").get_text().startswith("Status of “62 additional")
    assert timeline(after)[0] == "Pledged → to In progress · progress 40 staff"
    newest = after.select_one(".events li")
    assert newest.select_one(".event__note").get_text() == "Recruitment has begun."
    assert newest.select_one(".event__evidence a")["href"] == "https://example.org/recruitment"
    meta = " ".join(newest.select_one(".event__meta").get_text().split())
    assert meta.startswith("Happened on 1 June 2015 · recorded ") and "by editor" in meta
    assert after.select_one(".item__facts progress")["value"] == "40"

    api = client.get(f"/api/v1/items/{ITEM}").json()
    assert (api["status"], api["version"], api["progress"]["value"]) == ("in_progress", 2, 40)


def test_editor_changes_a_status_with_htmx_and_gets_the_item_back(client, make_user) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    fields = status_form(client, csrf, status="delivered", note="All 62 in post.")
    del fields["csrf_token"]  # htmx sends the token as a header
    response = client.post(
        f"/items/{ITEM}/status",
        data=fields,
        headers={"HX-Request": "true", "HX-Target": "item", "X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "tracker:changed"
    assert response.text.lstrip().startswith('<article id="item"')
    fragment = html(response)
    assert fragment.select_one(".item__status .badge").get_text() == "Delivered"
    assert timeline(fragment)[0] == "Pledged → to Delivered"
    assert fragment.select_one("input[name=expected_version]")["value"] == "2"
    assert fragment.select_one("textarea[name=note]").get_text() == ""
    assert "changed to Delivered" in fragment.select_one("#item")["data-announce"]


def test_an_empty_note_is_shown_beside_its_field_and_keeps_what_was_typed(
    client, make_user
) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    typed = {"status": "broken", "note": "   ", "evidence_url": "https://example.org/e"}
    for headers in ({}, {"HX-Request": "true", "HX-Target": "item"}):
        response = client.post(
            f"/items/{ITEM}/status", data=status_form(client, csrf, **typed), headers=headers
        )
        assert response.status_code == 422
        page = html(response)
        note = page.select_one("textarea[name=note]")
        assert note["aria-invalid"] == "true" and note.has_attr("autofocus")
        error_id = next(i for i in note["aria-describedby"].split() if i.endswith("-error"))
        assert page.select_one(f"#{error_id}").get_text() == "A status change needs a note."
        assert page.select_one("select[name=status] option[selected]")["value"] == "broken"
        assert page.select_one("input[name=evidence_url]")["value"] == typed["evidence_url"]
        assert page.select_one("input[name=expected_version]")["value"] == "1"
    assert client.get(f"/api/v1/items/{ITEM}").json()["version"] == 1


def test_bad_evidence_and_progress_are_shown_beside_their_fields(client, make_user) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    response = client.post(
        f"/items/{ITEM}/status",
        data=status_form(client, csrf, status="stalled", note="n", progress_value="lots"),
    )
    assert response.status_code == 422
    field = html(response).select_one("input[name=progress_value]")
    assert field["aria-invalid"] == "true" and field["value"] == "lots"

    response = client.post(
        f"/items/{ITEM}/status",
        data=status_form(client, csrf, status="stalled", note="n", evidence_url="javascript:x"),
    )
    assert response.status_code == 422
    page = html(response)
    assert page.select_one("input[name=evidence_url]")["aria-invalid"] == "true"
    assert "http" in page.select_one("#status-form-evidence_url-error").get_text()
    assert client.get(f"/api/v1/items/{ITEM}").json()["version"] == 1


def test_a_stale_version_is_a_conflict_that_shows_the_new_state(
    client, make_user, editor_headers
) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    seen = status_form(client, csrf, status="delivered", note="Done, says the PCC.")
    changed = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "stalled", "note": "Recruitment paused."},
        headers=editor_headers,
    )
    assert changed.status_code == 200
    for headers in ({}, {"HX-Request": "true", "HX-Target": "item"}):
        response = client.post(f"/items/{ITEM}/status", data=seen, headers=headers)
        assert response.status_code == 409
        page = html(response)
        notice = page.select_one(".notice--conflict")
        assert "Someone else changed this item" in notice.get_text()
        assert "now Stalled (version 2)" in " ".join(notice.get_text().split())
        assert page.select_one(".item__status .badge").get_text() == "Stalled"
        assert timeline(page)[0] == "Pledged → to Stalled"
        assert page.select_one("textarea[name=note]").get_text() == "Done, says the PCC."
        assert page.select_one("input[name=expected_version]")["value"] == "2"
    assert client.get(f"/api/v1/items/{ITEM}").json()["status"] == "stalled"


def test_inline_row_edit_swaps_the_row_into_a_form_and_back(client, make_user) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    row = html(client.get("/", params={"kind": "commitment"})).select_one(f"#row-{ITEM}")
    edit_link = row.select_one("a.button--small")
    assert edit_link["href"] == f"/items/{ITEM}#change-status"
    assert edit_link["hx-target"] == "closest tr"
    htmx = {"HX-Request": "true", "HX-Target": f"row-{ITEM}", "X-CSRF-Token": csrf}

    opened = client.get(edit_link["hx-get"], headers=htmx)
    assert opened.text.lstrip().startswith(f'<tr id="row-{ITEM}"')
    form = html(opened).select_one("form.row-form")
    assert form["hx-post"] == f"/items/{ITEM}/status"
    assert form.select_one("select[name=status]").has_attr("autofocus")
    assert form.select_one("input[name=expected_version]")["value"] == "1"

    empty = client.post(form["hx-post"], data={"status": "in_progress", "note": ""}, headers=htmx)
    assert empty.status_code == 422
    assert html(empty).select_one("tr form textarea[name=note]")["aria-invalid"] == "true"

    saved = client.post(
        form["hx-post"],
        data={"status": "in_progress", "note": "Under way.", "expected_version": "1"},
        headers=htmx,
    )
    assert saved.status_code == 200 and saved.headers["HX-Trigger"] == "tracker:changed"
    new_row = html(saved).select_one(f"tr#row-{ITEM}")
    assert new_row.select_one(".cell-status .badge").get_text() == "In progress"
    assert new_row.select_one("form") is None
    assert "changed to In progress" in new_row["data-announce"]

    cancelled = client.get(f"/items/{ITEM}/row", headers=htmx)
    badge = html(cancelled).select_one(f"tr#row-{ITEM} .cell-status .badge")
    assert badge.get_text() == "In progress"
    # Without htmx these addresses lead to the item's page.
    plain = client.get(f"/items/{ITEM}/row/edit", follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/items/{ITEM}#change-status"


def test_a_stale_inline_edit_is_a_conflict_in_the_row(client, make_user, editor_headers) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    changed = client.post(
        f"/api/v1/items/{ITEM}/status",
        json={"status": "stalled", "note": "Paused."},
        headers=editor_headers,
    )
    assert changed.status_code == 200
    response = client.post(
        f"/items/{ITEM}/status",
        data={"status": "delivered", "note": "Done.", "expected_version": "1"},
        headers={"HX-Request": "true", "HX-Target": f"row-{ITEM}", "X-CSRF-Token": csrf},
    )
    assert response.status_code == 409
    row = html(response).select_one(f"tr#row-{ITEM}")
    assert "Someone else changed this item" in row.select_one("[role=alert]").get_text()
    assert row.select_one("input[name=expected_version]")["value"] == "2"


# ---------------------------------------------------------------------------------------------
# Who may post, and CSRF


def test_a_status_post_needs_the_csrf_token(client, make_user) -> None:
    make_user("editor", "editor")
    sign_in(client)
    fields = {"status": "delivered", "note": "n", "expected_version": "1"}
    for extra, headers in (
        ({}, {}),
        ({"csrf_token": "forged"}, {}),
        ({}, {"X-CSRF-Token": "forged", "HX-Request": "true"}),
    ):
        response = client.post(
            f"/items/{ITEM}/status",
            data={**fields, **extra},
            headers={"Accept": "text/html", **headers},
        )
        assert response.status_code == 403
        assert "did not come from this site" in html(response).get_text()
    assert client.get(f"/api/v1/items/{ITEM}").json()["version"] == 1


def test_anonymous_and_viewers_cannot_change_a_status(client, make_user) -> None:
    fields = {"status": "delivered", "note": "n"}
    plain = client.post(f"/items/{ITEM}/status", data=fields, follow_redirects=False)
    assert plain.status_code == 303
    assert plain.headers["location"] == f"/login?next=/items/{ITEM}"
    htmx = client.post(f"/items/{ITEM}/status", data=fields, headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login?next=")
    edit = client.get(f"/items/{ITEM}/row/edit", headers={"HX-Request": "true"})
    assert edit.status_code == 401

    make_user("reader", "viewer")
    csrf = sign_in(client, "reader")
    page = html(client.get(f"/items/{ITEM}"))
    assert page.select_one("#change-status") is None
    assert not html(client.get("/")).select(".row-actions")
    denied = client.post(
        f"/items/{ITEM}/status",
        data={**fields, "csrf_token": csrf},
        headers={"Accept": "text/html"},
    )
    assert denied.status_code == 403
    assert client.get(f"/api/v1/items/{ITEM}").json()["version"] == 1


def test_a_session_cookie_alone_cannot_write_through_the_api(client, make_user) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    body = {"status": "delivered", "note": "Through the API with a cookie."}
    refused = client.post(f"/api/v1/items/{ITEM}/status", json=body)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    allowed = client.post(f"/api/v1/items/{ITEM}/status", json=body, headers={"X-CSRF-Token": csrf})
    assert allowed.status_code == 200


def test_notes_are_shown_as_text_never_as_markup(client, make_user) -> None:
    make_user("editor", "editor")
    csrf = sign_in(client)
    note = '<script>alert("x")</script><b onmouseover=alert(1)>bold</b>'
    client.post(
        f"/items/{ITEM}/status",
        data=status_form(client, csrf, status="stalled", note=note),
    )
    response = client.get(f"/items/{ITEM}")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in response.text
    page = html(response)
    assert page.select_one(".event__note").get_text() == note
    assert not page.select(".events script, .events b")
    assert re.search(r"<script>alert", response.text) is None
